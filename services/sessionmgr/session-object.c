#define G_LOG_DOMAIN "ovpn3-session-object"

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-log-client.h"
#include "ovpn3-names.h"
#include "session-manager.h"
#include "session-object-private.h"
#include "session-properties.h"
#include "session-restart.h"

#define TEXT_DCO_UNSUPPORTED "DCO mode is not available: ovpn3 runs OpenVPN 2 on a tun device"
#define TEXT_DCO_LOCKED      "DCO mode cannot be changed now"

G_DEFINE_TYPE(Ovpn3Session, ovpn3_session, G_TYPE_OBJECT)

static void
ovpn3_session_dispose(GObject *object)
{
  Ovpn3Session *self = OVPN3_SESSION(object);

  if (self->registration_id != 0)
    ovpn3_exporter_unregister(self->exporter, self->registration_id);
  self->registration_id = 0;
  if (self->backend != NULL)
    {
      g_signal_handlers_disconnect_by_data(self->backend, self);
      ovpn3_backend_proxy_detach(self->backend);
      g_clear_object(&self->backend);
    }
  g_clear_handle_id(&self->close_idle_id, g_source_remove);
  G_OBJECT_CLASS(ovpn3_session_parent_class)->dispose(object);
}

static void
ovpn3_session_finalize(GObject *object)
{
  Ovpn3Session *self = OVPN3_SESSION(object);

  g_clear_object(&self->connection);
  g_free(self->path);
  g_free(self->config_path);
  g_free(self->config_name);
  g_free(self->status_message);
  g_clear_pointer(&self->last_log, g_variant_unref);
  ovpn3_acl_clear(&self->acl);
  g_ptr_array_unref(self->log_forwards);
  G_OBJECT_CLASS(ovpn3_session_parent_class)->finalize(object);
}

static void
ovpn3_session_class_init(Ovpn3SessionClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_session_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_session_finalize;
}

static void
ovpn3_session_init(Ovpn3Session *self)
{
  ovpn3_acl_init(&self->acl, G_MAXUINT32);
  self->restrict_log_access = TRUE;
  self->status_message = g_strdup("");
  self->log_verbosity = OVPN3_LOG_LEVEL_DEFAULT;
  self->last_log = g_variant_ref_sink(g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0));
  self->log_forwards = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_log_forward_free);
}

Ovpn3Session *
ovpn3_session_new(Ovpn3SessionManager *manager, const char *path, const char *config_path,
                  const char *config_name, guint32 owner)
{
  Ovpn3Session *self = g_object_new(OVPN3_TYPE_SESSION, NULL);

  self->manager = manager;
  self->connection = g_object_ref(ovpn3_session_manager_get_context(manager)->connection);
  self->path = g_strdup(path);
  self->config_path = g_strdup(config_path);
  self->config_name = g_strdup(config_name);
  self->acl.owner = owner;
  self->created = (guint64) (g_get_real_time() / G_USEC_PER_SEC);
  return self;
}

void
ovpn3_session_transfer_owner(Ovpn3Session *self, guint32 profile_owner, guint32 starter)
{
  self->acl.owner = profile_owner;
  if (starter != profile_owner)
    ovpn3_acl_grant(&self->acl, starter);
  self->restrict_log_access = FALSE;
}

/* ---- accessors ----------------------------------------------------------- */

const char *
ovpn3_session_get_path(Ovpn3Session *self)
{
  return self->path;
}

const char *
ovpn3_session_get_config_path(Ovpn3Session *self)
{
  return self->config_path;
}

const char *
ovpn3_session_get_config_name(Ovpn3Session *self)
{
  return self->config_name;
}

void
ovpn3_session_set_config_name(Ovpn3Session *self, const char *name)
{
  g_free(self->config_name);
  self->config_name = g_strdup(name);
}

guint32
ovpn3_session_get_owner(Ovpn3Session *self)
{
  return self->acl.owner;
}

gboolean
ovpn3_session_is_visible_to(Ovpn3Session *self, guint32 uid)
{
  return ovpn3_acl_check(&self->acl, uid, OVPN3_ACL_ALLOW_LIST | OVPN3_ACL_ALLOW_PUBLIC);
}

