#define G_LOG_DOMAIN "ovpn3-session-manager"

#include "config.h"

#include <string.h>

#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-polkit.h"
#include "ovpn3-quota.h"
#include "ovpn3-rate-limit.h"
#include "session-backend-proxy.h"
#include "session-lookup.h"
#include "session-manager.h"
#include "session-properties.h"
#include "session-start-policy.h"

#define TEXT_START_FAILED   "Could not start the VPN client"
#define TEXT_DUPLICATE      "A session with this configuration profile is already running"
#define TEXT_CONFIG_DENIED  "Access to the configuration profile is denied."
#define RESTART_MAX_TRIES   10
#define RESTART_MAX_DELAY_S 768

struct _Ovpn3SessionManager
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx; /* not owned */
  guint registration_id;
  guint registration_subscription;
  GHashTable *sessions;     /* path → Ovpn3Session, starting ones included */
  GHashTable *starts;       /* token → StartCall */
  Ovpn3RateLimit *refusals; /* what anyone can make us log: forged registrations */
};

G_DEFINE_TYPE(Ovpn3SessionManager, ovpn3_session_manager, G_TYPE_OBJECT)

/* One NewTunnel call, from the profile check to SESS_CREATED.
 * Reference-counted (g_rc_box): the starts table and each pending
 * asynchronous step hold a reference; `done` is set once it answered. */
typedef struct
{
  Ovpn3SessionManager *self; /* owned */
  GDBusMethodInvocation *invocation;
  Ovpn3Caller *caller;
  char *config_path;
  char *config_name;
  guint32 config_owner;
  gboolean transfer_owner;
  gboolean auto_restart;
  gboolean dns_scope_global; /* the dns-scope override */
  gboolean host_wide;        /* the caller's start-host-wide answer (session-start-policy.c) */
  gboolean host_wide_asking; /* … still on its way: RegistrationConfirmation waits for it */
  gboolean attach_waiting;   /* a registration passed and waits for that answer */
  gboolean restart;          /* automatic-restart of a live session: no invocation */
  char *token;
  Ovpn3Session *session;
  guint timeout_id;
  gboolean registered;   /* a RegistrationRequest passed every check */
  guint32 started_pid;   /* what StartClient returned; 0 until it did */
  GPtrArray *candidates; /* Registrant*: checked, waiting for started_pid */
  char *backend_unique;
  char *backend_bus_name;
  guint32 backend_pid;
  gboolean done;
} StartCall;

static void
start_call_clear(StartCall *call)
{
  g_clear_handle_id(&call->timeout_id, g_source_remove);
  g_object_unref(call->self);
  ovpn3_caller_free(call->caller);
  g_free(call->config_path);
  g_free(call->config_name);
  g_free(call->token);
  g_clear_object(&call->session);
  g_free(call->backend_unique);
  g_free(call->backend_bus_name);
  g_clear_pointer(&call->candidates, g_ptr_array_unref);
}

static StartCall *
start_call_ref(StartCall *call)
{
  return g_rc_box_acquire(call);
}

static void
start_call_unref(StartCall *call)
{
  g_rc_box_release_full(call, (GDestroyNotify) start_call_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(StartCall, start_call_unref)

static void
ovpn3_session_manager_dispose(GObject *object)
{
  Ovpn3SessionManager *self = OVPN3_SESSION_MANAGER(object);

  if (self->registration_subscription != 0)
    g_dbus_connection_signal_unsubscribe(self->ctx->connection, self->registration_subscription);
  self->registration_subscription = 0;
  if (self->registration_id != 0)
    ovpn3_exporter_unregister(self->ctx->exporter, self->registration_id);
  self->registration_id = 0;
  g_hash_table_remove_all(self->starts);
  g_hash_table_remove_all(self->sessions);
  G_OBJECT_CLASS(ovpn3_session_manager_parent_class)->dispose(object);
}

static void
ovpn3_session_manager_finalize(GObject *object)
{
  Ovpn3SessionManager *self = OVPN3_SESSION_MANAGER(object);

  g_hash_table_unref(self->starts);
  g_hash_table_unref(self->sessions);
  ovpn3_rate_limit_free(self->refusals);
  G_OBJECT_CLASS(ovpn3_session_manager_parent_class)->finalize(object);
}

static void
ovpn3_session_manager_class_init(Ovpn3SessionManagerClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_session_manager_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_session_manager_finalize;
}

static void
ovpn3_session_manager_init(Ovpn3SessionManager *self)
{
  self->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
  self->starts
      = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) start_call_unref);
  /* one line per sender and minute, 20 a minute in all */
  self->refusals = ovpn3_rate_limit_new(60 * G_USEC_PER_SEC, 20);
}

