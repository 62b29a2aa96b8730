#define G_LOG_DOMAIN "ovpn3-session-new-tunnel"

/* NewTunnel, top-down (docs/architecture.md §2). The steps, in the order they run:
 *  1. ovpn3_session_new_tunnel()     the path names a profile: read its properties (GetAll,
 *                                    as the service user)
 *  2. on_profile_properties()        may the caller use it: owner, acl list, public_access;
 *     on_profile_use_authorized()    else polkit manage-others (the caller's interactive flag)
 *  3. check_start_policy()           what the profile asks of the host and the engine (one
 *     on_start_policy_checked()      FetchJSON, session-start-policy.c); the host-wide answer
 *                                    of a profile that does not configure host-wide settings
 *                                    is asked meanwhile (on_host_wide_answer(); step 6 waits)
 *  4. create_session()               one live session per profile and user (one whose login
 *                                    failed gives way), the quotas, the session object (not
 *                                    exported yet) and a token
 *  5. launch_backend()               StartClient, the client's RegistrationRequest
 *     on_backend_registered()        (session-backend-start.c)
 *  6. attach_backend()               the session follows its backend and is exported
 *  7. on_backend_confirmed()         host_wide, RegistrationConfirmation
 *                                    (session-backend-start.c)
 *  8. succeed()                      the session is live: SESS_CREATED, then the reply
 * Steps 1–4 answer a refusal with its own error (refuse()). From step 5 on a failure is
 * fail(): "Could not start the VPN client: <why>", the session removed (SESS_DESTROYED if it
 * had been exported) and its backend told to shut down. Steps 5–8 are bounded by
 * OVPN3_SESSION_START_TIMEOUT_S; the session closing meanwhile (its backend gone) fails them.
 */

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-polkit.h"
#include "ovpn3-quota.h"
#include "session-new-tunnel.h"
#include "session-start-policy.h"

#define TEXT_START_FAILED  "Could not start the VPN client"
#define TEXT_DUPLICATE     "A session with this configuration profile is already running"
#define TEXT_CONFIG_DENIED "Access to the configuration profile is denied."

/* One NewTunnel call. Reference-counted (g_rc_box): each pending asynchronous step and the
 * manager's table of starts hold a reference; `done` is set once it answered. */
typedef struct
{
  Ovpn3SessionManager *manager; /* owned */
  GDBusMethodInvocation *invocation;
  Ovpn3Caller *caller;
  char *config_path;
  /* step 2: the profile's properties */
  char *config_name;
  guint32 config_owner;
  gboolean transfer_owner;
  gboolean auto_restart;
  gboolean no_reconnect;     /* the reconnect-on-network-change override is false */
  gboolean dns_scope_global; /* the dns-scope override */
  /* step 3: the caller's start-host-wide answer */
  gboolean host_wide;
  gboolean host_wide_asking; /* … still on its way: step 6 waits for it */
  /* steps 4–8 */
  Ovpn3Session *session;
  char *token;
  guint timeout_id;
  Ovpn3Registrant *registrant; /* step 5 passed */
  gboolean done;
} NewTunnel;

static void
new_tunnel_clear(NewTunnel *call)
{
  g_clear_handle_id(&call->timeout_id, g_source_remove);
  g_object_unref(call->manager);
  ovpn3_caller_free(call->caller);
  g_free(call->config_path);
  g_free(call->config_name);
  g_clear_object(&call->session);
  g_free(call->token);
  g_clear_pointer(&call->registrant, ovpn3_registrant_free);
}

static NewTunnel *
new_tunnel_ref(NewTunnel *call)
{
  return g_rc_box_acquire(call);
}

