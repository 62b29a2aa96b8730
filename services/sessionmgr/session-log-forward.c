#define G_LOG_DOMAIN "ovpn3-session-log-forward"

/* LogForward(b enable): the log service sends the caller the session's Log and StatusChange
 * signals through a log proxy object (docs/dbus-api.md §3.2); one per receiver, at most
 * MAX_LOG_FORWARDS, dropped when the receiver leaves the bus or the session ends. */

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "session-manager.h"
#include "session-object-private.h"

#define MAX_LOG_FORWARDS 64
/* a restored proxy is asked again while the log service does not know the session yet (its
 * backend client re-assigns it after the log service returned): every 200 ms, up to 5 s */
#define RESTORE_RETRY_MS 200
#define RESTORE_TRIES    25

void
ovpn3_log_forward_free(LogForward *fwd)
{
  if (fwd->watch_id != 0)
    g_bus_unwatch_name(fwd->watch_id);
  g_free(fwd->target);
  g_free(fwd->proxy_path);
  g_free(fwd);
}

void
ovpn3_session_remove_log_proxy(Ovpn3Session *self, const char *proxy_path)
{
  g_dbus_connection_call(self->connection, OVPN3_LOG_BUS_NAME, proxy_path, OVPN3_LOG_INTERFACE,
                         "Remove", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL,
                         NULL);
}

GVariant *
ovpn3_session_log_forwards_variant(Ovpn3Session *self)
{
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("ao"));
  for (guint i = 0; i < self->log_forwards->len; i++)
    g_variant_builder_add(&b, "o",
                          ((LogForward *) g_ptr_array_index(self->log_forwards, i))->proxy_path);
  return g_variant_builder_end(&b);
}

typedef struct
{
  Ovpn3Session *self;
  GDBusMethodInvocation *invocation; /* NULL: a restore */
  char *target;
  guint tries;
} LogForwardCall;

static void
log_forward_call_free(LogForwardCall *call)
{
  g_object_unref(call->self);
  g_free(call->target);
  g_free(call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(LogForwardCall, log_forward_call_free)

static LogForward *
find_log_forward(Ovpn3Session *self, const char *target, guint *index)
{
  for (guint i = 0; i < self->log_forwards->len; i++)
    {
      LogForward *fwd = g_ptr_array_index(self->log_forwards, i);

      if (g_str_equal(fwd->target, target))
        {
          if (index != NULL)
            *index = i;
          return fwd;
        }
    }
  return NULL;
}

static void
log_target_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  LogForward *fwd = user_data;
  Ovpn3Session *self = fwd->session;
  guint index;

  /* the log service drops its proxy itself when the target leaves */
  if (find_log_forward(self, name, &index) == fwd)
    g_ptr_array_remove_index(self->log_forwards, index);
}

static void send_proxy_log_events(LogForwardCall *call);

/* "No session available": the log service does not know the session (yet) */
static gboolean
is_log_error(const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error(error);

  return g_strcmp0(name, OVPN3_ERROR_NAME_LOG) == 0;
}

static gboolean
retry_restore(gpointer user_data)
{
  LogForwardCall *call = user_data;

  if (call->self->state == STATE_CLOSED)
    log_forward_call_free(call);
  else
    send_proxy_log_events(call);
  return G_SOURCE_REMOVE;
}

static void
on_proxy_log_events(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LogForwardCall) call = user_data;
  Ovpn3Session *self = call->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *proxy_path;
  LogForward *fwd;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL && call->invocation == NULL && ++call->tries < RESTORE_TRIES
      && is_log_error(error) && self->state != STATE_CLOSED)
    {
      g_timeout_add(RESTORE_RETRY_MS, retry_restore, g_steal_pointer(&call));
      return;
    }
  if (reply == NULL)
    {
      ovpn3_session_log(self, OVPN3_LOG_CATEGORY_WARN, "LogForward for %s failed: %s", call->target,
                        error->message);
      if (call->invocation != NULL)
        ovpn3_backend_return_error(call->invocation, error);
      return;
    }
  g_variant_get(reply, "(&o)", &proxy_path);
  if (self->state == STATE_CLOSED)
    {
      ovpn3_session_remove_log_proxy(self, proxy_path);
      if (call->invocation != NULL)
        g_dbus_method_invocation_return_error_literal(call->invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED,
                                                      "Access denied: Session no longer valid");
      return;
    }
  fwd = find_log_forward(self, call->target, NULL);
  if (fwd == NULL)
    {
      fwd = g_new0(LogForward, 1);
      fwd->session = self;
      fwd->target = g_strdup(call->target);
      fwd->watch_id = g_bus_watch_name_on_connection(self->connection, call->target,
                                                     G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                     log_target_vanished, fwd, NULL);
      g_ptr_array_add(self->log_forwards, fwd);
    }
  g_free(fwd->proxy_path);
  fwd->proxy_path = g_strdup(proxy_path);
  ovpn3_session_log(self, OVPN3_LOG_CATEGORY_VERB1, "Log forwarding to %s enabled (%s)",
                    call->target, proxy_path);
  ovpn3_session_manager_save_state(self->manager);
  if (call->invocation != NULL)
    g_dbus_method_invocation_return_value(call->invocation, NULL);
}