Ovpn3ServiceContext *
ovpn3_session_manager_get_context(Ovpn3SessionManager *self)
{
  return self->ctx;
}

static void G_GNUC_PRINTF(3, 4)
    manager_log(Ovpn3SessionManager *self, guint category, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  if (self->ctx->log != NULL)
    ovpn3_log_client_log(self->ctx->log, category, "%s", message);
  else
    g_message("%s", message);
}

static void
emit_event(Ovpn3SessionManager *self, const char *path, Ovpn3SessionEventType type, guint32 owner)
{
  g_autoptr(GError) error = NULL;

  if (!g_dbus_connection_emit_signal(self->ctx->connection, NULL, OVPN3_SESSIONS_PATH,
                                     OVPN3_SESSIONS_INTERFACE, "SessionManagerEvent",
                                     g_variant_new("(oqu)", path, (guint16) type, owner), &error))
    g_warning("SessionManagerEvent: %s", error->message);
}

/* ---- ending a start ---------------------------------------------------------- */

static StartCall *
find_start_of(Ovpn3SessionManager *self, Ovpn3Session *session)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->starts);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (((StartCall *) value)->session == session)
      return value;
  return NULL;
}

static void
remove_session(Ovpn3SessionManager *self, Ovpn3Session *session, gboolean shutdown_backend,
               const char *reason)
{
  g_autoptr(Ovpn3Session) ref G_GNUC_UNUSED = g_object_ref(session);
  g_autofree char *path = g_strdup(ovpn3_session_get_path(session));
  gboolean exported = ovpn3_session_is_exported(session);

  if (!g_hash_table_remove(self->sessions, path))
    return;
  ovpn3_session_shutdown(session, shutdown_backend, reason);
  ovpn3_idle_release(self->ctx->idle);
  if (exported)
    emit_event(self, path, OVPN3_SESSION_EVENT_DESTROYED, ovpn3_session_get_owner(session));
  manager_log(self, OVPN3_LOG_CATEGORY_INFO, "Session %s removed (%s)", path,
              reason != NULL ? reason : "closed");
}

/* Ends a start that is still waiting: out of the table, no more timer. */
static void
start_finish(StartCall *call)
{
  call->done = TRUE;
  g_clear_handle_id(&call->timeout_id, g_source_remove);
  /* candidates hold references to the call */
  if (call->candidates != NULL)
    g_ptr_array_set_size(call->candidates, 0);
  if (call->token != NULL)
    g_hash_table_remove(call->self->starts, call->token);
}

static void
start_fail(StartCall *call, const char *why)
{
  Ovpn3SessionManager *self = call->self;
  g_autoptr(StartCall) ref G_GNUC_UNUSED = NULL;

  if (call->done)
    return;
  ref = start_call_ref(call);
  start_finish(call);
  if (call->restart)
    {
      ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_ERROR,
                        "Could not restart the backend client: %s", why);
      /* a profile the new backend cannot use will not get better */
      if (call->registered)
        remove_session(self, call->session, TRUE, "Backend client could not be restarted");
      else
        ovpn3_session_manager_restart(self, call->session);
      return;
    }
  manager_log(self, OVPN3_LOG_CATEGORY_ERROR, "Could not start a session for %s (UID %u): %s",
              call->config_path, call->caller->uid, why);
  if (call->session != NULL)
    remove_session(self, call->session, TRUE, "Session start failed");
  g_dbus_method_invocation_return_error(call->invocation, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                                        "%s: %s", TEXT_START_FAILED, why);
}

static void restart_connect(StartCall *call);

static void
start_succeed(StartCall *call)
{
  Ovpn3SessionManager *self = call->self;
  g_autoptr(StartCall) ref G_GNUC_UNUSED = start_call_ref(call);
  const char *path = ovpn3_session_get_path(call->session);

  start_finish(call);
  ovpn3_session_set_live(call->session);
  if (call->restart)
    {
      ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_INFO, "Backend client restarted (pid %u)",
                        call->backend_pid);
      restart_connect(call);
      return;
    }
  manager_log(self, OVPN3_LOG_CATEGORY_INFO, "Session %s started for %s (owner %u, backend %s)",
              path, call->config_path, ovpn3_session_get_owner(call->session),
              call->backend_bus_name);
  ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_INFO, "Session started (backend pid %u)",
                    call->backend_pid);
  /* SESS_CREATED first, then the reply (docs/architecture.md §2) */
  emit_event(self, path, OVPN3_SESSION_EVENT_CREATED, ovpn3_session_get_owner(call->session));
  g_dbus_method_invocation_return_value(call->invocation, g_variant_new("(o)", path));
}

