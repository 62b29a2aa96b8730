/* session-sleep.c — the sleep watch (session-sleep.h).
 *
 * While logind is on the bus the watch holds a "delay" inhibitor lock for "sleep"
 * (Manager.Inhibit, a file descriptor: closing it releases the lock). PrepareForSleep(true)
 * calls before_sleep; the lock is closed when the session manager says it is ready or after
 * OVPN3_SLEEP_DELAY_MAX_MS, whichever comes first. PrepareForSleep(false) takes the lock again
 * and calls after_resume. The signal is taken from logind's name only and must be (b).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-session-sleep"

#include "config.h"

#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "ovpn3-names.h"
#include "ovpn3-signal.h"
#include "session-sleep.h"

struct _Ovpn3SleepWatch
{
  GDBusConnection *connection;
  guint name_watch_id;
  guint signal_id;
  guint delay_id;
  int lock_fd;
  GCancellable *cancellable; /* the Inhibit call in flight */
  void (*before_sleep)(gpointer user_data);
  void (*after_resume)(gpointer user_data);
  gpointer user_data;
};

static void
drop_lock(Ovpn3SleepWatch *self)
{
  g_clear_handle_id(&self->delay_id, g_source_remove);
  if (self->lock_fd >= 0)
    close(self->lock_fd);
  self->lock_fd = -1;
}

static void
on_inhibit(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish(
      G_DBUS_CONNECTION(source), &fds, result, &error);
  Ovpn3SleepWatch *self = user_data;
  gint32 index = -1;
  int fd;

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object(&self->cancellable);
  if (reply == NULL)
    {
      g_message("No sleep inhibitor lock: %s", error->message);
      return;
    }
  g_variant_get(reply, "(h)", &index);
  fd = fds != NULL ? g_unix_fd_list_get(fds, index, &error) : -1;
  if (fd < 0)
    {
      g_message("No sleep inhibitor lock: logind sent no file descriptor");
      return;
    }
  drop_lock(self);
  self->lock_fd = fd;
  g_debug("sleep inhibitor lock taken");
}

static void
take_lock(Ovpn3SleepWatch *self)
{
  if (self->cancellable != NULL)
    return;
  self->cancellable = g_cancellable_new();
  g_dbus_connection_call_with_unix_fd_list(
      self->connection, LOGIN1_BUS_NAME, LOGIN1_PATH, LOGIN1_INTERFACE, "Inhibit",
      g_variant_new("(ssss)", "sleep", "OpenVPN 3", "Pausing the VPN sessions", "delay"),
      G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, self->cancellable,
      on_inhibit, self);
}

static gboolean
delay_over(gpointer user_data)
{
  Ovpn3SleepWatch *self = user_data;

  self->delay_id = 0;
  g_message("Sessions not paused within %d ms: sleep goes on", OVPN3_SLEEP_DELAY_MAX_MS);
  drop_lock(self);
  return G_SOURCE_REMOVE;
}

static void
on_prepare_for_sleep(GDBusConnection *connection, const char *sender, const char *path,
                     const char *interface, const char *signal, GVariant *parameters,
                     gpointer user_data)
{
  Ovpn3SleepWatch *self = user_data;
  gboolean start;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(b)")))
    return;
  g_variant_get(parameters, "(b)", &start);
  if (start)
    {
      g_clear_handle_id(&self->delay_id, g_source_remove);
      self->delay_id = g_timeout_add(OVPN3_SLEEP_DELAY_MAX_MS, delay_over, self);
      self->before_sleep(self->user_data);
      return;
    }
  drop_lock(self);
  take_lock(self);
  self->after_resume(self->user_data);
}

static void
login1_appeared(GDBusConnection *connection, const char *name, const char *owner,
                gpointer user_data)
{
  take_lock(user_data);
}

static void
login1_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3SleepWatch *self = user_data;

  if (self->cancellable != NULL)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  drop_lock(self);
}

Ovpn3SleepWatch *
ovpn3_sleep_watch_new(GDBusConnection *connection, GCallback before_sleep, GCallback after_resume,
                      gpointer user_data)
{
  Ovpn3SleepWatch *self = g_new0(Ovpn3SleepWatch, 1);

  self->connection = g_object_ref(connection);
  self->lock_fd = -1;
  self->before_sleep = (void (*)(gpointer)) before_sleep;
  self->after_resume = (void (*)(gpointer)) after_resume;
  self->user_data = user_data;
  self->signal_id = g_dbus_connection_signal_subscribe(
      connection, LOGIN1_BUS_NAME, LOGIN1_INTERFACE, "PrepareForSleep", LOGIN1_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_prepare_for_sleep, self, NULL);
  self->name_watch_id
      = g_bus_watch_name_on_connection(connection, LOGIN1_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                       login1_appeared, login1_vanished, self, NULL);
  return self;
}

void
ovpn3_sleep_watch_ready(Ovpn3SleepWatch *self)
{
  if (self->delay_id == 0)
    return;
  g_debug("ready for sleep: the inhibitor lock goes");
  drop_lock(self);
}

void
ovpn3_sleep_watch_free(Ovpn3SleepWatch *self)
{
  if (self == NULL)
    return;
  g_bus_unwatch_name(self->name_watch_id);
  ovpn3_signal_unsubscribe_clear(self->connection, &self->signal_id);
  if (self->cancellable != NULL)
    g_cancellable_cancel(self->cancellable);
  g_clear_object(&self->cancellable);
  drop_lock(self);
  g_object_unref(self->connection);
  g_free(self);
}
