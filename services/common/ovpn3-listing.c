#define G_LOG_DOMAIN "ovpn3-listing"

#include "config.h"

#include "ovpn3-listing.h"
#include "ovpn3-names.h"
#include "ovpn3-polkit.h"

void
ovpn3_listing_init(Ovpn3Listing *listing, gpointer manager, const Ovpn3Caller *caller, int kind,
                   gboolean with_value, GVariant *parameters, GDBusMethodInvocation *invocation)
{
  listing->manager = g_object_ref(manager);
  listing->invocation = invocation;
  listing->caller = ovpn3_caller_copy(caller);
  listing->kind = kind;
  listing->value = NULL;
  if (with_value)
    g_variant_get(parameters, "(s)", &listing->value);
}

void
ovpn3_listing_clear(Ovpn3Listing *listing)
{
  g_clear_object(&listing->manager);
  g_clear_pointer(&listing->caller, ovpn3_caller_free);
  g_clear_pointer(&listing->value, g_free);
}

void
ovpn3_listing_authorize(Ovpn3Listing *listing, GAsyncReadyCallback callback, gpointer user_data)
{
  ovpn3_polkit_check_async(listing->caller->sender, listing->caller->uid,
                           OVPN3_POLKIT_MANAGE_OTHERS, FALSE, NULL, callback, user_data);
}
