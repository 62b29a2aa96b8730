#define G_LOG_DOMAIN "ovpn3-log-proxy"

#include "config.h"

#include "log-proxy.h"
#include "log-settings.h"

#include "ovpn3-log-client.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"

/* Forwarded Log signals pass everything until told otherwise (docs/dbus-api.md §3.3). */
#define OVPN3_LOG_PROXY_INITIAL_LEVEL 6

struct _Ovpn3LogProxy
{
  GObject parent_instance;

  Ovpn3Exporter *exporter; /* not owned; outlives every proxy */
  GDBusConnection *connection;
  char *path;
  char *target;
  guint32 target_uid;
  char *session_path;
  char *creator;
  guint log_level;
  guint registration_id;
  guint watch_id;
  gboolean closed;
};

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE(Ovpn3LogProxy, ovpn3_log_proxy, G_TYPE_OBJECT)

static void
ovpn3_log_proxy_unexport(Ovpn3LogProxy *self)
{
  if (self->watch_id != 0)
    {
      g_bus_unwatch_name(self->watch_id);
      self->watch_id = 0;
    }
  if (self->registration_id != 0)
    {
      ovpn3_exporter_unregister(self->exporter, self->registration_id);
      self->registration_id = 0;
    }
}

static void
ovpn3_log_proxy_dispose(GObject *object)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(object);

  ovpn3_log_proxy_unexport(self);
  g_clear_object(&self->connection);

  G_OBJECT_CLASS(ovpn3_log_proxy_parent_class)->dispose(object);
}

static void
ovpn3_log_proxy_finalize(GObject *object)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(object);

  g_free(self->path);
  g_free(self->target);
  g_free(self->session_path);
  g_free(self->creator);

  G_OBJECT_CLASS(ovpn3_log_proxy_parent_class)->finalize(object);
}

static void
ovpn3_log_proxy_class_init(Ovpn3LogProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = ovpn3_log_proxy_dispose;
  object_class->finalize = ovpn3_log_proxy_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ovpn3_log_proxy_init(Ovpn3LogProxy *self)
{
  self->log_level = OVPN3_LOG_PROXY_INITIAL_LEVEL;
}

void
ovpn3_log_proxy_close(Ovpn3LogProxy *self)
{
  g_return_if_fail(OVPN3_IS_LOG_PROXY(self));

  if (self->closed)
    return;
  self->closed = TRUE;
  ovpn3_log_proxy_unexport(self);
  g_debug("Log proxy %s for %s closed", self->path, self->target);

  g_object_ref(self);
  g_signal_emit(self, signals[SIGNAL_CLOSED], 0);
  g_object_unref(self);
}

static void
proxy_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
                  GVariant *parameters, GDBusMethodInvocation *invocation)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(object);

  if (g_strcmp0(method, "Remove") == 0)
    {
      g_dbus_method_invocation_return_value(invocation, NULL);
      ovpn3_log_proxy_close(self);
      return;
    }

  g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                        "Unknown method %s", method);
}

static GVariant *
proxy_get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(object);

  if (g_strcmp0(name, "log_level") == 0)
    return g_variant_new_uint32(self->log_level);
  if (g_strcmp0(name, "session_path") == 0)
    return g_variant_new_object_path(self->session_path);
  if (g_strcmp0(name, "target") == 0)
    return g_variant_new_string(self->target);

  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

static gboolean
proxy_set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
                   GError **error)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(object);

  if (g_strcmp0(name, "log_level") == 0)
    return ovpn3_log_settings_level_from_variant(value, &self->log_level, error);

  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY, "Property “%s” is read-only",
              name);
  return FALSE;
}

/* The proxy's target user (OWNER) and the process that created it
 * (CUSTOM), nobody else. */
#define TARGET_OR_CREATOR (OVPN3_ACCESS_OWNER | OVPN3_ACCESS_CUSTOM)

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Remove", TARGET_OR_CREATOR },
  { OVPN3_ACCESS_READ, "log_level", TARGET_OR_CREATOR },
  { OVPN3_ACCESS_WRITE, "log_level", TARGET_OR_CREATOR },
  { OVPN3_ACCESS_READ, "session_path", TARGET_OR_CREATOR },
  { OVPN3_ACCESS_READ, "target", TARGET_OR_CREATOR },
};

