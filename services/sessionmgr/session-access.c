#define G_LOG_DOMAIN "ovpn3-session-access"

/* Who may call what on a session (docs/dbus-api.md §3.2, docs/security.md §4), and the two
 * methods that change it: AccessGrant and AccessRevoke. */

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "session-manager.h"
#include "session-object-private.h"

#define TEXT_ACCESS_DENIED "Access denied"
#define MAX_ACL            64

/* ---- access rules (docs/dbus-api.md §3.2) --------------------------------------------- */

#define OWNER_OR_ADMIN (OVPN3_ACCESS_OWNER | OVPN3_ACCESS_ADMIN)
/* methods: owner, acl list or public_access */
#define CONTROL (OVPN3_ACCESS_ACL | OVPN3_ACCESS_PUBLIC_READ | OVPN3_ACCESS_ADMIN)
/* property reads: root, owner, service user, acl list (public ignored) */
#define READ (OVPN3_ACCESS_ROOT | OVPN3_ACCESS_SERVICE_USER | OVPN3_ACCESS_ACL | OVPN3_ACCESS_ADMIN)
/* property writes other than the owner-only ones: owner or acl list */
#define WRITE (OVPN3_ACCESS_ACL | OVPN3_ACCESS_ADMIN)

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Ready", CONTROL },
  { OVPN3_ACCESS_METHOD, "Connect", CONTROL },
  { OVPN3_ACCESS_METHOD, "Pause", CONTROL },
  { OVPN3_ACCESS_METHOD, "Resume", CONTROL },
  { OVPN3_ACCESS_METHOD, "Restart", CONTROL },
  { OVPN3_ACCESS_METHOD, "Disconnect", CONTROL },
  { OVPN3_ACCESS_METHOD, "AccessGrant", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AccessRevoke", OWNER_OR_ADMIN },
  /* owner; with restrict_log_access off also the acl list and public (CUSTOM) */
  { OVPN3_ACCESS_METHOD, "LogForward", OWNER_OR_ADMIN | OVPN3_ACCESS_CUSTOM },
  { OVPN3_ACCESS_METHOD, "UserInputQueueGetTypeGroup", CONTROL },
  { OVPN3_ACCESS_METHOD, "UserInputQueueCheck", CONTROL },
  { OVPN3_ACCESS_METHOD, "UserInputQueueFetch", CONTROL },
  { OVPN3_ACCESS_METHOD, "UserInputProvide", CONTROL },
  { OVPN3_ACCESS_READ, "owner", READ },
  { OVPN3_ACCESS_READ, "acl", READ },
  { OVPN3_ACCESS_READ, "public_access", READ },
  { OVPN3_ACCESS_WRITE, "public_access", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_READ, "restrict_log_access", READ },
  { OVPN3_ACCESS_WRITE, "restrict_log_access", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_READ, "session_created", READ },
  { OVPN3_ACCESS_READ, "config_path", READ },
  { OVPN3_ACCESS_READ, "config_name", READ },
  { OVPN3_ACCESS_READ, "backend_pid", READ },
  { OVPN3_ACCESS_READ, "status", READ },
  { OVPN3_ACCESS_READ, "last_log", READ },
  { OVPN3_ACCESS_READ, "statistics", READ },
  { OVPN3_ACCESS_READ, "device_path", READ },
  { OVPN3_ACCESS_READ, "device_name", READ },
  { OVPN3_ACCESS_READ, "session_name", READ },
  { OVPN3_ACCESS_READ, "connected_to", READ },
  { OVPN3_ACCESS_READ, "dco", READ },
  { OVPN3_ACCESS_WRITE, "dco", WRITE },
  { OVPN3_ACCESS_READ, "log_forwards", READ },
  { OVPN3_ACCESS_READ, "log_verbosity", READ },
  { OVPN3_ACCESS_WRITE, "log_verbosity", WRITE },
};

const Ovpn3AccessTable ovpn3_session_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_SESSION_OBJECT, TEXT_ACCESS_DENIED, access_rows);

gboolean
ovpn3_session_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                           const char *member)
{
  Ovpn3Session *self = object;

  if (bit == OVPN3_ACCESS_CUSTOM) /* LogForward */
    return !self->restrict_log_access && ovpn3_session_is_visible_to(self, caller->uid);
  return ovpn3_access_acl_says(&self->acl, caller, bit);
}

/* ---- AccessGrant, AccessRevoke ------------------------------------------------------ */

typedef struct
{
  Ovpn3Session *self;
  GDBusMethodInvocation *invocation; /* owned until answered */
  guint32 uid;
} AccessGrantCall;

static void
on_grant_user_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  AccessGrantCall *call = user_data;
  g_autoptr(Ovpn3Session) self = call->self;
  GDBusMethodInvocation *invocation = call->invocation;
  guint32 uid = call->uid;
  g_autoptr(GError) error = NULL;

  g_free(call);
  if (!ovpn3_acl_check_user_finish(result, &error))
    g_dbus_method_invocation_return_gerror(invocation, error);
  else if (self->registration_id == 0)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                          "The session %s has ended", self->path);
  else if (ovpn3_acl_contains(&self->acl, uid))
    g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP,
                                                  OVPN3_ERROR_FAILED, "UID already granted access");
  else if (self->acl.acl->len >= MAX_ACL)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                          "A session can be shared with at most %d users", MAX_ACL);
  else
    {
      ovpn3_acl_grant(&self->acl, uid);
      ovpn3_session_manager_save_state(self->manager);
      ovpn3_session_log(self, OVPN3_LOG_CATEGORY_INFO, "Access granted to UID %u", uid);
      g_dbus_method_invocation_return_value(invocation, NULL);
    }
}

void
ovpn3_session_change_access(Ovpn3Session *self, const char *method, GVariant *parameters,
                            GDBusMethodInvocation *invocation)
{
  AccessGrantCall *call;
  guint32 uid;

  g_variant_get(parameters, "(u)", &uid);
  if (g_str_equal(method, "AccessRevoke"))
    {
      if (!ovpn3_acl_revoke(&self->acl, uid))
        g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED, "UID not granted access");
      else
        {
          ovpn3_session_manager_save_state(self->manager);
          ovpn3_session_log(self, OVPN3_LOG_CATEGORY_INFO, "Access revoked from UID %u", uid);
          g_dbus_method_invocation_return_value(invocation, NULL);
        }
      return;
    }
  /* the uid must name a user: looked up off the main loop */
  call = g_new0(AccessGrantCall, 1);
  call->self = g_object_ref(self);
  call->invocation = invocation;
  call->uid = uid;
  ovpn3_acl_check_user_async(uid, NULL, on_grant_user_checked, call);
}