static void
new_tunnel_unref(NewTunnel *call)
{
  g_rc_box_release_full(call, (GDestroyNotify) new_tunnel_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(NewTunnel, new_tunnel_unref)

static void on_profile_properties(GObject *source, GAsyncResult *result, gpointer user_data);
static void on_profile_use_authorized(GObject *source, GAsyncResult *result, gpointer user_data);
static void check_start_policy(NewTunnel *call);
static void on_start_policy_checked(GObject *source, GAsyncResult *result, gpointer user_data);
static void on_host_wide_answer(GObject *source, GAsyncResult *result, gpointer user_data);
static void create_session(NewTunnel *call);
static void launch_backend(NewTunnel *call);
static void on_backend_registered(GObject *source, GAsyncResult *result, gpointer user_data);
static void attach_backend(NewTunnel *call);
static void on_backend_confirmed(GObject *source, GAsyncResult *result, gpointer user_data);
static void succeed(NewTunnel *call);
static void refuse(NewTunnel *call, GError *error);
static void fail(NewTunnel *call, const char *why);

static GDBusConnection *
connection_of(NewTunnel *call)
{
  return ovpn3_session_manager_get_context(call->manager)->connection;
}

/* ---- 1. the profile's properties ----------------------------------------------------- */

void
ovpn3_session_new_tunnel(Ovpn3SessionManager *manager, const Ovpn3Caller *caller,
                         GVariant *parameters, GDBusMethodInvocation *invocation)
{
  const char *config_path;
  NewTunnel *call;

  g_variant_get(parameters, "(&o)", &config_path);
  if (!g_str_has_prefix(config_path, OVPN3_CONFIG_PATH_PREFIX))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "No configuration profile at %s", config_path);
      return;
    }
  call = g_rc_box_new0(NewTunnel);
  call->manager = g_object_ref(manager);
  call->invocation = invocation;
  call->caller = ovpn3_caller_copy(caller);
  call->config_path = g_strdup(config_path);
  g_dbus_connection_call(connection_of(call), OVPN3_CONFIG_BUS_NAME, config_path,
                         DBUS_INTERFACE_PROPS, "GetAll",
                         g_variant_new("(s)", OVPN3_CONFIG_INTERFACE), G_VARIANT_TYPE("(a{sv})"),
                         G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_profile_properties, call);
}

/* ---- 2. may the caller use the profile ------------------------------------------------ */

/* The service user reads owner, name and transfer_owner_session (docs/dbus-api.md §3.1); acl
 * and public_access only when the configuration manager lets it. */
static void
read_profile_properties(NewTunnel *call, GVariant *props)
{
  g_autoptr(GVariant) overrides = NULL;
  const char *name = "";
  const char *restart = NULL;
  const char *scope = NULL;

  g_variant_lookup(props, "name", "&s", &name);
  call->config_name = g_strdup(name);
  g_variant_lookup(props, "transfer_owner_session", "b", &call->transfer_owner);
  overrides = g_variant_lookup_value(props, "overrides", G_VARIANT_TYPE_VARDICT);
  if (overrides != NULL && g_variant_lookup(overrides, "automatic-restart", "&s", &restart))
    call->auto_restart = g_str_equal(restart, "on-failure");
  if (overrides != NULL
      && g_variant_lookup(overrides, OVPN3_OVERRIDE_RECONNECT, "b", &call->no_reconnect))
    call->no_reconnect = !call->no_reconnect;
  if (overrides != NULL && g_variant_lookup(overrides, "dns-scope", "&s", &scope))
    call->dns_scope_global = g_str_equal(scope, OVPN3_DNS_SCOPE_GLOBAL);
}

/* The owner, the acl list, anyone if public. */
static gboolean
profile_admits(NewTunnel *call, GVariant *props)
{
  g_autoptr(GVariant) acl = g_variant_lookup_value(props, "acl", G_VARIANT_TYPE("au"));
  gboolean public_access = FALSE;
  const guint32 *uids;
  gsize n = 0;

  g_variant_lookup(props, "public_access", "b", &public_access);
  if (call->caller->uid == call->config_owner || public_access)
    return TRUE;
  uids = acl != NULL ? g_variant_get_fixed_array(acl, &n, sizeof(guint32)) : NULL;
  for (gsize i = 0; i < n; i++)
    if (uids[i] == call->caller->uid)
      return TRUE;
  return FALSE;
}