const Ovpn3AccessTable ovpn3_log_proxy_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_LOG_PROXY, "Access denied", access_rows);

static gboolean
proxy_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                   const char *member)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(object);

  switch (bit)
    {
      case OVPN3_ACCESS_OWNER:
        return caller->uid == self->target_uid;
      case OVPN3_ACCESS_CUSTOM:
        return g_strcmp0(caller->sender, self->creator) == 0;
      default:
        return FALSE;
    }
}

static const Ovpn3ExportedVTable proxy_vtable = {
  .method_call = proxy_method_call,
  .get_property = proxy_get_property,
  .set_property = proxy_set_property,
  .access = &ovpn3_log_proxy_access,
  .access_check = proxy_access_check,
};

static void
target_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3LogProxy *self = OVPN3_LOG_PROXY(user_data);

  g_debug("Log proxy target %s left the bus", name);
  ovpn3_log_proxy_close(self);
}

Ovpn3LogProxy *
ovpn3_log_proxy_new(Ovpn3Exporter *exporter, const char *target, guint32 target_uid,
                    const char *session_path, const char *creator, GError **error)
{
  g_autoptr(Ovpn3LogProxy) self = g_object_new(OVPN3_TYPE_LOG_PROXY, NULL);

  self->exporter = exporter;
  self->connection = g_object_ref(ovpn3_exporter_get_connection(exporter));
  self->path = ovpn3_object_path_new(OVPN3_LOG_PROXY_PATH_PREFIX, OVPN3_ID_SEP_LOG_PROXY);
  self->target = g_strdup(target);
  self->target_uid = target_uid;
  self->session_path = g_strdup(session_path);
  self->creator = g_strdup(creator);

  self->registration_id = ovpn3_exporter_register(exporter, self->path, OVPN3_XML_LOG_PROXY,
                                                  &proxy_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;

  self->watch_id = g_bus_watch_name_on_connection(
      self->connection, target, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, target_vanished, self, NULL);
  return g_steal_pointer(&self);
}

const char *
ovpn3_log_proxy_get_path(Ovpn3LogProxy *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_PROXY(self), NULL);
  return self->path;
}

const char *
ovpn3_log_proxy_get_target(Ovpn3LogProxy *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_PROXY(self), NULL);
  return self->target;
}

const char *
ovpn3_log_proxy_get_session_path(Ovpn3LogProxy *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_PROXY(self), NULL);
  return self->session_path;
}

const char *
ovpn3_log_proxy_get_creator(Ovpn3LogProxy *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_PROXY(self), NULL);
  return self->creator;
}

guint
ovpn3_log_proxy_get_log_level(Ovpn3LogProxy *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_PROXY(self), 0);
  return self->log_level;
}

static void
emit_to_target(Ovpn3LogProxy *self, const char *member, GVariant *parameters)
{
  g_autoptr(GError) error = NULL;

  g_variant_ref_sink(parameters);
  if (!g_dbus_connection_emit_signal(self->connection, self->target, self->session_path,
                                     OVPN3_BACKENDS_INTERFACE, member, parameters, &error))
    g_debug("Could not forward %s to %s: %s", member, self->target, error->message);
  g_variant_unref(parameters);
}

void
ovpn3_log_proxy_forward_log(Ovpn3LogProxy *self, guint group, guint category, const char *message)
{
  g_return_if_fail(OVPN3_IS_LOG_PROXY(self));

  if (self->closed || !ovpn3_log_level_passes(self->log_level, category))
    return;
  emit_to_target(self, "Log", g_variant_new("(uus)", group, category, message));
}

void
ovpn3_log_proxy_forward_status(Ovpn3LogProxy *self, guint major, guint minor, const char *message)
{
  g_return_if_fail(OVPN3_IS_LOG_PROXY(self));

  if (self->closed)
    return;
  emit_to_target(self, "StatusChange", g_variant_new("(uus)", major, minor, message));
}
