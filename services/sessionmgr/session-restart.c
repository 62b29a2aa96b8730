#define G_LOG_DOMAIN "ovpn3-session-restart"

/* Automatic restart, top-down (docs/architecture.md §2 item 7). The steps, in the order they
 * run:
 *  1. ovpn3_session_restart()    the crashed backend is dropped (session calls answer "not
 *                                ready" meanwhile); restart n of at most 10 after 3·2^(n−1) s
 *                                (at most 768 s); the 11th crash ends the session
 *  2. launch_backend()           StartClient with a new token, the client's RegistrationRequest
 *     on_backend_registered()    (session-backend-start.c)
 *  3. attach, confirm            the same session path; host_wide (the answer kept for the
 *     on_backend_confirmed()     session at NewTunnel), RegistrationConfirmation
 *  4. succeed(), on_ready()      the session is live again; Ready on the new backend (one that
 *                                needs credentials asked for them with AttentionRequired: the
 *                                restart stops there)
 *  5. on_connected()             Connect
 * No SESS_DESTROYED or SESS_CREATED in between. Steps 2–3 are bounded by
 * OVPN3_SESSION_START_TIMEOUT_S. A failure in steps 2–3 (fail()): a new backend that registered
 * but cannot use the profile ends the session, anything else is the next attempt (step 1).
 * Closing the session meanwhile (Disconnect, the service stopping) stops the restart.
 */

#include "config.h"

#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "session-restart.h"

#define RESTART_MAX_TRIES   10
#define RESTART_MAX_DELAY_S 768

/* One restart of a session's backend. Reference-counted (g_rc_box): the manager's table of
 * starts and each pending asynchronous step hold a reference; `done` is set once it ended. */
typedef struct
{
  Ovpn3SessionManager *manager; /* owned */
  Ovpn3Session *session;        /* owned */
  char *token;
  guint timeout_id;            /* the back-off, then the bound on steps 2–3 */
  Ovpn3Registrant *registrant; /* step 2 passed */
  gboolean done;
} Restart;

static void
restart_clear(Restart *restart)
{
  g_clear_handle_id(&restart->timeout_id, g_source_remove);
  g_object_unref(restart->manager);
  g_object_unref(restart->session);
  g_free(restart->token);
  g_clear_pointer(&restart->registrant, ovpn3_registrant_free);
}

static Restart *
restart_ref(Restart *restart)
{
  return g_rc_box_acquire(restart);
}

static void
restart_unref(Restart *restart)
{
  g_rc_box_release_full(restart, (GDestroyNotify) restart_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Restart, restart_unref)

static void abort_restart(gpointer start, gboolean shutdown_backend, const char *reason);
static gboolean on_restart_due(gpointer user_data);
static void launch_backend(Restart *restart);
static void on_backend_registered(GObject *source, GAsyncResult *result, gpointer user_data);
static void on_backend_confirmed(GObject *source, GAsyncResult *result, gpointer user_data);
static void succeed(Restart *restart);
static void on_ready(GObject *source, GAsyncResult *result, gpointer user_data);
static void on_connected(GObject *source, GAsyncResult *result, gpointer user_data);
static void fail(Restart *restart, const char *why);

/* ---- 1. the back-off ---------------------------------------------------------------------- */

void
ovpn3_session_restart(Ovpn3SessionManager *manager, Ovpn3Session *session)
{
  Restart *restart;
  guint n, delay;

  if (!g_hash_table_contains(ovpn3_session_manager_get_sessions(manager),
                             ovpn3_session_get_path(session)))
    return;
  n = ovpn3_session_begin_restart(session);
  if (n > RESTART_MAX_TRIES)
    {
      ovpn3_session_manager_remove(manager, session, FALSE, "Backend client failed too often");
      return;
    }
  delay = n >= 9 ? RESTART_MAX_DELAY_S : MIN(3u << (n - 1), (guint) RESTART_MAX_DELAY_S);
  ovpn3_session_log(session, OVPN3_LOG_CATEGORY_WARN,
                    "Backend client crashed; restart %u of %u in %u s", n, RESTART_MAX_TRIES,
                    delay);
  restart = g_rc_box_new0(Restart);
  restart->manager = g_object_ref(manager);
  restart->session = g_object_ref(session);
  restart->token = ovpn3_object_id_new(OVPN3_ID_SEP_TOKEN);
  /* the manager's table holds the first reference */
  ovpn3_session_manager_begin_start(manager, session, abort_restart, restart,
                                    (GDestroyNotify) restart_unref);
  restart->timeout_id = g_timeout_add_seconds(delay, on_restart_due, restart);
}

static gboolean
on_restart_due(gpointer user_data)
{
  Restart *restart = user_data;

  restart->timeout_id = 0;
  ovpn3_session_log(restart->session, OVPN3_LOG_CATEGORY_INFO, "Restarting the backend client");
  launch_backend(restart);
  return G_SOURCE_REMOVE;
}

/* ---- 2. the new backend client: StartClient and its registration -------------------------- */

static gboolean
on_start_timeout(gpointer user_data)
{
  Restart *restart = user_data;

  restart->timeout_id = 0;
  fail(restart, "the backend client did not register in time");
  return G_SOURCE_REMOVE;
}

static void
launch_backend(Restart *restart)
{
  restart->timeout_id
      = g_timeout_add_seconds(OVPN3_SESSION_START_TIMEOUT_S, on_start_timeout, restart);
  ovpn3_backend_starter_launch_async(ovpn3_session_manager_get_starter(restart->manager),
                                     restart->token, on_backend_registered, restart_ref(restart));
}

static void
on_backend_registered(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Restart) restart = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Registrant) registrant
      = ovpn3_backend_starter_launch_finish(OVPN3_BACKEND_STARTER(source), result, &error);

  if (restart->done)
    return;
  if (registrant == NULL)
    {
      fail(restart, error->message);
      return;
    }
  restart->registrant = g_steal_pointer(&registrant);
  /* 3. the same session object, already exported */
  ovpn3_backend_starter_attach(OVPN3_BACKEND_STARTER(source), restart->session,
                               restart->registrant);
  ovpn3_backend_confirm_async(restart->session, restart->token, on_backend_confirmed,
                              restart_ref(restart));
}