void
ovpn3_session_manager_close(Ovpn3SessionManager *self, Ovpn3Session *session,
                            gboolean shutdown_backend, const char *reason)
{
  StartCall *call = find_start_of(self, session);

  if (call != NULL && !call->done && call->restart)
    {
      /* closed while a restart was pending: no further attempt */
      g_autoptr(StartCall) ref G_GNUC_UNUSED = start_call_ref(call);

      start_finish(call);
    }
  else if (call != NULL && !call->done)
    {
      start_fail(call, "the backend client went away during the start");
      return;
    }
  remove_session(self, session, shutdown_backend, reason);
}

static gboolean
on_start_timeout(gpointer user_data)
{
  StartCall *call = user_data;

  call->timeout_id = 0;
  start_fail(call, "the backend client did not register in time");
  return G_SOURCE_REMOVE;
}

/* ---- registration ---------------------------------------------------------------- */

static void
on_registration_confirmed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 major, minor;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (call->done)
    return;
  if (reply == NULL)
    {
      g_autofree char *why = NULL;

      /* the backend's own words (e.g. no engine uid free), without the
       * GDBus.Error:name: prefixes */
      while (g_dbus_error_strip_remote_error(error))
        ;
      why = g_strdup_printf("the backend client refused the session: %s", error->message);
      start_fail(call, why);
      return;
    }
  ovpn3_session_get_status(call->session, &major, &minor);
  if (ovpn3_status_is_terminal(major, minor))
    {
      start_fail(call, "the backend client reported an error while reading the profile");
      return;
    }
  if (*ovpn3_session_get_config_name(call->session) == '\0')
    {
      const char *name;

      g_variant_get(reply, "(&s)", &name);
      ovpn3_session_set_config_name(call->session, name);
    }
  start_succeed(call);
}

static void
attach_backend(StartCall *call)
{
  Ovpn3SessionManager *self = call->self;
  g_autoptr(Ovpn3BackendProxy) backend = NULL;
  g_autoptr(GError) error = NULL;
  gboolean host_wide;

  if (call->host_wide_asking)
    {
      /* the backend must know it before it can connect */
      call->attach_waiting = TRUE;
      return;
    }
  backend = ovpn3_backend_proxy_new(self->ctx->connection, call->backend_unique,
                                    call->backend_bus_name, call->backend_pid);
  ovpn3_session_attach_backend(call->session, backend);
  /* the object exists before the backend learns its path */
  if (!call->restart && !ovpn3_session_export(call->session, self->ctx->exporter, &error))
    {
      start_fail(call, error->message);
      return;
    }
  /* before RegistrationConfirmation, on the same connection: the backend has it before it
   * can connect (docs/security.md §6) */
  host_wide = ovpn3_session_get_host_wide(call->session);
  ovpn3_backend_proxy_set_property(backend, "host_wide", g_variant_new_boolean(host_wide));
  ovpn3_backend_proxy_call(
      backend, "RegistrationConfirmation",
      g_variant_new("(soo)", call->token, ovpn3_session_get_path(call->session), call->config_path),
      G_VARIANT_TYPE("(s)"), NULL, on_registration_confirmed, start_call_ref(call));
}

/* A RegistrationRequest being checked. Anyone can send one (it is a signal);
 * only the process StartClient started, as the service user, owning the
 * bus name it claims, is accepted (docs/security.md §5). */
typedef struct
{
  StartCall *call; /* owned reference */
  char *unique;
  char *bus_name;
  guint32 pid;
} Registrant;

static void
registrant_free(Registrant *r)
{
  start_call_unref(r->call);
  g_free(r->unique);
  g_free(r->bus_name);
  g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Registrant, registrant_free)

static void G_GNUC_PRINTF(3, 4)
    refuse_registration(Ovpn3SessionManager *self, const char *sender, const char *format, ...)
{
  g_autofree char *why = NULL;
  guint suppressed = 0;
  va_list args;

  if (!ovpn3_rate_limit_allow(self->refusals, sender, &suppressed))
    return;
  va_start(args, format);
  why = g_strdup_vprintf(format, args);
  va_end(args);
  if (suppressed > 0)
    manager_log(self, OVPN3_LOG_CATEGORY_WARN,
                "Ignoring a RegistrationRequest from %s: %s (%u more refused since, not logged)",
                sender, why, suppressed);
  else
    manager_log(self, OVPN3_LOG_CATEGORY_WARN, "Ignoring a RegistrationRequest from %s: %s", sender,
                why);
}

static gboolean
registration_open(StartCall *call)
{
  return !call->done && !call->registered;
}

