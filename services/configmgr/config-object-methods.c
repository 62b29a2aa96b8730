#define G_LOG_DOMAIN "ovpn3-config-object"

/* config-object-methods.c — the methods of a configuration profile object
 * (docs/dbus-api.md §3.1). The access table admitted the caller already; what
 * depends on the arguments or the object's state is decided here.
 */

#include "config.h"

#include <string.h>

#include "config-object-fleet.h"
#include "config-object-private.h"
#include "config-overrides.h"
#include "config-peers.h"
#include "config-quota.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"

static void
return_gdbuspp(GDBusMethodInvocation *invocation, const char *text)
{
  g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
                                                text);
}

static void
fetch_reply(Ovpn3ConfigObject *self, GDBusMethodInvocation *invocation, gboolean as_json)
{
  g_autofree char *text = as_json ? ovpn3_profile_to_json_string(self->profile)
                                  : ovpn3_profile_render(self->profile, 0);

  g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", text));
}

static void
handle_fetch(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GDBusMethodInvocation *invocation,
             gboolean as_json)
{
  G_GNUC_UNUSED g_autoptr(Ovpn3ConfigObject) ref = g_object_ref(self);
  g_autoptr(JsonNode) snap = NULL;
  g_autoptr(GError) error = NULL;

  fetch_reply(self, invocation, as_json);
  /* a use: the backend client of a session of this profile, as the session
   * manager confirmed it (not the session manager's own read) */
  if (!ovpn3_config_peer_is_backend_of(caller, self->path) || self->registration_id == 0)
    return;
  if (self->single_use)
    {
      ovpn3_config_manager_log(self->manager, OVPN3_LOG_CATEGORY_INFO,
                               "Single-use profile %s used by a backend; removed", self->path);
      ovpn3_config_manager_remove(self->manager, self);
      return;
    }
  snap = ovpn3_config_object_snapshot(self);
  self->used_count++;
  self->last_used_timestamp = ovpn3_config_object_now();
  if (!ovpn3_config_object_commit(self, snap, &error))
    g_warning("%s: cannot record use: %s", self->path, error->message);
}

/* The write methods (the table admitted the caller): not when sealed.
 * Returns FALSE (and answers) when the call is refused. */
static gboolean
check_sealed(Ovpn3ConfigObject *self, GDBusMethodInvocation *invocation)
{
  if (self->readonly)
    {
      return_gdbuspp(invocation, TEXT_SEALED);
      return FALSE;
    }
  return TRUE;
}

static void
finish_change(Ovpn3ConfigObject *self, JsonNode *snap, GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;

  if (!ovpn3_config_object_commit(self, snap, &error))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                            "Could not save the configuration profile: %s",
                                            error->message);
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
}

/* AccessGrant: the uid must name a user; that is looked up off the main loop,
 * then the grant is checked again against the object as it is by then. */
typedef struct
{
  Ovpn3ConfigObject *self;
  Ovpn3Caller *caller;
  GDBusMethodInvocation *invocation; /* owned until answered */
  guint32 uid;
} AccessGrantCall;

static void
access_grant_call_free(AccessGrantCall *call)
{
  g_object_unref(call->self);
  ovpn3_caller_free(call->caller);
  g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AccessGrantCall, access_grant_call_free)

static void
on_grant_user_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AccessGrantCall) call = user_data;
  Ovpn3ConfigObject *self = call->self;
  GDBusMethodInvocation *invocation = call->invocation;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) snap = NULL;

  if (!ovpn3_acl_check_user_finish(result, &error))
    g_dbus_method_invocation_return_gerror(invocation, error);
  else if (self->registration_id == 0)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                          "The configuration profile %s was removed", self->path);
  /* checked again: the owner may have changed (TransferOwnership) while
   * the user was looked up */
  else if (!ovpn3_config_object_is_owner(self, call->caller))
    ovpn3_invocation_return_access_denied(invocation, TEXT_ACCESS_DENIED);
  else if (!check_sealed(self, invocation))
    return;
  else if (ovpn3_acl_contains(&self->acl, call->uid))
    return_gdbuspp(invocation, "UID already granted access");
  else if (self->acl.acl->len >= MAX_ACL)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                          "A profile can be shared with at most %d users", MAX_ACL);
  else
    {
      snap = ovpn3_config_object_snapshot(self);
      ovpn3_acl_grant(&self->acl, call->uid);
      finish_change(self, snap, invocation);
    }
}

/* ---- the methods that do not write ----------------------------------------- */