gboolean
ovpn3_session_is_shared_with(Ovpn3Session *self, guint32 uid)
{
  return ovpn3_acl_check(&self->acl, uid, OVPN3_ACL_ALLOW_LIST);
}

void
ovpn3_session_get_status(Ovpn3Session *self, guint32 *major, guint32 *minor)
{
  *major = self->status_major;
  *minor = self->status_minor;
}

Ovpn3BackendProxy *
ovpn3_session_get_backend(Ovpn3Session *self)
{
  return self->backend;
}

gboolean
ovpn3_session_is_exported(Ovpn3Session *self)
{
  return self->registration_id != 0;
}

void
ovpn3_session_set_live(Ovpn3Session *self)
{
  if (self->state == STATE_STARTING || self->state == STATE_RESTARTING)
    self->state = STATE_LIVE;
  ovpn3_session_manager_save_state(self->manager);
}

gboolean
ovpn3_session_is_live(Ovpn3Session *self)
{
  return self->state == STATE_LIVE;
}

void
ovpn3_session_set_auto_restart(Ovpn3Session *self, gboolean enable)
{
  self->auto_restart = enable;
}

void
ovpn3_session_set_reconnect(Ovpn3Session *self, gboolean enable)
{
  self->no_reconnect = !enable;
}

gboolean
ovpn3_session_get_reconnect(Ovpn3Session *self)
{
  return !self->no_reconnect;
}

void
ovpn3_session_set_host_wide(Ovpn3Session *self, gboolean allowed)
{
  self->host_wide = allowed;
}

gboolean
ovpn3_session_get_host_wide(Ovpn3Session *self)
{
  return self->host_wide;
}

void
ovpn3_session_mark_connect_started(Ovpn3Session *self)
{
  self->connect_started = TRUE;
}

gboolean
ovpn3_session_is_restarting(Ovpn3Session *self)
{
  return self->state == STATE_RESTARTING;
}

static void detach_backend(Ovpn3Session *self);

guint
ovpn3_session_begin_restart(Ovpn3Session *self)
{
  detach_backend(self);
  self->state = STATE_RESTARTING;
  self->connect_started = FALSE;
  return ++self->restarts;
}

gboolean
ovpn3_status_is_terminal(guint32 major, guint32 minor)
{
  if (major != OVPN3_STATUS_MAJOR_CONFIG && major != OVPN3_STATUS_MAJOR_CONNECTION
      && major != OVPN3_STATUS_MAJOR_PROCESS)
    return FALSE;
  return minor == OVPN3_STATUS_MINOR_CFG_ERROR || minor == OVPN3_STATUS_MINOR_CONN_DONE
         || minor == OVPN3_STATUS_MINOR_CONN_FAILED || minor == OVPN3_STATUS_MINOR_PROC_KILLED;
}

/* ---- logging: Log(uus) from the session path to the log service ---------- */

void
ovpn3_session_log(Ovpn3Session *self, guint category, const char *format, ...)
{
  g_autofree char *message = NULL;
  GVariantBuilder b;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);

  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&b, "{sv}", "log_group", g_variant_new_uint32(OVPN3_LOG_GROUP_SESSIONMGR));
  g_variant_builder_add(&b, "{sv}", "log_category", g_variant_new_uint32(category));
  g_variant_builder_add(&b, "{sv}", "log_message", g_variant_new_string(message));
  g_clear_pointer(&self->last_log, g_variant_unref);
  self->last_log = g_variant_ref_sink(g_variant_builder_end(&b));

  if (!ovpn3_log_level_passes(self->log_verbosity, category))
    return;
  if (self->registration_id != 0)
    g_dbus_connection_emit_signal(
        self->connection, OVPN3_LOG_BUS_NAME, self->path, OVPN3_SESSIONS_INTERFACE, "Log",
        g_variant_new("(uus)", (guint32) OVPN3_LOG_GROUP_SESSIONMGR, category, message), NULL);
  g_debug("%s: %s", self->path, message);
}