static void
on_registrant_owner(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Registrant) r = user_data;
  StartCall *call = r->call;
  g_autoptr(GVariant) reply = NULL;
  const char *owner = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, NULL);
  if (!registration_open(call))
    return;
  if (reply != NULL)
    g_variant_get(reply, "(&s)", &owner);
  if (g_strcmp0(owner, r->unique) != 0)
    {
      refuse_registration(call->self, r->unique, "it does not own %s", r->bus_name);
      return;
    }
  call->registered = TRUE;
  g_free(call->backend_unique);
  call->backend_unique = g_strdup(r->unique);
  g_free(call->backend_bus_name);
  call->backend_bus_name = g_strdup(r->bus_name);
  call->backend_pid = r->pid;
  attach_backend(call);
}

/* The last check, once StartClient told the PID it started. */
static void
check_started(Registrant *r)
{
  StartCall *call = r->call;

  if (r->pid != call->started_pid)
    {
      refuse_registration(call->self, r->unique,
                          "pid %u is not the backend client started for it (pid %u)", r->pid,
                          call->started_pid);
      registrant_free(r);
      return;
    }
  g_dbus_connection_call(call->self->ctx->connection, DBUS_NAME_BUS, DBUS_PATH_BUS,
                         DBUS_INTERFACE_BUS, "GetNameOwner", g_variant_new("(s)", r->bus_name),
                         G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                         on_registrant_owner, r);
}

static void
on_registrant_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Registrant) r = user_data;
  StartCall *call = r->call;
  g_autoptr(Ovpn3Caller) registrant = NULL;
  g_autoptr(GError) error = NULL;

  registrant = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, &error);
  if (!registration_open(call))
    return;
  if (registrant == NULL || !ovpn3_uid_is_service_user(registrant->uid)
      || registrant->pid != r->pid)
    {
      refuse_registration(call->self, r->unique, "not the backend client it claims to be");
      return;
    }
  if (call->started_pid != 0)
    {
      check_started(g_steal_pointer(&r));
      return;
    }
  /* the client was quicker than StartClient's reply: wait for the PID */
  if (call->candidates->len >= 4)
    {
      refuse_registration(call->self, r->unique, "too many registrations for one start");
      return;
    }
  g_ptr_array_add(call->candidates, g_steal_pointer(&r));
}

static void
on_registration_request(GDBusConnection *connection, const char *sender_name,
                        const char *object_path, const char *interface_name,
                        const char *signal_name, GVariant *parameters, gpointer user_data)
{
  Ovpn3SessionManager *self = user_data;
  const char *bus_name, *token;
  gint32 pid;
  StartCall *call;
  Registrant *r;
  g_autofree char *expected = NULL;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssi)")) || sender_name == NULL)
    return;
  g_variant_get(parameters, "(&s&si)", &bus_name, &token, &pid);
  call = g_hash_table_lookup(self->starts, token);
  if (call == NULL || !registration_open(call))
    {
      refuse_registration(self, sender_name, "unknown or used token");
      return;
    }
  expected = g_strdup_printf(OVPN3_BACKEND_BUS_NAME_PREFIX "%d", pid);
  if (pid <= 0 || !g_str_equal(bus_name, expected))
    {
      refuse_registration(self, sender_name, "bus name does not match pid %d", pid);
      return;
    }
  /* nothing is marked before every check passed: a forged request cannot
   * make the real one be ignored */
  r = g_new0(Registrant, 1);
  r->call = start_call_ref(call);
  r->unique = g_strdup(sender_name);
  r->bus_name = g_strdup(bus_name);
  r->pid = (guint32) pid;
  ovpn3_credentials_lookup_async(self->ctx->credentials, sender_name, NULL, on_registrant_known, r);
}

/* ---- NewTunnel ---------------------------------------------------------------------- */

static void
on_start_client(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (call->done)
    return;
  if (reply == NULL)
    {
      g_autofree char *why = NULL;

      while (g_dbus_error_strip_remote_error(error))
        ;
      why = g_strdup_printf("the backend starter failed: %s", error->message);

      start_fail(call, why);
      return;
    }
  /* registrations are accepted from this process only */
  g_variant_get(reply, "(u)", &call->started_pid);
  g_debug("backend client for %s started (pid %u)", call->token, call->started_pid);
  for (guint i = 0; call->candidates != NULL && i < call->candidates->len; i++)
    check_started(g_steal_pointer(&g_ptr_array_index(call->candidates, i)));
  if (call->candidates != NULL)
    g_ptr_array_set_size(call->candidates, 0);
}

