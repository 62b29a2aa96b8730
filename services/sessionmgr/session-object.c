#define G_LOG_DOMAIN "ovpn3-session-object"

#include "config.h"

#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-log-client.h"
#include "ovpn3-names.h"
#include "session-manager.h"
#include "session-object.h"
#include "session-properties.h"

/* upstream's openvpn2 and openvpn3-autoload look for TEXT_BACKEND_DIED and
 * TEXT_NOT_READY (tests/compat/README.md) */
#define TEXT_ACCESS_DENIED   "Access denied"
#define TEXT_NO_BACKEND      "Backend VPN process did not respond"
#define TEXT_BACKEND_DIED    "Backend VPN process has died"
#define TEXT_NOT_READY       "Backend VPN process is not ready: it is being restarted"
#define TEXT_DCO_UNSUPPORTED "DCO mode is not available: ovpn3 runs OpenVPN 2 on a tun device"
#define TEXT_DCO_LOCKED      "DCO mode cannot be changed now"
#define MAX_ACL              64
#define MAX_LOG_FORWARDS     64

typedef enum
{
  STATE_STARTING,
  STATE_LIVE,
  STATE_RESTARTING, /* automatic-restart: waiting for a new backend */
  STATE_CLOSED,
} SessionState;

/* One LogForward subscriber: its unique name and the log proxy path. */
typedef struct
{
  char *target;
  char *proxy_path;
  guint watch_id;
  Ovpn3Session *session; /* not owned */
} LogForward;

struct _Ovpn3Session
{
  GObject parent_instance;

  Ovpn3SessionManager *manager; /* not owned */
  Ovpn3Exporter *exporter;      /* not owned */
  GDBusConnection *connection;
  guint registration_id;
  SessionState state;

  char *path;
  char *config_path;
  char *config_name;
  Ovpn3Acl acl;
  gboolean restrict_log_access;
  guint64 created;
  guint32 status_major;
  guint32 status_minor;
  char *status_message;
  GVariant *last_log; /* a{sv} */
  guint32 log_verbosity;
  gboolean connect_started;

  Ovpn3BackendProxy *backend;
  gboolean auto_restart;
  gboolean host_wide; /* start-host-wide, asked at NewTunnel, for every backend */
  guint restarts;
  GPtrArray *log_forwards; /* LogForward */
  guint close_idle_id;
};

G_DEFINE_TYPE(Ovpn3Session, ovpn3_session, G_TYPE_OBJECT)

static void
log_forward_free(LogForward *fwd)
{
  if (fwd->watch_id != 0)
    g_bus_unwatch_name(fwd->watch_id);
  g_free(fwd->target);
  g_free(fwd->proxy_path);
  g_free(fwd);
}

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
  self->log_forwards = g_ptr_array_new_with_free_func((GDestroyNotify) log_forward_free);
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
static void
schedule_close(Ovpn3Session *self)
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
    schedule_close(self);
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

static void
on_vanished(Ovpn3BackendProxy *backend, gpointer user_data)
{
  Ovpn3Session *self = user_data;

  if (self->state == STATE_CLOSED || self->state == STATE_RESTARTING)
    return;
  ovpn3_session_log(self, OVPN3_LOG_CATEGORY_WARN, "Backend client %s (pid %u) is gone",
                    ovpn3_backend_proxy_get_bus_name(backend),
                    ovpn3_backend_proxy_get_pid(backend));
  /* a crash (no end reported) of a started connection: automatic-restart */
  if (self->auto_restart && self->state == STATE_LIVE && self->connect_started
      && !ovpn3_status_is_terminal(self->status_major, self->status_minor))
    {
      ovpn3_session_manager_restart(self->manager, self);
      return;
    }
  schedule_close(self);
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

static void
remove_log_proxy(Ovpn3Session *self, const char *proxy_path)
{
  g_dbus_connection_call(self->connection, OVPN3_LOG_BUS_NAME, proxy_path, OVPN3_LOG_INTERFACE,
                         "Remove", NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL,
                         NULL);
}

void
ovpn3_session_shutdown(Ovpn3Session *self, gboolean shutdown_backend, const char *reason)
{
  if (self->state == STATE_CLOSED)
    return;
  self->state = STATE_CLOSED;
  g_clear_handle_id(&self->close_idle_id, g_source_remove);

  for (guint i = 0; i < self->log_forwards->len; i++)
    remove_log_proxy(self, ((LogForward *) g_ptr_array_index(self->log_forwards, i))->proxy_path);
  g_ptr_array_set_size(self->log_forwards, 0);

  if (self->backend != NULL)
    {
      gboolean gone = ovpn3_backend_proxy_is_gone(self->backend);

      g_signal_handlers_disconnect_by_data(self->backend, self);
      ovpn3_backend_proxy_detach(self->backend);
      if (shutdown_backend && !gone)
        ovpn3_backend_proxy_call_noreply(self->backend, "ForceShutdown", NULL);
      if (gone)
        emit_status_to_log(self, OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_PROC_KILLED,
                           "Session closed, killed backend client");
    }
  emit_status_to_log(self, OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_PROC_STOPPED,
                     reason != NULL ? reason : "Session closed");
  if (self->registration_id != 0)
    ovpn3_exporter_unregister(self->exporter, self->registration_id);
  self->registration_id = 0;
}

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

static gboolean
access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit, const char *member)
{
  Ovpn3Session *self = object;

  if (bit == OVPN3_ACCESS_CUSTOM) /* LogForward */
    return !self->restrict_log_access && ovpn3_session_is_visible_to(self, caller->uid);
  return ovpn3_access_acl_says(&self->acl, caller, bit);
}

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