static void
emit_status_to_log(Ovpn3Session *self, guint32 major, guint32 minor, const char *message)
{
  if (self->registration_id != 0)
    g_dbus_connection_emit_signal(self->connection, OVPN3_LOG_BUS_NAME, self->path,
                                  OVPN3_SESSIONS_INTERFACE, "StatusChange",
                                  g_variant_new("(uus)", major, minor, message), NULL);
}

/* ---- backend signals ----------------------------------------------------- */

static gboolean
close_later(gpointer user_data)
{
  Ovpn3Session *self = user_data;

  self->close_idle_id = 0;
  /* the backend vanished meanwhile and automatic-restart took over */
  if (self->state != STATE_RESTARTING)
    ovpn3_session_manager_close(self->manager, self, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

/* Closing from inside a signal or property handler happens from an idle. */
void
ovpn3_session_schedule_close(Ovpn3Session *self)
{
  if (self->close_idle_id == 0 && self->state != STATE_CLOSED && self->state != STATE_RESTARTING)
    self->close_idle_id
        = g_idle_add_full(G_PRIORITY_DEFAULT, close_later, g_object_ref(self), g_object_unref);
}

static void
on_status_change(Ovpn3BackendProxy *backend, guint major, guint minor, const char *message,
                 gpointer user_data)
{
  Ovpn3Session *self = user_data;

  self->status_major = major;
  self->status_minor = minor;
  g_free(self->status_message);
  self->status_message = g_strdup(message);
  /* during the start the manager decides (it fails the NewTunnel) */
  if (self->state == STATE_LIVE && ovpn3_status_is_terminal(major, minor))
    ovpn3_session_schedule_close(self);
}

static void
on_status_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3Session) self = user_data;
  g_autoptr(GVariant) status = NULL;
  g_autoptr(GError) error = NULL;
  guint32 major, minor;
  const char *message;

  status = ovpn3_backend_proxy_get_property_finish(OVPN3_BACKEND_PROXY(source), result, &error);
  if (status == NULL || !g_variant_is_of_type(status, G_VARIANT_TYPE("(uus)")))
    {
      if (status == NULL)
        ovpn3_session_backend_read_failed(self, OVPN3_BACKEND_PROXY(source), "status", error);
      return;
    }
  if (OVPN3_BACKEND_PROXY(source) != self->backend)
    return;
  g_variant_get(status, "(uu&s)", &major, &minor, &message);
  on_status_change(self->backend, major, minor, message, self);
}

void
ovpn3_session_refresh_status(Ovpn3Session *self)
{
  if (self->backend != NULL && self->state == STATE_LIVE)
    ovpn3_backend_proxy_get_property_async(self->backend, "status", on_status_read,
                                           g_object_ref(self));
}

static void
on_attention_required(Ovpn3BackendProxy *backend, guint type, guint group, const char *message,
                      gpointer user_data)
{
  Ovpn3Session *self = user_data;

  /* broadcast from the session path (docs/dbus-api.md §3.2) */
  if (self->registration_id != 0)
    g_dbus_connection_emit_signal(self->connection, NULL, self->path, OVPN3_SESSIONS_INTERFACE,
                                  "AttentionRequired", g_variant_new("(uus)", type, group, message),
                                  NULL);
}

/* The backend ends a session whose login failed after CONN_AUTH_FAILED (auth-fail-retry). */
static gboolean
ended_after_failed_login(Ovpn3Session *self)
{
  return self->status_major == OVPN3_STATUS_MAJOR_CONNECTION
         && self->status_minor == OVPN3_STATUS_MINOR_CONN_AUTH_FAILED;
}