static void
send_proxy_log_events(LogForwardCall *call)
{
  g_dbus_connection_call(
      call->self->connection, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, OVPN3_LOG_INTERFACE,
      "ProxyLogEvents", g_variant_new("(so)", call->target, call->self->path),
      G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_proxy_log_events, call);
}

static void
ask_log_proxy(Ovpn3Session *self, const char *target, GDBusMethodInvocation *invocation)
{
  LogForwardCall *call = g_new0(LogForwardCall, 1);

  call->self = g_object_ref(self);
  call->invocation = invocation;
  call->target = g_strdup(target);
  send_proxy_log_events(call);
}

/* The log service answers with the proxy it still has for target, or fails if target left the
 * bus (then there is nothing to restore). */
void
ovpn3_session_restore_log_forward(Ovpn3Session *self, const char *target)
{
  if (g_dbus_is_unique_name(target) && find_log_forward(self, target, NULL) == NULL
      && self->log_forwards->len < MAX_LOG_FORWARDS)
    ask_log_proxy(self, target, NULL);
}

void
ovpn3_session_renew_log_forwards(Ovpn3Session *self)
{
  if (self->state == STATE_CLOSED)
    return;
  for (guint i = 0; i < self->log_forwards->len; i++)
    ask_log_proxy(self, ((LogForward *) g_ptr_array_index(self->log_forwards, i))->target, NULL);
}

void
ovpn3_session_log_forward(Ovpn3Session *self, const Ovpn3Caller *caller, GVariant *parameters,
                          GDBusMethodInvocation *invocation)
{
  gboolean enable;
  guint index;

  g_variant_get(parameters, "(b)", &enable);
  if (!enable)
    {
      LogForward *fwd = find_log_forward(self, caller->sender, &index);

      if (fwd != NULL)
        {
          ovpn3_session_remove_log_proxy(self, fwd->proxy_path);
          ovpn3_session_log(self, OVPN3_LOG_CATEGORY_VERB1, "Log forwarding to %s disabled",
                            caller->sender);
          g_ptr_array_remove_index(self->log_forwards, index);
          ovpn3_session_manager_save_state(self->manager);
        }
      g_dbus_method_invocation_return_value(invocation, NULL);
      return;
    }
  if (find_log_forward(self, caller->sender, NULL) == NULL
      && self->log_forwards->len >= MAX_LOG_FORWARDS)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                            "A session forwards its log to at most %d receivers",
                                            MAX_LOG_FORWARDS);
      return;
    }
  ask_log_proxy(self, caller->sender, invocation);
}