static void
call_start_client(StartCall *call)
{
  Ovpn3SessionManager *self = call->self;

  call->timeout_id = g_timeout_add_seconds(OVPN3_SESSION_START_TIMEOUT_S, on_start_timeout, call);
  call->started_pid = 0;
  if (call->candidates == NULL)
    call->candidates = g_ptr_array_new_with_free_func((GDestroyNotify) registrant_free);
  g_ptr_array_set_size(call->candidates, 0);
  g_dbus_connection_call(self->ctx->connection, OVPN3_BACKENDS_BUS_NAME, OVPN3_BACKENDS_PATH,
                         OVPN3_BACKENDS_INTERFACE, "StartClient", g_variant_new("(s)", call->token),
                         G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE,
                         OVPN3_SESSION_START_TIMEOUT_S * 1000, NULL, on_start_client,
                         start_call_ref(call));
}

/* ---- automatic-restart=on-failure ------------------------------------------------- */

static void
on_restart_connect(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_WARN,
                      "Automatic restart: Connect failed: %s", error->message);
}

static void
on_restart_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  Ovpn3BackendProxy *backend = ovpn3_session_get_backend(call->session);

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      /* e.g. credentials: the new backend asked for them (AttentionRequired) */
      ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_INFO,
                        "Automatic restart: not ready to connect: %s", error->message);
      return;
    }
  if (backend == NULL || !ovpn3_session_is_live(call->session))
    return;
  ovpn3_session_mark_connect_started(call->session);
  ovpn3_backend_proxy_call(backend, "Connect", NULL, G_VARIANT_TYPE_UNIT, NULL, on_restart_connect,
                           start_call_ref(call));
}

/* Ready, then Connect on the new backend (docs/dbus-api.md §7.4). */
static void
restart_connect(StartCall *call)
{
  Ovpn3BackendProxy *backend = ovpn3_session_get_backend(call->session);

  if (backend != NULL)
    ovpn3_backend_proxy_call(backend, "Ready", NULL, G_VARIANT_TYPE_UNIT, NULL, on_restart_ready,
                             start_call_ref(call));
}

static gboolean
on_restart_due(gpointer user_data)
{
  StartCall *call = user_data;

  call->timeout_id = 0;
  ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_INFO, "Restarting the backend client");
  call_start_client(call);
  return G_SOURCE_REMOVE;
}

void
ovpn3_session_manager_restart(Ovpn3SessionManager *self, Ovpn3Session *session)
{
  StartCall *call;
  guint n, delay;

  if (!g_hash_table_contains(self->sessions, ovpn3_session_get_path(session)))
    return;
  n = ovpn3_session_begin_restart(session);
  if (n > RESTART_MAX_TRIES)
    {
      remove_session(self, session, FALSE, "Backend client failed too often");
      return;
    }
  delay = n >= 9 ? RESTART_MAX_DELAY_S : MIN(3u << (n - 1), (guint) RESTART_MAX_DELAY_S);
  ovpn3_session_log(session, OVPN3_LOG_CATEGORY_WARN,
                    "Backend client crashed; restart %u of %u in %u s", n, RESTART_MAX_TRIES,
                    delay);
  call = g_rc_box_new0(StartCall);
  call->self = g_object_ref(self);
  call->restart = TRUE;
  call->config_path = g_strdup(ovpn3_session_get_config_path(session));
  call->session = g_object_ref(session);
  call->token = ovpn3_object_id_new(OVPN3_ID_SEP_TOKEN);
  g_hash_table_insert(self->starts, call->token, call);
  call->timeout_id = g_timeout_add_seconds(delay, on_restart_due, call);
}

/* ---- NewTunnel (continued) ------------------------------------------------------- */

static gboolean
is_duplicate(Ovpn3SessionManager *self, const char *config_path, guint32 uid)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(ovpn3_session_get_config_path(value), config_path)
        && ovpn3_session_is_shared_with(value, uid))
      return TRUE;
  return FALSE;
}

static guint
count_owned(Ovpn3SessionManager *self, guint32 uid)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init(&iter, self->sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (ovpn3_session_get_owner(value) == uid)
      n++;
  return n;
}