static void
on_vanished(Ovpn3BackendProxy *backend, gpointer user_data)
{
  Ovpn3Session *self = user_data;

  if (self->state == STATE_CLOSED || self->state == STATE_RESTARTING)
    return;
  if (ended_after_failed_login(self))
    {
      ovpn3_session_log(self, OVPN3_LOG_CATEGORY_INFO, "Session ended after a failed login");
      ovpn3_session_schedule_close(self);
      return;
    }
  ovpn3_session_log(self, OVPN3_LOG_CATEGORY_WARN, "Backend client %s (pid %u) is gone",
                    ovpn3_backend_proxy_get_bus_name(backend),
                    ovpn3_backend_proxy_get_pid(backend));
  /* a crash (no end reported) of a started connection: automatic-restart */
  if (self->auto_restart && self->state == STATE_LIVE && self->connect_started
      && !ovpn3_status_is_terminal(self->status_major, self->status_minor))
    {
      ovpn3_session_restart(self->manager, self);
      return;
    }
  ovpn3_session_schedule_close(self);
}

static void
detach_backend(Ovpn3Session *self)
{
  if (self->backend == NULL)
    return;
  g_signal_handlers_disconnect_by_data(self->backend, self);
  ovpn3_backend_proxy_detach(self->backend);
  g_clear_object(&self->backend);
}

void
ovpn3_session_attach_backend(Ovpn3Session *self, Ovpn3BackendProxy *backend)
{
  g_return_if_fail(self->backend == NULL);
  self->backend = g_object_ref(backend);
  g_signal_connect(backend, "status-change", G_CALLBACK(on_status_change), self);
  g_signal_connect(backend, "attention-required", G_CALLBACK(on_attention_required), self);
  g_signal_connect(backend, "vanished", G_CALLBACK(on_vanished), self);
}

/* ---- shutdown ------------------------------------------------------------ */

void
ovpn3_session_shutdown(Ovpn3Session *self, gboolean shutdown_backend, const char *reason)
{
  if (self->state == STATE_CLOSED)
    return;
  self->state = STATE_CLOSED;
  g_clear_handle_id(&self->close_idle_id, g_source_remove);

  if (self->backend != NULL)
    {
      gboolean gone = ovpn3_backend_proxy_is_gone(self->backend);

      g_signal_handlers_disconnect_by_data(self->backend, self);
      ovpn3_backend_proxy_detach(self->backend);
      if (shutdown_backend && !gone)
        ovpn3_backend_proxy_call_noreply(self->backend, "ForceShutdown", NULL);
      if (gone && !ended_after_failed_login(self))
        emit_status_to_log(self, OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_PROC_KILLED,
                           "Session closed, killed backend client");
    }
  emit_status_to_log(self, OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_PROC_STOPPED,
                     reason != NULL ? reason : "Session closed");
  /* after the final status: the log service forwards it to these proxies, then removes them
   * (the bus delivers our messages in order) */
  for (guint i = 0; i < self->log_forwards->len; i++)
    ovpn3_session_remove_log_proxy(
        self, ((LogForward *) g_ptr_array_index(self->log_forwards, i))->proxy_path);
  g_ptr_array_set_size(self->log_forwards, 0);
  if (self->registration_id != 0)
    ovpn3_exporter_unregister(self->exporter, self->registration_id);
  self->registration_id = 0;
}

/* ---- methods ----------------------------------------------------------------- */

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3Session *self = object;

  if (g_str_equal(method, "AccessGrant") || g_str_equal(method, "AccessRevoke"))
    ovpn3_session_change_access(self, method, parameters, invocation);
  else if (g_str_equal(method, "LogForward"))
    ovpn3_session_log_forward(self, caller, parameters, invocation);
  else if (ovpn3_session_is_proxied(method))
    ovpn3_session_forward(self, method, parameters, invocation);
  else
    ovpn3_invocation_return_unknown_method(invocation);
}

/* ---- properties ---------------------------------------------------------------- */

/* A floating copy: the exporter sinks what get_property returns, so a
 * value we hold a reference to goes out as a new floating one. */
static GVariant *
floating_copy(GVariant *value)
{
  g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(value);

  return g_variant_new_from_bytes(g_variant_get_type(value), bytes, FALSE);
}

Ovpn3BackendProxy *
ovpn3_session_get_readable_backend(Ovpn3Session *self)
{
  if (self->state == STATE_CLOSED || self->state == STATE_RESTARTING)
    return NULL;
  return self->backend;
}