static void
on_profile_properties(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NewTunnel) call = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) props = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, NULL);
  if (reply == NULL)
    {
      refuse(call, g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                               "No configuration profile at %s", call->config_path));
      return;
    }
  props = g_variant_get_child_value(reply, 0);
  if (!g_variant_lookup(props, "owner", "u", &call->config_owner))
    {
      refuse(call,
             g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, TEXT_CONFIG_DENIED));
      return;
    }
  read_profile_properties(call, props);
  if (profile_admits(call, props))
    {
      check_start_policy(call);
      return;
    }
  ovpn3_polkit_check_async(call->caller->sender, call->caller->uid, OVPN3_POLKIT_MANAGE_OTHERS,
                           ovpn3_polkit_invocation_is_interactive(call->invocation), NULL,
                           on_profile_use_authorized, new_tunnel_ref(call));
}

static void
on_profile_use_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NewTunnel) call = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_polkit_check_finish(result, &error))
    {
      refuse(call,
             g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, TEXT_CONFIG_DENIED));
      return;
    }
  check_start_policy(call);
}

/* ---- 3. what the profile asks of the host and the engine (session-start-policy.c) ------- */

static void
check_start_policy(NewTunnel *call)
{
  ovpn3_start_policy_check_async(connection_of(call), call->caller, call->config_path,
                                 call->dns_scope_global,
                                 ovpn3_polkit_invocation_is_interactive(call->invocation),
                                 on_start_policy_checked, new_tunnel_ref(call));
}

static void
on_start_policy_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NewTunnel) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  gboolean ask_later = FALSE;

  if (!ovpn3_start_policy_check_finish(result, &call->host_wide, &ask_later, &note, &error))
    {
      refuse(call, g_steal_pointer(&error));
      return;
    }
  if (note != NULL)
    ovpn3_session_manager_log(call->manager, OVPN3_LOG_CATEGORY_INFO, "%s", note);
  if (ask_later)
    {
      /* asked while the backend starts: off the critical path */
      call->host_wide_asking = TRUE;
      ovpn3_start_policy_ask_host_wide_async(call->caller, on_host_wide_answer,
                                             new_tunnel_ref(call));
    }
  create_session(call);
}

static void
on_host_wide_answer(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NewTunnel) call = user_data;

  call->host_wide = ovpn3_start_policy_ask_host_wide_finish(result);
  call->host_wide_asking = FALSE;
  ovpn3_session_manager_log(
      call->manager, OVPN3_LOG_CATEGORY_INFO,
      "UID %u %s take the host's default route or global DNS from the server of %s",
      call->caller->uid, call->host_wide ? "may" : "may not", call->config_path);
  if (call->session != NULL)
    ovpn3_session_set_host_wide(call->session, call->host_wide);
  /* step 6 was waiting for it */
  if (call->registrant != NULL && !call->done)
    attach_backend(call);
}

/* ---- 4. the session object ------------------------------------------------------------- */

/* A session of the profile the caller owns or shares (starting ones included), or NULL. */
static Ovpn3Session *
find_duplicate(GHashTable *sessions, const char *config_path, guint32 uid)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(ovpn3_session_get_config_path(value), config_path)
        && ovpn3_session_is_shared_with(value, uid))
      return value;
  return NULL;
}

/* A live session of the caller's own whose last status is CONN_AUTH_FAILED gives way to the
 * new one (auth-fail-retry, README.md); one in its first prompt (CFG_REQUIRE_USER) does not. */
static gboolean
replace_failed_login(NewTunnel *call, Ovpn3Session *old)
{
  guint32 major, minor;

  ovpn3_session_get_status(old, &major, &minor);
  if (!ovpn3_session_is_live(old) || ovpn3_session_get_owner(old) != call->caller->uid
      || major != OVPN3_STATUS_MAJOR_CONNECTION || minor != OVPN3_STATUS_MINOR_CONN_AUTH_FAILED)
    return FALSE;
  ovpn3_session_manager_log(call->manager, OVPN3_LOG_CATEGORY_INFO,
                            "Ending session %s of %s: its login failed and UID %u starts a new one",
                            ovpn3_session_get_path(old), call->config_path, call->caller->uid);
  ovpn3_session_log(old, OVPN3_LOG_CATEGORY_INFO,
                    "Session ended: its login failed and a new session of the profile starts");
  ovpn3_session_manager_remove(call->manager, old, TRUE,
                               "replaced by a new session after a failed login");
  return TRUE;
}

