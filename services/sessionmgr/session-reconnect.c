/* session-reconnect.c — sleep and network changes (session-reconnect.h).
 *
 * Which sessions: live ones with a backend, whose profile does not set
 * reconnect-on-network-change to false, and whose last status is CONN_CONNECTED,
 * CONN_CONNECTING or CONN_RECONNECTING. A session its user paused (CONN_PAUSING/PAUSED) stays
 * as it is; one that waits for credentials too (the backend never signals openvpn while a
 * >PASSWORD prompt is pending, docs/architecture.md §5).
 * - Before sleep: Pause("System is going to sleep") to each; the sleep lock goes when every
 *   backend answered (or the sleep watch's limit passed).
 * - After resume: Resume to each session this watch paused (openvpn leaves its hold and
 *   connects at once).
 * - An uplink change: Restart to each (openvpn SIGUSR1 through the management interface,
 *   instead of waiting for ping-restart).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-session-reconnect"

#include "config.h"

#include "ovpn3-names.h"
#include "session-reconnect.h"
#include "ovpn3-signal.h"
#include "session-sleep.h"

struct _Ovpn3Reconnect
{
  Ovpn3SessionManager *manager; /* not owned */
  Ovpn3SleepWatch *sleep;
  GDBusConnection *connection;
  guint uplink_id;       /* netcfg's OVPN3_NETCFG_SIGNAL_UPLINK */
  guint netcfg_watch_id; /* who owns netcfg's name */
  char *netcfg_owner;
  GHashTable *sleep_paused; /* session paths this watch paused */
  guint pauses_pending;     /* Pause calls not answered yet */
  GCancellable *cancellable;
};

static gboolean
affected(Ovpn3Session *session)
{
  guint32 major = 0, minor = 0;

  if (!ovpn3_session_is_live(session) || !ovpn3_session_get_reconnect(session)
      || ovpn3_session_get_readable_backend(session) == NULL)
    return FALSE;
  ovpn3_session_get_status(session, &major, &minor);
  return major == OVPN3_STATUS_MAJOR_CONNECTION
         && (minor == OVPN3_STATUS_MINOR_CONN_CONNECTED
             || minor == OVPN3_STATUS_MINOR_CONN_CONNECTING
             || minor == OVPN3_STATUS_MINOR_CONN_RECONNECTING);
}

static void
on_call_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *what = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (reply == NULL && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message("%s: %s", what, error->message);
}

static void
call_backend(Ovpn3Reconnect *self, Ovpn3Session *session, const char *method, GVariant *parameters,
             GAsyncReadyCallback done)
{
  ovpn3_session_log(session, OVPN3_LOG_CATEGORY_INFO, "%s: %s", method,
                    done != on_call_done            ? "the system is going to sleep"
                    : g_str_equal(method, "Resume") ? "the system woke up"
                                                    : "the uplink changed");
  ovpn3_backend_proxy_call(ovpn3_session_get_readable_backend(session), method, parameters, NULL,
                           self->cancellable, done,
                           done != on_call_done
                               ? (gpointer) self
                               : g_strdup_printf("%s %s", method, ovpn3_session_get_path(session)));
}

static void
on_paused(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  Ovpn3Reconnect *self = user_data;

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (reply == NULL)
    g_message("Pause before sleep: %s", error->message);
  if (--self->pauses_pending == 0 && self->sleep != NULL)
    ovpn3_sleep_watch_ready(self->sleep);
}

static void
before_sleep(gpointer user_data)
{
  Ovpn3Reconnect *self = user_data;
  GHashTableIter iter;
  gpointer session;

  g_hash_table_iter_init(&iter, ovpn3_session_manager_get_sessions(self->manager));
  while (g_hash_table_iter_next(&iter, NULL, &session))
    {
      if (!affected(session))
        continue;
      g_hash_table_add(self->sleep_paused, g_strdup(ovpn3_session_get_path(session)));
      self->pauses_pending++;
      call_backend(self, session, "Pause", g_variant_new("(s)", "System is going to sleep"),
                   on_paused);
    }
  if (self->pauses_pending == 0)
    ovpn3_sleep_watch_ready(self->sleep);
}

static void
after_resume(gpointer user_data)
{
  Ovpn3Reconnect *self = user_data;
  GHashTable *sessions = ovpn3_session_manager_get_sessions(self->manager);
  GHashTableIter iter;
  gpointer path;

  g_hash_table_iter_init(&iter, self->sleep_paused);
  while (g_hash_table_iter_next(&iter, &path, NULL))
    {
      Ovpn3Session *session = g_hash_table_lookup(sessions, path);

      if (session != NULL && ovpn3_session_get_readable_backend(session) != NULL)
        call_backend(self, session, "Resume", NULL, on_call_done);
      g_hash_table_iter_remove(&iter);
    }
}

static void
uplink_changed(GDBusConnection *connection, const char *sender, const char *path,
               const char *interface, const char *signal, GVariant *parameters, gpointer user_data)
{
  Ovpn3Reconnect *self = user_data;
  GHashTableIter iter;
  gpointer session;

  /* from netcfg only: its name's owner now */
  if (g_strcmp0(sender, self->netcfg_owner) != 0)
    return;
  g_hash_table_iter_init(&iter, ovpn3_session_manager_get_sessions(self->manager));
  while (g_hash_table_iter_next(&iter, NULL, &session))
    if (affected(session))
      call_backend(self, session, "Restart", NULL, on_call_done);
}

static void
netcfg_appeared(GDBusConnection *connection, const char *name, const char *owner,
                gpointer user_data)
{
  Ovpn3Reconnect *self = user_data;

  g_free(self->netcfg_owner);
  self->netcfg_owner = g_strdup(owner);
}

static void
netcfg_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3Reconnect *self = user_data;

  g_clear_pointer(&self->netcfg_owner, g_free);
}

Ovpn3Reconnect *
ovpn3_reconnect_new(Ovpn3SessionManager *manager)
{
  Ovpn3Reconnect *self = g_new0(Ovpn3Reconnect, 1);
  Ovpn3ServiceContext *ctx = ovpn3_session_manager_get_context(manager);

  self->manager = manager;
  self->cancellable = g_cancellable_new();
  self->sleep_paused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  self->sleep = ovpn3_sleep_watch_new(ctx->connection, G_CALLBACK(before_sleep),
                                      G_CALLBACK(after_resume), self);
  self->connection = g_object_ref(ctx->connection);
  self->netcfg_watch_id = g_bus_watch_name_on_connection(
      ctx->connection, OVPN3_NETCFG_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE, netcfg_appeared,
      netcfg_vanished, self, NULL);
  self->uplink_id = g_dbus_connection_signal_subscribe(
      ctx->connection, OVPN3_NETCFG_BUS_NAME, OVPN3_NETCFG_INTERFACE, OVPN3_NETCFG_SIGNAL_UPLINK,
      OVPN3_NETCFG_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, uplink_changed, self, NULL);
  return self;
}

void
ovpn3_reconnect_free(Ovpn3Reconnect *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  g_clear_pointer(&self->sleep, ovpn3_sleep_watch_free);
  ovpn3_signal_unsubscribe_clear(self->connection, &self->uplink_id);
  g_bus_unwatch_name(self->netcfg_watch_id);
  g_clear_pointer(&self->netcfg_owner, g_free);
  g_object_unref(self->connection);
  g_hash_table_unref(self->sleep_paused);
  g_free(self);
}