static void
start_backend(StartCall *call)
{
  Ovpn3SessionManager *self = call->self;
  g_autofree char *path = NULL;
  guint32 uid = call->caller->uid;
  guint32 owner;

  if (is_duplicate(self, call->config_path, uid))
    {
      call->done = TRUE;
      g_dbus_method_invocation_return_error_literal(call->invocation, OVPN3_ERROR_GDBUSPP,
                                                    OVPN3_ERROR_FAILED, TEXT_DUPLICATE);
      return;
    }
  /* docs/security.md §7: as many sessions per owner as netcfg gives devices */
  owner = call->transfer_owner ? call->config_owner : uid;
  if (owner != 0 && count_owned(self, owner) >= OVPN3_QUOTA_SESSIONS_PER_USER)
    {
      call->done = TRUE;
      g_dbus_method_invocation_return_error(
          call->invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
          "Too many sessions: UID %u already has %d, the per-user limit", owner,
          OVPN3_QUOTA_SESSIONS_PER_USER);
      return;
    }
  if (g_hash_table_size(self->sessions) >= OVPN3_QUOTA_SESSIONS_TOTAL)
    {
      call->done = TRUE;
      g_dbus_method_invocation_return_error(
          call->invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
          "Too many sessions: %d are running, the limit for all users together",
          OVPN3_QUOTA_SESSIONS_TOTAL);
      return;
    }

  path = ovpn3_object_path_new(OVPN3_SESSIONS_PATH_PREFIX, OVPN3_ID_SEP_SESSION);
  call->token = ovpn3_object_id_new(OVPN3_ID_SEP_TOKEN);
  call->session = ovpn3_session_new(self, path, call->config_path, call->config_name, uid);
  if (call->transfer_owner && call->config_owner != uid)
    ovpn3_session_transfer_owner(call->session, call->config_owner, uid);
  ovpn3_session_set_auto_restart(call->session, call->auto_restart);
  ovpn3_session_set_host_wide(call->session, call->host_wide);
  g_hash_table_insert(self->sessions, g_strdup(path), g_object_ref(call->session));
  g_hash_table_insert(self->starts, call->token, start_call_ref(call));
  ovpn3_idle_hold(self->ctx->idle);
  manager_log(self, OVPN3_LOG_CATEGORY_VERB1, "Starting a backend client for %s (UID %u)",
              call->config_path, uid);
  call_start_client(call);
}

/* ---- what the profile asks of the host and the engine (session-start-policy.c) ---------- */

static void
on_host_wide_answer(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;

  call->host_wide = ovpn3_start_policy_ask_host_wide_finish(result);
  call->host_wide_asking = FALSE;
  manager_log(call->self, OVPN3_LOG_CATEGORY_INFO,
              "UID %u %s take the host's default route or global DNS from the server of %s",
              call->caller->uid, call->host_wide ? "may" : "may not", call->config_path);
  if (call->session != NULL)
    ovpn3_session_set_host_wide(call->session, call->host_wide);
  if (call->attach_waiting && !call->done)
    {
      call->attach_waiting = FALSE;
      attach_backend(call);
    }
}

static void
on_profile_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  gboolean ask_later = FALSE;

  if (!ovpn3_start_policy_check_finish(result, &call->host_wide, &ask_later, &note, &error))
    {
      call->done = TRUE;
      g_dbus_method_invocation_return_gerror(call->invocation, error);
      return;
    }
  if (note != NULL)
    manager_log(call->self, OVPN3_LOG_CATEGORY_INFO, "%s", note);
  if (ask_later)
    {
      /* asked while the backend starts: off the critical path */
      call->host_wide_asking = TRUE;
      ovpn3_start_policy_ask_host_wide_async(call->caller, on_host_wide_answer,
                                             start_call_ref(call));
    }
  start_backend(call);
}

static void
check_profile(StartCall *call)
{
  ovpn3_start_policy_check_async(call->self->ctx->connection, call->caller, call->config_path,
                                 call->dns_scope_global,
                                 ovpn3_polkit_invocation_is_interactive(call->invocation),
                                 on_profile_checked, start_call_ref(call));
}

static void
on_profile_use_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_polkit_check_finish(result, &error))
    {
      call->done = TRUE;
      ovpn3_invocation_return_access_denied(call->invocation, TEXT_CONFIG_DENIED);
      return;
    }
  check_profile(call);
}

/* The caller may use the profile if they own it, are in its acl list, it
 * is public, or they hold manage-others (root always). The service user
 * reads owner, name and transfer_owner_session (docs/dbus-api.md §3.1); acl and
 * public_access only when the configuration manager lets it. */
