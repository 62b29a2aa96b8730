#define G_LOG_DOMAIN "ovpn3-session-forward"

/* A session's methods that its backend client implements (docs/dbus-api.md §3.2): forwarded
 * to it, its errors returned with their D-Bus name and text; a backend that is gone or hung,
 * or being replaced by an automatic restart, answered here. */

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "session-manager.h"
#include "session-object-private.h"

/* upstream's openvpn2 and openvpn3-autoload look for TEXT_BACKEND_DIED and
 * TEXT_NOT_READY (tests/compat/README.md) */
#define TEXT_NO_BACKEND   "Backend VPN process did not respond"
#define TEXT_BACKEND_DIED "Backend VPN process has died"
#define TEXT_NOT_READY    "Backend VPN process is not ready: it is being restarted"

/* ---- proxied methods ------------------------------------------------------ */

typedef struct
{
  Ovpn3Session *self;
  GDBusMethodInvocation *invocation;
  char *method;
} Forward;

static void
forward_free(Forward *fwd)
{
  g_object_unref(fwd->self);
  g_free(fwd->method);
  g_free(fwd);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Forward, forward_free)

/* A crash of the backend would now be answered with an automatic restart: the vanish
 * watcher decides then, not a failed call. */
gboolean
ovpn3_session_may_auto_restart(Ovpn3Session *self)
{
  return self->auto_restart && self->state == STATE_LIVE && self->connect_started
         && !ovpn3_status_is_terminal(self->status_major, self->status_minor)
         && !(self->backend != NULL && ovpn3_backend_proxy_is_hung(self->backend));
}

/* A call failed because the backend is gone or hung (error: the failed
 * forward, or NULL). Died: it left the bus (NoReply within our call timeout
 * means it went away with the call unanswered); hung: it did not answer in
 * time. A crash that automatic-restart answers is "not ready" for now. */
static void
return_backend_gone(Ovpn3Session *self, GDBusMethodInvocation *invocation, const GError *error)
{
  gboolean gone = self->backend == NULL || ovpn3_backend_proxy_is_gone(self->backend);
  gboolean timed_out = (self->backend != NULL && ovpn3_backend_proxy_is_hung(self->backend))
                       || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
                       || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT)
                       || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMED_OUT);
  const char *text = TEXT_BACKEND_DIED;

  if (self->state == STATE_RESTARTING || ovpn3_session_may_auto_restart(self))
    text = TEXT_NOT_READY;
  else if (timed_out && !gone)
    text = TEXT_NO_BACKEND;
  g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
                                                text);
  if (!ovpn3_session_may_auto_restart(self))
    ovpn3_session_schedule_close(self);
}

static void
on_forward_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Forward) fwd = user_data;
  Ovpn3Session *self = fwd->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (g_str_equal(fwd->method, "Disconnect"))
    {
      /* whatever the backend said, the session ends here */
      if (reply == NULL && !ovpn3_backend_error_is_gone(error))
        ovpn3_session_log(self, OVPN3_LOG_CATEGORY_WARN, "Backend Disconnect failed: %s",
                          error->message);
      ovpn3_session_manager_close(self->manager, self, reply == NULL, "Session closed");
      g_dbus_method_invocation_return_value(fwd->invocation, NULL);
      return;
    }
  if (reply != NULL)
    g_dbus_method_invocation_return_value(fwd->invocation, reply);
  else if (ovpn3_backend_error_is_gone(error))
    return_backend_gone(self, fwd->invocation, error);
  else
    ovpn3_backend_return_error(fwd->invocation, error);
}

static const GVariantType *
reply_type_of(const char *method)
{
  if (g_str_equal(method, "UserInputQueueGetTypeGroup"))
    return G_VARIANT_TYPE("(a(uu))");
  if (g_str_equal(method, "UserInputQueueCheck"))
    return G_VARIANT_TYPE("(au)");
  if (g_str_equal(method, "UserInputQueueFetch"))
    return G_VARIANT_TYPE("(uuussb)");
  return G_VARIANT_TYPE_UNIT;
}

gboolean
ovpn3_session_is_proxied(const char *method)
{
  static const char *const proxied[] = { "Ready",
                                         "Connect",
                                         "Pause",
                                         "Resume",
                                         "Restart",
                                         "Disconnect",
                                         "UserInputQueueGetTypeGroup",
                                         "UserInputQueueCheck",
                                         "UserInputQueueFetch",
                                         "UserInputProvide",
                                         NULL };

  return g_strv_contains(proxied, method);
}

static void
on_log_level(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3Session) self = user_data;
  g_autoptr(GVariant) level
      = ovpn3_backend_proxy_get_property_finish(OVPN3_BACKEND_PROXY(source), result, NULL);

  if (level != NULL && self->backend == OVPN3_BACKEND_PROXY(source)
      && g_variant_is_of_type(level, G_VARIANT_TYPE_UINT32)
      && g_variant_get_uint32(level) <= OVPN3_LOG_LEVEL_MAX)
    self->log_verbosity = g_variant_get_uint32(level);
}

void
ovpn3_session_forward(Ovpn3Session *self, const char *method, GVariant *parameters,
                      GDBusMethodInvocation *invocation)
{
  Forward *fwd;

  if (self->state == STATE_RESTARTING)
    {
      if (g_str_equal(method, "Disconnect"))
        {
          ovpn3_session_manager_close(self->manager, self, TRUE, "Session closed");
          g_dbus_method_invocation_return_value(invocation, NULL);
        }
      else
        g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED, TEXT_NOT_READY);
      return;
    }
  if (self->backend == NULL || self->state == STATE_CLOSED)
    {
      g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP,
                                                    OVPN3_ERROR_FAILED,
                                                    "Access denied: Session no longer valid");
      return;
    }
  if (ovpn3_backend_proxy_is_gone(self->backend) || ovpn3_backend_proxy_is_hung(self->backend))
    {
      if (g_str_equal(method, "Disconnect"))
        {
          /* nothing left to stop: the session just ends */
          ovpn3_session_manager_close(self->manager, self, TRUE, "Session closed");
          g_dbus_method_invocation_return_value(invocation, NULL);
        }
      else
        return_backend_gone(self, invocation, NULL);
      return;
    }
  if (g_str_equal(method, "Connect"))
    {
      self->connect_started = TRUE; /* locks dco */
      /* the backend's verbosity (profile verb) becomes the session's
       * (docs/dbus-api.md §3.2); asked before Connect is sent, so the backend answers it first */
      ovpn3_backend_proxy_get_property_async(self->backend, "log_level", on_log_level,
                                             g_object_ref(self));
    }
  if (g_str_equal(method, "Pause") || g_str_equal(method, "Resume")
      || g_str_equal(method, "Restart") || g_str_equal(method, "Disconnect")
      || g_str_equal(method, "Connect"))
    ovpn3_session_log(self, OVPN3_LOG_CATEGORY_INFO, "%s requested", method);

  fwd = g_new0(Forward, 1);
  fwd->self = g_object_ref(self);
  fwd->invocation = invocation;
  fwd->method = g_strdup(method);
  ovpn3_backend_proxy_call(self->backend, method, parameters, reply_type_of(method), NULL,
                           on_forward_done, fwd);
}