static void
handle_validate(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;

  if (!ovpn3_profile_validate(self->profile, &error))
    return_gdbuspp(invocation, error->message);
  else
    g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
handle_fetch_text(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                  GDBusMethodInvocation *invocation)
{
  handle_fetch(self, caller, invocation, FALSE);
}

static void
handle_fetch_json(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                  GDBusMethodInvocation *invocation)
{
  handle_fetch(self, caller, invocation, TRUE);
}

static void
handle_seal(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  g_autoptr(JsonNode) snap = NULL;

  if (!self->valid)
    {
      return_gdbuspp(invocation, "Configuration is not currently valid");
      return;
    }
  snap = ovpn3_config_object_snapshot(self);
  self->readonly = TRUE;
  finish_change(self, snap, invocation);
}

static void
handle_remove(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
              GDBusMethodInvocation *invocation)
{
  g_dbus_method_invocation_return_value(invocation, NULL);
  ovpn3_config_manager_remove(self->manager, self);
}

/* ---- the methods that write (not when sealed) ------------------------------ */

static void
handle_set_option(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                  GDBusMethodInvocation *invocation)
{
  /* accepted and ignored, as upstream (docs/dbus-api.md §3.1) */
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
handle_set_override(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                    GDBusMethodInvocation *invocation)
{
  g_autoptr(JsonNode) snap = ovpn3_config_object_snapshot(self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value = NULL;
  const char *name;
  GVariant *old;

  g_variant_get(parameters, "(&sv)", &name, &value);
  old = g_tree_lookup(self->overrides, name);
  if (!ovpn3_config_override_check(name, value, &error)
      || !ovpn3_config_object_check_growth(
          self, ovpn3_config_quota_override_bytes(name, value),
          old != NULL ? ovpn3_config_quota_override_bytes(name, old) : 0, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  g_tree_insert(self->overrides, g_strdup(name), g_steal_pointer(&value));
  finish_change(self, snap, invocation);
}

static void
handle_unset_override(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                      GDBusMethodInvocation *invocation)
{
  g_autoptr(JsonNode) snap = ovpn3_config_object_snapshot(self);
  const char *name;

  g_variant_get(parameters, "(&s)", &name);
  if (!g_tree_remove(self->overrides, name))
    {
      g_autofree char *text = g_strdup_printf("Override '%s' has not been set", name);
      /* upstream's CLI recognises this error by its name (tests/compat) */
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_OVERRIDE_NOT_SET, text);
      return;
    }
  finish_change(self, snap, invocation);
}

static void
handle_add_tag(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
               GDBusMethodInvocation *invocation)
{
  g_autoptr(JsonNode) snap = ovpn3_config_object_snapshot(self);
  g_autoptr(GError) error = NULL;
  const char *tag;

  g_variant_get(parameters, "(&s)", &tag);
  if (!ovpn3_config_tag_is_valid(tag, &error))
    g_dbus_method_invocation_return_gerror(invocation, error);
  else if (ovpn3_config_object_has_tag(self, tag))
    return_gdbuspp(invocation, "Tag already exists");
  else if (self->tags->len >= MAX_TAGS)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                          "A profile can have at most %d tags", MAX_TAGS);
  else if (!ovpn3_config_object_check_growth(self, strlen(tag), 0, &error))
    g_dbus_method_invocation_return_gerror(invocation, error);
  else
    {
      g_ptr_array_add(self->tags, g_strdup(tag));
      finish_change(self, snap, invocation);
    }
}

static void
handle_remove_tag(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                  GDBusMethodInvocation *invocation)
{
  g_autoptr(JsonNode) snap = ovpn3_config_object_snapshot(self);
  const char *tag;
  guint index;

  g_variant_get(parameters, "(&s)", &tag);
  if (!g_ptr_array_find_with_equal_func(self->tags, tag, g_str_equal, &index))
    return_gdbuspp(invocation, "Non-existing tag");
  else
    {
      g_ptr_array_remove_index(self->tags, index);
      finish_change(self, snap, invocation);
    }
}

static void
handle_access_grant(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                    GDBusMethodInvocation *invocation)
{
  AccessGrantCall *call = g_new0(AccessGrantCall, 1);

  g_variant_get(parameters, "(u)", &call->uid);
  call->self = g_object_ref(self);
  call->caller = ovpn3_caller_copy(caller);
  call->invocation = invocation;
  ovpn3_acl_check_user_async(call->uid, NULL, on_grant_user_checked, call);
}

static void
handle_access_revoke(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GVariant *parameters,
                     GDBusMethodInvocation *invocation)
{
  g_autoptr(JsonNode) snap = ovpn3_config_object_snapshot(self);
  guint32 uid;

  g_variant_get(parameters, "(u)", &uid);
  if (!ovpn3_acl_revoke(&self->acl, uid))
    return_gdbuspp(invocation, "UID not granted access");
  else
    finish_change(self, snap, invocation);
}

/* ---- dispatch ---------------------------------------------------------------- */

typedef void (*MethodHandler)(Ovpn3ConfigObject *self, const Ovpn3Caller *caller,
                              GVariant *parameters, GDBusMethodInvocation *invocation);

static const struct
{
  const char *name;
  gboolean writes; /* refused when the profile is sealed */
  MethodHandler handle;
} methods[] = {
  { "Validate", FALSE, handle_validate },       { "Fetch", FALSE, handle_fetch_text },
  { "FetchJSON", FALSE, handle_fetch_json },    { "Seal", FALSE, handle_seal },
  { "Remove", FALSE, handle_remove },           { "SetOption", TRUE, handle_set_option },
  { "SetOverride", TRUE, handle_set_override }, { "UnsetOverride", TRUE, handle_unset_override },
  { "AddTag", TRUE, handle_add_tag },           { "RemoveTag", TRUE, handle_remove_tag },
  { "AccessGrant", TRUE, handle_access_grant }, { "AccessRevoke", TRUE, handle_access_revoke },
};

void
ovpn3_config_object_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
                                GVariant *parameters, GDBusMethodInvocation *invocation)
{
  Ovpn3ConfigObject *self = object;

  if (!ovpn3_config_object_fleet_allows(self, method, invocation))
    return;
  for (gsize i = 0; i < G_N_ELEMENTS(methods); i++)
    if (g_str_equal(method, methods[i].name))
      {
        if (!methods[i].writes || check_sealed(self, invocation))
          methods[i].handle(self, caller, parameters, invocation);
        return;
      }
  /* another method: refused as a write first when the profile is sealed */
  if (check_sealed(self, invocation))
    ovpn3_invocation_return_unknown_method(invocation);
}