static void
on_profile_properties(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(StartCall) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(GVariant) acl = NULL;
  g_autoptr(GVariant) overrides = NULL;
  const char *restart = NULL;
  const char *scope = NULL;
  const char *name = "";
  gboolean public_access = FALSE;
  gboolean allowed;
  guint32 uid = call->caller->uid;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      call->done = TRUE;
      g_dbus_method_invocation_return_error(call->invocation, G_DBUS_ERROR,
                                            G_DBUS_ERROR_INVALID_ARGS,
                                            "No configuration profile at %s", call->config_path);
      return;
    }
  props = g_variant_get_child_value(reply, 0);
  if (!g_variant_lookup(props, "owner", "u", &call->config_owner))
    {
      call->done = TRUE;
      ovpn3_invocation_return_access_denied(call->invocation, TEXT_CONFIG_DENIED);
      return;
    }
  g_variant_lookup(props, "name", "&s", &name);
  call->config_name = g_strdup(name);
  g_variant_lookup(props, "transfer_owner_session", "b", &call->transfer_owner);
  g_variant_lookup(props, "public_access", "b", &public_access);
  overrides = g_variant_lookup_value(props, "overrides", G_VARIANT_TYPE_VARDICT);
  if (overrides != NULL && g_variant_lookup(overrides, "automatic-restart", "&s", &restart))
    call->auto_restart = g_str_equal(restart, "on-failure");
  if (overrides != NULL && g_variant_lookup(overrides, "dns-scope", "&s", &scope))
    call->dns_scope_global = g_str_equal(scope, OVPN3_DNS_SCOPE_GLOBAL);
  acl = g_variant_lookup_value(props, "acl", G_VARIANT_TYPE("au"));

  allowed = uid == call->config_owner || public_access;
  if (!allowed && acl != NULL)
    {
      gsize n;
      const guint32 *uids = g_variant_get_fixed_array(acl, &n, sizeof(guint32));

      for (gsize i = 0; i < n && !allowed; i++)
        allowed = uids[i] == uid;
    }
  if (allowed)
    {
      check_profile(call);
      return;
    }
  ovpn3_polkit_check_async(call->caller->sender, uid, OVPN3_POLKIT_MANAGE_OTHERS,
                           ovpn3_polkit_invocation_is_interactive(call->invocation), NULL,
                           on_profile_use_authorized, start_call_ref(call));
}

static void
handle_new_tunnel(Ovpn3SessionManager *self, const Ovpn3Caller *caller, GVariant *parameters,
                  GDBusMethodInvocation *invocation)
{
  const char *config_path;
  StartCall *call;

  g_variant_get(parameters, "(&o)", &config_path);
  if (!g_str_has_prefix(config_path, OVPN3_CONFIG_PATH_PREFIX))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "No configuration profile at %s", config_path);
      return;
    }
  call = g_rc_box_new0(StartCall);
  call->self = g_object_ref(self);
  call->invocation = invocation;
  call->caller = ovpn3_caller_copy(caller);
  call->config_path = g_strdup(config_path);
  g_dbus_connection_call(self->ctx->connection, OVPN3_CONFIG_BUS_NAME, config_path,
                         DBUS_INTERFACE_PROPS, "GetAll",
                         g_variant_new("(s)", OVPN3_CONFIG_INTERFACE), G_VARIANT_TYPE("(a{sv})"),
                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_profile_properties, call);
}

void
ovpn3_session_manager_close_all(Ovpn3SessionManager *self, const char *reason)
{
  GList *sessions = g_hash_table_get_values(self->sessions);

  g_list_foreach(sessions, (GFunc) (void (*)(void)) g_object_ref, NULL);
  for (GList *l = sessions; l != NULL; l = l->next)
    ovpn3_session_manager_close(self, l->data, TRUE, reason);
  g_list_free_full(sessions, g_object_unref);
}

/* ---- listing and lookup ------------------------------------------------------------- */

typedef enum
{
  LIST_SESSIONS,
  LIST_INTERFACES,
  LOOKUP_CONFIG_NAME,
  LOOKUP_INTERFACE,
} ListKind;

typedef struct
{
  Ovpn3SessionManager *self;
  GDBusMethodInvocation *invocation;
  Ovpn3Caller *caller;
  ListKind kind;
  char *value;
  GPtrArray *found; /* the interface lookups: the sessions asked */
} ListCall;

static void
list_call_free(ListCall *call)
{
  g_object_unref(call->self);
  ovpn3_caller_free(call->caller);
  g_free(call->value);
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
      if (call->kind == LOOKUP_INTERFACE && g_str_equal(names[i], call->value))
        {
          match = ovpn3_session_get_path(g_ptr_array_index(call->found, i));
          n++;
        }
    }
  if (call->kind == LIST_INTERFACES)
    g_dbus_method_invocation_return_value(call->invocation, g_variant_new("(as)", &b));
  else
    {
      g_variant_builder_clear(&b);
      if (n == 0)
        g_dbus_method_invocation_return_error_literal(call->invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED, "Interface not found");
      else if (n > 1)
        g_dbus_method_invocation_return_error_literal(call->invocation, OVPN3_ERROR_GDBUSPP,
                                                      OVPN3_ERROR_FAILED,
                                                      "More than one interface found");
      else
        g_dbus_method_invocation_return_value(call->invocation, g_variant_new("(o)", match));
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

  g_hash_table_iter_init(&iter, call->self->sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Ovpn3Session *session = value;

      if (!ovpn3_session_is_live(session))
        continue;
      if (!admin && !ovpn3_session_is_visible_to(session, call->caller->uid))
        continue;
      if (call->kind == LOOKUP_CONFIG_NAME
          && !g_str_equal(ovpn3_session_get_config_name(session), call->value))
        continue;
      g_ptr_array_add(found, g_object_ref(session));
    }
  g_ptr_array_sort(found, compare_paths);

  switch (call->kind)
    {
      case LIST_SESSIONS:
      case LOOKUP_CONFIG_NAME:
        g_variant_builder_init(&b, G_VARIANT_TYPE("ao"));
        for (guint i = 0; i < found->len; i++)
          g_variant_builder_add(&b, "o", ovpn3_session_get_path(g_ptr_array_index(found, i)));
        g_dbus_method_invocation_return_value(call->invocation, g_variant_new("(ao)", &b));
        return;
      case LIST_INTERFACES:
      case LOOKUP_INTERFACE:
        /* every session's backend at once, none blocking the others */
        call->found = g_steal_pointer(&found);
        ovpn3_sessions_get_device_names_async(call->found, on_device_names, g_steal_pointer(&call));
        return;
    }
}