/* TRUE while a crash of the backend would be answered with an automatic
 * restart (the vanish watcher decides then, not a failed call). */
static gboolean
may_auto_restart(Ovpn3Session *self)
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

  if (self->state == STATE_RESTARTING || may_auto_restart(self))
    text = TEXT_NOT_READY;
  else if (timed_out && !gone)
    text = TEXT_NO_BACKEND;
  g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
                                                text);
  if (!may_auto_restart(self))
    schedule_close(self);
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

static gboolean
is_proxied(const char *method)
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

static void
forward(Ovpn3Session *self, const char *method, GVariant *parameters,
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

/* ---- LogForward ------------------------------------------------------------ */

typedef struct
{
  Ovpn3Session *self;
  GDBusMethodInvocation *invocation;
  char *target;
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
  if (reply == NULL)
    {
      ovpn3_session_log(self, OVPN3_LOG_CATEGORY_WARN, "LogForward for %s failed: %s", call->target,
                        error->message);
      ovpn3_backend_return_error(call->invocation, error);
      return;
    }
  g_variant_get(reply, "(&o)", &proxy_path);
  if (self->state == STATE_CLOSED)
    {
      remove_log_proxy(self, proxy_path);
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
  g_dbus_method_invocation_return_value(call->invocation, NULL);
}

static void
handle_log_forward(Ovpn3Session *self, const Ovpn3Caller *caller, GVariant *parameters,
                   GDBusMethodInvocation *invocation)
{
  gboolean enable;
  LogForwardCall *call;
  guint index;

  g_variant_get(parameters, "(b)", &enable);
  if (!enable)
    {
      LogForward *fwd = find_log_forward(self, caller->sender, &index);

      if (fwd != NULL)
        {
          remove_log_proxy(self, fwd->proxy_path);
          ovpn3_session_log(self, OVPN3_LOG_CATEGORY_VERB1, "Log forwarding to %s disabled",
                            caller->sender);
          g_ptr_array_remove_index(self->log_forwards, index);
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
  call = g_new0(LogForwardCall, 1);
  call->self = g_object_ref(self);
  call->invocation = invocation;
  call->target = g_strdup(caller->sender);
  g_dbus_connection_call(self->connection, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, OVPN3_LOG_INTERFACE,
                         "ProxyLogEvents", g_variant_new("(so)", caller->sender, self->path),
                         G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                         on_proxy_log_events, call);
}

/* ---- methods ----------------------------------------------------------------- */

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
      ovpn3_session_log(self, OVPN3_LOG_CATEGORY_INFO, "Access granted to UID %u", uid);
      g_dbus_method_invocation_return_value(invocation, NULL);
    }
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3Session *self = object;

  if (g_str_equal(method, "AccessGrant") || g_str_equal(method, "AccessRevoke"))
    {
      guint32 uid;
      gboolean grant = g_str_equal(method, "AccessGrant");

      g_variant_get(parameters, "(u)", &uid);
      if (grant)
        {
          /* the uid must name a user: looked up off the main loop */
          AccessGrantCall *call = g_new0(AccessGrantCall, 1);

          call->self = g_object_ref(self);
          call->invocation = invocation;
          call->uid = uid;
          ovpn3_acl_check_user_async(uid, NULL, on_grant_user_checked, call);
        }
      else if (!ovpn3_acl_revoke(&self->acl, uid))
        g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED, "UID not granted access");
      else
        {
          ovpn3_session_log(self, OVPN3_LOG_CATEGORY_INFO, "Access revoked from UID %u", uid);
          g_dbus_method_invocation_return_value(invocation, NULL);
        }
      return;
    }
  if (g_str_equal(method, "LogForward"))
    {
      handle_log_forward(self, caller, parameters, invocation);
      return;
    }
  if (!is_proxied(method))
    {
      ovpn3_invocation_return_unknown_method(invocation);
      return;
    }
  forward(self, method, parameters, invocation);
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
  if (backend == self->backend && ovpn3_backend_error_is_gone(error) && !may_auto_restart(self))
    schedule_close(self);
  else
    g_debug("%s: backend %s: %s", self->path, name, error->message);
}

static GVariant *
log_forwards_variant(Ovpn3Session *self)
{
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("ao"));
  for (guint i = 0; i < self->log_forwards->len; i++)
    g_variant_builder_add(&b, "o",
                          ((LogForward *) g_ptr_array_index(self->log_forwards, i))->proxy_path);
  return g_variant_builder_end(&b);
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
    return log_forwards_variant(self);
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

  if (g_str_equal(name, "public_access"))
    self->acl.public_access = g_variant_get_boolean(value);
  else if (g_str_equal(name, "restrict_log_access"))
    self->restrict_log_access = g_variant_get_boolean(value);
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
  .access_check = access_check,
};

gboolean
ovpn3_session_export(Ovpn3Session *self, Ovpn3Exporter *exporter, GError **error)
{
  self->exporter = exporter;
  self->registration_id = ovpn3_exporter_register(exporter, self->path, OVPN3_XML_SESSION_OBJECT,
                                                  &vtable, self, error);
  return self->registration_id != 0;
}
