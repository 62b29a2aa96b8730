#define G_LOG_DOMAIN "ovpn3-session-list"

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-listing.h"
#include "ovpn3-names.h"
#include "ovpn3-polkit.h"
#include "session-list.h"
#include "session-properties.h"

typedef struct
{
  Ovpn3Listing base; /* manager: the Ovpn3SessionManager; kind: an Ovpn3SessionListKind */
  GPtrArray *found;  /* the interface lookups: the sessions asked */
} ListCall;

static void
list_call_free(ListCall *call)
{
  ovpn3_listing_clear(&call->base);
  g_clear_pointer(&call->found, g_ptr_array_unref);
  g_free(call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(ListCall, list_call_free)

static gint
compare_paths(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(ovpn3_session_get_path(*(Ovpn3Session *const *) a),
                   ovpn3_session_get_path(*(Ovpn3Session *const *) b));
}

static void
on_device_names(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ListCall) call = user_data;
  g_auto(GStrv) names = ovpn3_sessions_get_device_names_finish(result);
  const char *match = NULL;
  guint n = 0;
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("as"));
  for (guint i = 0; i < call->found->len; i++)
    {
      if (names[i][0] == '\0')
        continue;
      g_variant_builder_add(&b, "s", names[i]);
      if (call->base.kind == OVPN3_LOOKUP_INTERFACE && g_str_equal(names[i], call->base.value))
        {
          match = ovpn3_session_get_path(g_ptr_array_index(call->found, i));
          n++;
        }
    }
  if (call->base.kind == OVPN3_LIST_INTERFACES)
    g_dbus_method_invocation_return_value(call->base.invocation, g_variant_new("(as)", &b));
  else
    {
      g_variant_builder_clear(&b);
      if (n == 0)
        g_dbus_method_invocation_return_error_literal(call->base.invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED, "Interface not found");
      else if (n > 1)
        g_dbus_method_invocation_return_error_literal(call->base.invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED,
                                                      "More than one interface found");
      else
        g_dbus_method_invocation_return_value(call->base.invocation, g_variant_new("(o)", match));
    }
}

static void
on_list_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ListCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_object_unref);
  gboolean admin = ovpn3_polkit_check_finish(result, &error);
  GHashTableIter iter;
  gpointer value;
  GVariantBuilder b;

  g_hash_table_iter_init(&iter, ovpn3_session_manager_get_sessions(call->base.manager));
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Ovpn3Session *session = value;

      if (!ovpn3_session_is_live(session))
        continue;
      if (!admin && !ovpn3_session_is_visible_to(session, call->base.caller->uid))
        continue;
      if (call->base.kind == OVPN3_LOOKUP_CONFIG_NAME
          && !g_str_equal(ovpn3_session_get_config_name(session), call->base.value))
        continue;
      g_ptr_array_add(found, g_object_ref(session));
    }
  g_ptr_array_sort(found, compare_paths);

  switch ((Ovpn3SessionListKind) call->base.kind)
    {
      case OVPN3_LIST_SESSIONS:
      case OVPN3_LOOKUP_CONFIG_NAME:
        g_variant_builder_init(&b, G_VARIANT_TYPE("ao"));
        for (guint i = 0; i < found->len; i++)
          g_variant_builder_add(&b, "o", ovpn3_session_get_path(g_ptr_array_index(found, i)));
        g_dbus_method_invocation_return_value(call->base.invocation, g_variant_new("(ao)", &b));
        return;
      case OVPN3_LIST_INTERFACES:
      case OVPN3_LOOKUP_INTERFACE:
        /* every session's backend at once, none blocking the others */
        /* found is read before call is handed on: the order in which C evaluates
         * the arguments of one call is unspecified */
        call->found = g_ptr_array_ref(found);
        ovpn3_sessions_get_device_names_async(found, on_device_names, g_steal_pointer(&call));
        return;
    }
}

void
ovpn3_session_list(Ovpn3SessionManager *self, const Ovpn3Caller *caller, Ovpn3SessionListKind kind,
                   GVariant *parameters, GDBusMethodInvocation *invocation)
{
  ListCall *call = g_new0(ListCall, 1);

  ovpn3_listing_init(&call->base, self, caller, kind,
                     kind == OVPN3_LOOKUP_CONFIG_NAME || kind == OVPN3_LOOKUP_INTERFACE, parameters,
                     invocation);
  /* other users' sessions only for callers who already hold manage-others */
  ovpn3_listing_authorize(&call->base, on_list_authorized, call);
}