static guint
count_owned(GHashTable *sessions, guint32 uid)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init(&iter, sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (ovpn3_session_get_owner(value) == uid)
      n++;
  return n;
}

/* NULL, or why the session may not start: one per profile and user, the quotas. */
static GError *
check_limits(NewTunnel *call)
{
  GHashTable *sessions = ovpn3_session_manager_get_sessions(call->manager);
  guint32 uid = call->caller->uid;
  /* docs/security.md §7: as many sessions per owner as netcfg gives devices */
  guint32 owner = call->transfer_owner ? call->config_owner : uid;

  Ovpn3Session *dup;

  while ((dup = find_duplicate(sessions, call->config_path, uid)) != NULL)
    if (!replace_failed_login(call, dup))
      return g_error_new_literal(OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED, TEXT_DUPLICATE);
  if (owner != 0 && count_owned(sessions, owner) >= OVPN3_QUOTA_SESSIONS_PER_USER)
    return g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                       "Too many sessions: UID %u already has %d, the per-user limit", owner,
                       OVPN3_QUOTA_SESSIONS_PER_USER);
  if (g_hash_table_size(sessions) >= OVPN3_QUOTA_SESSIONS_TOTAL)
    return g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                       "Too many sessions: %d are running, the limit for all users together",
                       OVPN3_QUOTA_SESSIONS_TOTAL);
  return NULL;
}

static void
abort_new_tunnel(gpointer start, gboolean shutdown_backend, const char *reason)
{
  fail(start, "the backend client went away during the start");
}

static void
create_session(NewTunnel *call)
{
  g_autofree char *path = NULL;
  guint32 uid = call->caller->uid;
  GError *refusal = check_limits(call);

  if (refusal != NULL)
    {
      refuse(call, refusal);
      return;
    }
  path = ovpn3_object_path_new(OVPN3_SESSIONS_PATH_PREFIX, OVPN3_ID_SEP_SESSION);
  call->token = ovpn3_object_id_new(OVPN3_ID_SEP_TOKEN);
  call->session = ovpn3_session_new(call->manager, path, call->config_path, call->config_name, uid);
  if (call->transfer_owner && call->config_owner != uid)
    ovpn3_session_transfer_owner(call->session, call->config_owner, uid);
  ovpn3_session_set_auto_restart(call->session, call->auto_restart);
  ovpn3_session_set_reconnect(call->session, !call->no_reconnect);
  ovpn3_session_set_host_wide(call->session, call->host_wide);
  ovpn3_session_manager_add(call->manager, call->session);
  ovpn3_session_manager_begin_start(call->manager, call->session, abort_new_tunnel,
                                    new_tunnel_ref(call), (GDestroyNotify) new_tunnel_unref);
  ovpn3_session_manager_log(call->manager, OVPN3_LOG_CATEGORY_VERB1,
                            "Starting a backend client for %s (UID %u)", call->config_path, uid);
  launch_backend(call);
}

/* ---- 5. the backend client: StartClient and its registration ------------------------------ */

static gboolean
on_start_timeout(gpointer user_data)
{
  NewTunnel *call = user_data;

  call->timeout_id = 0;
  fail(call, "the backend client did not register in time");
  return G_SOURCE_REMOVE;
}

static void
launch_backend(NewTunnel *call)
{
  call->timeout_id = g_timeout_add_seconds(OVPN3_SESSION_START_TIMEOUT_S, on_start_timeout, call);
  ovpn3_backend_starter_launch_async(ovpn3_session_manager_get_starter(call->manager), call->token,
                                     on_backend_registered, new_tunnel_ref(call));
}