void
ovpn3_session_backend_read_failed(Ovpn3Session *self, Ovpn3BackendProxy *backend, const char *name,
                                  const GError *error)
{
  /* only the backend the session still has (not one automatic-restart replaced) */
  if (backend == self->backend && ovpn3_backend_error_is_gone(error)
      && !ovpn3_session_may_auto_restart(self))
    ovpn3_session_schedule_close(self);
  else
    g_debug("%s: backend %s: %s", self->path, name, error->message);
}

static GVariant *
get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  Ovpn3Session *self = object;

  /* the backend-backed properties: ovpn3_session_get_property_async */
  if (g_str_equal(name, "owner"))
    return g_variant_new_uint32(self->acl.owner);
  if (g_str_equal(name, "acl"))
    return ovpn3_acl_to_variant(&self->acl);
  if (g_str_equal(name, "public_access"))
    return g_variant_new_boolean(self->acl.public_access);
  if (g_str_equal(name, "restrict_log_access"))
    return g_variant_new_boolean(self->restrict_log_access);
  if (g_str_equal(name, "session_created"))
    return g_variant_new_uint64(self->created);
  if (g_str_equal(name, "config_path"))
    return g_variant_new_object_path(self->config_path);
  if (g_str_equal(name, "config_name"))
    return g_variant_new_string(self->config_name);
  if (g_str_equal(name, "backend_pid"))
    return g_variant_new_uint32(self->backend != NULL ? ovpn3_backend_proxy_get_pid(self->backend)
                                                      : 0);
  if (g_str_equal(name, "status"))
    return g_variant_new("(uus)", self->status_major, self->status_minor, self->status_message);
  if (g_str_equal(name, "last_log"))
    return floating_copy(self->last_log);
  if (g_str_equal(name, "dco"))
    return g_variant_new_boolean(FALSE);
  if (g_str_equal(name, "log_forwards"))
    return ovpn3_session_log_forwards_variant(self);
  if (g_str_equal(name, "log_verbosity"))
    return g_variant_new_uint32(self->log_verbosity);

  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

static gboolean
set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
             GError **error)
{
  Ovpn3Session *self = object;

  if (g_str_equal(name, "public_access") || g_str_equal(name, "restrict_log_access"))
    {
      if (g_str_equal(name, "public_access"))
        self->acl.public_access = g_variant_get_boolean(value);
      else
        self->restrict_log_access = g_variant_get_boolean(value);
      ovpn3_session_manager_save_state(self->manager);
    }
  else if (g_str_equal(name, "dco"))
    {
      if (self->connect_started)
        {
          g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, TEXT_DCO_LOCKED);
          return FALSE;
        }
      if (g_variant_get_boolean(value))
        {
          g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, TEXT_DCO_UNSUPPORTED);
          return FALSE;
        }
    }
  else if (g_str_equal(name, "log_verbosity"))
    {
      guint32 level = g_variant_get_uint32(value);

      if (level > OVPN3_LOG_LEVEL_MAX)
        {
          g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Incorrect log level");
          return FALSE;
        }
      self->log_verbosity = level;
      if (self->backend != NULL && self->state != STATE_CLOSED)
        ovpn3_backend_proxy_set_property(self->backend, "log_level", g_variant_new_uint32(level));
    }
  else
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                  "Property “%s” is read-only", name);
      return FALSE;
    }
  return TRUE;
}

static const Ovpn3ExportedVTable vtable = {
  .method_call = method_call,
  .get_property = get_property,
  .get_property_async = ovpn3_session_get_property_async,
  .set_property = set_property,
  .access = &ovpn3_session_access,
  .access_check = ovpn3_session_access_check,
};

gboolean
ovpn3_session_export(Ovpn3Session *self, Ovpn3Exporter *exporter, GError **error)
{
  self->exporter = exporter;
  self->registration_id = ovpn3_exporter_register(exporter, self->path, OVPN3_XML_SESSION_OBJECT,
                                                  &vtable, self, error);
  return self->registration_id != 0;
}