/* ---- 3. confirmed ------------------------------------------------------------------------- */

static void
on_backend_confirmed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Restart) restart = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_backend_confirm_finish(OVPN3_SESSION(source), result, &error))
    {
      if (!restart->done)
        fail(restart, error->message);
      return;
    }
  if (!restart->done)
    succeed(restart);
}

/* The start is over: no more timer, its token used up, no longer in the manager's starts. */
static void
finish(Restart *restart)
{
  restart->done = TRUE;
  g_clear_handle_id(&restart->timeout_id, g_source_remove);
  ovpn3_backend_starter_withdraw(ovpn3_session_manager_get_starter(restart->manager),
                                 restart->token);
  ovpn3_session_manager_end_start(restart->manager, restart->session);
}

/* ---- 4. Ready, 5. Connect on the new backend (docs/dbus-api.md §7.4) ---------------------- */

static void
succeed(Restart *restart)
{
  g_autoptr(Restart) ref G_GNUC_UNUSED = restart_ref(restart);
  Ovpn3BackendProxy *backend = ovpn3_session_get_backend(restart->session);

  finish(restart);
  ovpn3_session_set_live(restart->session);
  ovpn3_session_log(restart->session, OVPN3_LOG_CATEGORY_INFO, "Backend client restarted (pid %u)",
                    restart->registrant->pid);
  if (backend != NULL)
    ovpn3_backend_proxy_call(backend, "Ready", NULL, G_VARIANT_TYPE_UNIT, NULL, on_ready,
                             g_object_ref(restart->session));
}

static void
on_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3Session) session = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  Ovpn3BackendProxy *backend = ovpn3_session_get_backend(session);

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      /* e.g. credentials: the new backend asked for them (AttentionRequired) */
      ovpn3_session_log(session, OVPN3_LOG_CATEGORY_INFO,
                        "Automatic restart: not ready to connect: %s", error->message);
      return;
    }
  if (backend == NULL || !ovpn3_session_is_live(session))
    return;
  ovpn3_session_mark_connect_started(session);
  ovpn3_backend_proxy_call(backend, "Connect", NULL, G_VARIANT_TYPE_UNIT, NULL, on_connected,
                           g_object_ref(session));
}

static void
on_connected(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3Session) session = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    ovpn3_session_log(session, OVPN3_LOG_CATEGORY_WARN, "Automatic restart: Connect failed: %s",
                      error->message);
}

/* ---- the end of a restart that did not succeed -------------------------------------------- */

static void
fail(Restart *restart, const char *why)
{
  g_autoptr(Restart) ref G_GNUC_UNUSED = NULL;

  if (restart->done)
    return;
  ref = restart_ref(restart);
  finish(restart);
  ovpn3_session_log(restart->session, OVPN3_LOG_CATEGORY_ERROR,
                    "Could not restart the backend client: %s", why);
  /* a profile the new backend cannot use will not get better */
  if (restart->registrant != NULL)
    ovpn3_session_manager_remove(restart->manager, restart->session, TRUE,
                                 "Backend client could not be restarted");
  else
    ovpn3_session_restart(restart->manager, restart->session);
}

/* The session is closed during the restart: no further attempt. */
static void
abort_restart(gpointer start, gboolean shutdown_backend, const char *reason)
{
  Restart *restart = start;

  finish(restart);
  ovpn3_session_manager_remove(restart->manager, restart->session, shutdown_backend, reason);
}