static void
on_backend_registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NewTunnel) call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Registrant) registrant
      = ovpn3_backend_starter_launch_finish(OVPN3_BACKEND_STARTER(source), result, &error);

  if (call->done)
    return;
  if (registrant == NULL)
    {
      fail(call, error->message);
      return;
    }
  call->registrant = g_steal_pointer(&registrant);
  /* the backend must know the host-wide answer before it can connect */
  if (!call->host_wide_asking)
    attach_backend(call);
}

/* ---- 6. attach, export; 7. confirm ------------------------------------------------------ */

static void
attach_backend(NewTunnel *call)
{
  Ovpn3ServiceContext *ctx = ovpn3_session_manager_get_context(call->manager);
  g_autoptr(GError) error = NULL;

  ovpn3_backend_starter_attach(ovpn3_session_manager_get_starter(call->manager), call->session,
                               call->registrant);
  /* the object exists before the backend learns its path */
  if (!ovpn3_session_export(call->session, ctx->exporter, &error))
    {
      fail(call, error->message);
      return;
    }
  ovpn3_backend_confirm_async(call->session, call->token, on_backend_confirmed,
                              new_tunnel_ref(call));
}

static void
on_backend_confirmed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NewTunnel) call = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_backend_confirm_finish(OVPN3_SESSION(source), result, &error))
    {
      if (!call->done)
        fail(call, error->message);
      return;
    }
  if (!call->done)
    succeed(call);
}

/* ---- 8. the answer ------------------------------------------------------------------------- */

/* The start is over: no more timer, its token used up, no longer in the manager's starts. */
static void
finish(NewTunnel *call)
{
  call->done = TRUE;
  g_clear_handle_id(&call->timeout_id, g_source_remove);
  if (call->token != NULL)
    ovpn3_backend_starter_withdraw(ovpn3_session_manager_get_starter(call->manager), call->token);
  if (call->session != NULL)
    ovpn3_session_manager_end_start(call->manager, call->session);
}

static void
succeed(NewTunnel *call)
{
  g_autoptr(NewTunnel) ref G_GNUC_UNUSED = new_tunnel_ref(call);
  const char *path = ovpn3_session_get_path(call->session);
  guint32 owner = ovpn3_session_get_owner(call->session);

  finish(call);
  ovpn3_session_set_live(call->session);
  ovpn3_session_manager_log(call->manager, OVPN3_LOG_CATEGORY_INFO,
                            "Session %s started for %s (owner %u, backend %s)", path,
                            call->config_path, owner, call->registrant->bus_name);
  ovpn3_session_log(call->session, OVPN3_LOG_CATEGORY_INFO, "Session started (backend pid %u)",
                    call->registrant->pid);
  /* SESS_CREATED first, then the reply (docs/architecture.md §2) */
  ovpn3_session_manager_emit_event(call->manager, path, OVPN3_SESSION_EVENT_CREATED, owner);
  g_dbus_method_invocation_return_value(call->invocation, g_variant_new("(o)", path));
}

/* Steps 1–4: nothing was started. */
static void
refuse(NewTunnel *call, GError *error)
{
  call->done = TRUE;
  g_dbus_method_invocation_take_error(call->invocation, error);
}

static void
fail(NewTunnel *call, const char *why)
{
  g_autoptr(NewTunnel) ref G_GNUC_UNUSED = NULL;
  g_autofree char *text = g_strdup(why); /* why may belong to what finish() frees */

  if (call->done)
    return;
  ref = new_tunnel_ref(call);
  finish(call);
  ovpn3_session_manager_log(call->manager, OVPN3_LOG_CATEGORY_ERROR,
                            "Could not start a session for %s (UID %u): %s", call->config_path,
                            call->caller->uid, text);
  if (call->session != NULL)
    ovpn3_session_manager_remove(call->manager, call->session, TRUE, "Session start failed");
  g_dbus_method_invocation_return_error(call->invocation, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                                        "%s: %s", TEXT_START_FAILED, text);
}