static void
handle_list(Ovpn3SessionManager *self, const Ovpn3Caller *caller, ListKind kind,
            GVariant *parameters, GDBusMethodInvocation *invocation)
{
  ListCall *call = g_new0(ListCall, 1);

  call->self = g_object_ref(self);
  call->invocation = invocation;
  call->caller = ovpn3_caller_copy(caller);
  call->kind = kind;
  if (kind == LOOKUP_CONFIG_NAME || kind == LOOKUP_INTERFACE)
    g_variant_get(parameters, "(s)", &call->value);
  /* other users' sessions only for callers who already hold
   * manage-others; a listing never prompts (docs/security.md §6) */
  ovpn3_polkit_check_async(caller->sender, caller->uid, OVPN3_POLKIT_MANAGE_OTHERS, FALSE, NULL,
                           on_list_authorized, call);
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3SessionManager *self = object;

  if (g_str_equal(method, "NewTunnel"))
    handle_new_tunnel(self, caller, parameters, invocation);
  else if (g_str_equal(method, "FetchAvailableSessions"))
    handle_list(self, caller, LIST_SESSIONS, parameters, invocation);
  else if (g_str_equal(method, "FetchManagedInterfaces"))
    handle_list(self, caller, LIST_INTERFACES, parameters, invocation);
  else if (g_str_equal(method, "LookupConfigName"))
    handle_list(self, caller, LOOKUP_CONFIG_NAME, parameters, invocation);
  else if (g_str_equal(method, "LookupInterface"))
    handle_list(self, caller, LOOKUP_INTERFACE, parameters, invocation);
  else if (g_str_equal(method, "LookupBackend"))
    ovpn3_session_lookup_backend(self->sessions, caller, parameters, invocation);
  else
    ovpn3_invocation_return_unknown_method(invocation);
}

static GVariant *
get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  return ovpn3_manager_get_common_property(name, error);
}

/* Everyone may start and list; NewTunnel then decides on the profile it
 * names (its ACL, then manage-others with the caller's interactive flag),
 * the lists show what each caller may see (manage-others without
 * interaction). LookupBackend is for the services (docs/security.md §5). */
static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "NewTunnel", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "FetchAvailableSessions", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "FetchManagedInterfaces", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupConfigName", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupInterface", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupBackend", OVPN3_ACCESS_SERVICE_USER,
    "Access denied: LookupBackend is for the services of ovpn3 only" },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
};

const Ovpn3AccessTable ovpn3_session_manager_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_SESSIONS_MANAGER, "Access denied", access_rows);

static const Ovpn3ExportedVTable manager_vtable = {
  .method_call = method_call,
  .get_property = get_property,
  .access = &ovpn3_session_manager_access,
};

Ovpn3SessionManager *
ovpn3_session_manager_new(Ovpn3ServiceContext *ctx, GError **error)
{
  g_autoptr(Ovpn3SessionManager) self = g_object_new(OVPN3_TYPE_SESSION_MANAGER, NULL);

  self->ctx = ctx;
  /* sent only to our unique name; matched on the token */
  self->registration_subscription = g_dbus_connection_signal_subscribe(
      ctx->connection, NULL, OVPN3_BACKENDS_INTERFACE, "RegistrationRequest",
      OVPN3_BACKEND_SESSION_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_registration_request, self,
      NULL);
  self->registration_id = ovpn3_exporter_register(
      ctx->exporter, OVPN3_SESSIONS_PATH, OVPN3_XML_SESSIONS_MANAGER, &manager_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  return g_steal_pointer(&self);
}
