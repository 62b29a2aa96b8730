#define G_LOG_DOMAIN "ovpn3-session-backend-proxy"

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-signal.h"
#include "session-backend-proxy.h"

struct _Ovpn3BackendProxy
{
  GObject parent_instance;
  GDBusConnection *connection;
  char *unique_name;
  char *bus_name;
  guint32 pid;
  guint subscription_id;
  guint watch_id;
  gboolean gone;
  gboolean hung; /* a read timed out: no more blocking reads */
};

G_DEFINE_TYPE(Ovpn3BackendProxy, ovpn3_backend_proxy, G_TYPE_OBJECT)

enum
{
  SIGNAL_STATUS_CHANGE,
  SIGNAL_ATTENTION_REQUIRED,
  SIGNAL_LOG,
  SIGNAL_VANISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
ovpn3_backend_proxy_detach(Ovpn3BackendProxy *self)
{
  ovpn3_signal_unsubscribe_clear(self->connection, &self->subscription_id);
  if (self->watch_id != 0)
    g_bus_unwatch_name(self->watch_id);
  self->watch_id = 0;
}

static void
ovpn3_backend_proxy_finalize(GObject *object)
{
  Ovpn3BackendProxy *self = OVPN3_BACKEND_PROXY(object);

  ovpn3_backend_proxy_detach(self);
  g_clear_object(&self->connection);
  g_free(self->unique_name);
  g_free(self->bus_name);
  G_OBJECT_CLASS(ovpn3_backend_proxy_parent_class)->finalize(object);
}

static void
ovpn3_backend_proxy_class_init(Ovpn3BackendProxyClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_backend_proxy_finalize;

  signals[SIGNAL_STATUS_CHANGE]
      = g_signal_new("status-change", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                     NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_ATTENTION_REQUIRED]
      = g_signal_new("attention-required", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                     NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_LOG]
      = g_signal_new("log", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                     G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT, G_TYPE_STRING);
  signals[SIGNAL_VANISHED] = g_signal_new("vanished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ovpn3_backend_proxy_init(Ovpn3BackendProxy *self)
{
}

static void
on_backend_signal(GDBusConnection *connection, const char *sender_name, const char *object_path,
                  const char *interface_name, const char *signal_name, GVariant *parameters,
                  gpointer user_data)
{
  Ovpn3BackendProxy *self = user_data;
  guint32 a, b;
  const char *message, *token;

  if (g_str_equal(signal_name, "StatusChange")
      && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uus)")))
    {
      g_variant_get(parameters, "(uu&s)", &a, &b, &message);
      g_signal_emit(self, signals[SIGNAL_STATUS_CHANGE], 0, a, b, message);
    }
  else if (g_str_equal(signal_name, "AttentionRequired")
           && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uus)")))
    {
      g_variant_get(parameters, "(uu&s)", &a, &b, &message);
      g_signal_emit(self, signals[SIGNAL_ATTENTION_REQUIRED], 0, a, b, message);
    }
  else if (g_str_equal(signal_name, "Log")
           && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uuss)")))
    {
      g_variant_get(parameters, "(uu&s&s)", &a, &b, &token, &message);
      g_signal_emit(self, signals[SIGNAL_LOG], 0, a, b, message);
    }
}

static void
on_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3BackendProxy *self = user_data;

  if (self->gone)
    return;
  self->gone = TRUE;
  g_object_ref(self);
  ovpn3_backend_proxy_detach(self);
  g_signal_emit(self, signals[SIGNAL_VANISHED], 0);
  g_object_unref(self);
}

Ovpn3BackendProxy *
ovpn3_backend_proxy_new(GDBusConnection *connection, const char *unique_name, const char *bus_name,
                        guint32 pid)
{
  Ovpn3BackendProxy *self = g_object_new(OVPN3_TYPE_BACKEND_PROXY, NULL);

  self->connection = g_object_ref(connection);
  self->unique_name = g_strdup(unique_name);
  self->bus_name = g_strdup(bus_name);
  self->pid = pid;
  /* only this process's signals: sender = its unique name */
  self->subscription_id = g_dbus_connection_signal_subscribe(
      connection, unique_name, OVPN3_BACKENDS_INTERFACE, NULL, OVPN3_BACKEND_SESSION_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_backend_signal, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection(
      connection, unique_name, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, on_vanished, self, NULL);
  return self;
}

const char *
ovpn3_backend_proxy_get_unique_name(Ovpn3BackendProxy *self)
{
  return self->unique_name;
}

const char *
ovpn3_backend_proxy_get_bus_name(Ovpn3BackendProxy *self)
{
  return self->bus_name;
}

guint32
ovpn3_backend_proxy_get_pid(Ovpn3BackendProxy *self)
{
  return self->pid;
}

gboolean
ovpn3_backend_proxy_is_gone(Ovpn3BackendProxy *self)
{
  return self->gone;
}

gboolean
ovpn3_backend_proxy_is_hung(Ovpn3BackendProxy *self)
{
  return self->hung;
}

void
ovpn3_backend_proxy_call(Ovpn3BackendProxy *self, const char *method, GVariant *parameters,
                         const GVariantType *reply_type, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_dbus_connection_call(self->connection, self->unique_name, OVPN3_BACKEND_SESSION_PATH,
                         OVPN3_BACKENDS_INTERFACE, method, parameters, reply_type,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, OVPN3_BACKEND_CALL_TIMEOUT_MS,
                         cancellable, callback, user_data);
}

static void
on_noreply_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *what = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (reply == NULL && !ovpn3_backend_error_is_gone(error))
    g_debug("%s: %s", what, error->message);
}

void
ovpn3_backend_proxy_call_noreply(Ovpn3BackendProxy *self, const char *method, GVariant *parameters)
{
  if (self->gone)
    {
      if (parameters != NULL)
        g_variant_unref(g_variant_ref_sink(parameters));
      return;
    }
  g_dbus_connection_call(self->connection, self->unique_name, OVPN3_BACKEND_SESSION_PATH,
                         OVPN3_BACKENDS_INTERFACE, method, parameters, NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, OVPN3_BACKEND_CALL_TIMEOUT_MS, NULL,
                         on_noreply_done, g_strdup_printf("%s %s", self->bus_name, method));
}

void
ovpn3_backend_proxy_set_property(Ovpn3BackendProxy *self, const char *name, GVariant *value)
{
  if (self->gone)
    {
      g_variant_unref(g_variant_ref_sink(value));
      return;
    }
  g_dbus_connection_call(self->connection, self->unique_name, OVPN3_BACKEND_SESSION_PATH,
                         DBUS_INTERFACE_PROPS, "Set",
                         g_variant_new("(ssv)", OVPN3_BACKENDS_INTERFACE, name, value), NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, OVPN3_BACKEND_CALL_TIMEOUT_MS, NULL,
                         on_noreply_done, g_strdup_printf("%s Set %s", self->bus_name, name));
}

static gboolean
error_is_timeout(const GError *error)
{
  return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY);
}

static void
on_get_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Ovpn3BackendProxy *self = g_task_get_source_object(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  GVariant *value;

  if (reply == NULL)
    {
      /* one wait is enough: later reads of a hung backend fail at once */
      if (error_is_timeout(error))
        self->hung = TRUE;
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  g_variant_get(reply, "(v)", &value);
  g_task_return_pointer(task, value, (GDestroyNotify) g_variant_unref);
}

void
ovpn3_backend_proxy_get_property_async(Ovpn3BackendProxy *self, const char *name,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);

  g_task_set_source_tag(task, ovpn3_backend_proxy_get_property_async);
  if (self->gone || self->hung)
    {
      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER,
                              self->gone ? "The backend client has left the bus"
                                         : "The backend client does not answer");
      return;
    }
  g_dbus_connection_call(self->connection, self->unique_name, OVPN3_BACKEND_SESSION_PATH,
                         DBUS_INTERFACE_PROPS, "Get",
                         g_variant_new("(ss)", OVPN3_BACKENDS_INTERFACE, name),
                         G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                         OVPN3_BACKEND_GET_TIMEOUT_MS, NULL, on_get_done, g_steal_pointer(&task));
}

GVariant *
ovpn3_backend_proxy_get_property_finish(Ovpn3BackendProxy *self, GAsyncResult *result,
                                        GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

gboolean
ovpn3_backend_error_is_gone(const GError *error)
{
  return g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT)
         || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED)
         || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)
         || g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

void
ovpn3_backend_return_error(GDBusMethodInvocation *invocation, const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error(error);
  g_autoptr(GError) copy = g_error_copy(error);

  if (name == NULL)
    {
      /* a local failure (timeout…): the request domain of docs/dbus-api.md §1.1 */
      g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_REQUEST,
                                                    OVPN3_ERROR_FAILED, error->message);
      return;
    }
  g_dbus_error_strip_remote_error(copy);
  g_dbus_method_invocation_return_dbus_error(invocation, name, copy->message);
}
