/* ovpn3-unattended-follow.c — Connect, then follow the session for systemd: STATUS= on every
 * status change (the log service's forwarded StatusChange, with a slow poll of the status
 * property behind it), READY=1 once connected, a challenge or a failed login ends it with its own
 * exit status, the session ending by itself with 1 (systemd restarts the unit), SIGTERM with a
 * Disconnect and 0 once the session is gone.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-unattended-follow"

#include "config.h"

#include <systemd/sd-daemon.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-session.h"
#include "ovpn3-unattended.h"

#define POLL_S         5   /* status poll while connected (signals do the real work) */
#define POLL_STOP_MS   200 /* ... and while waiting for the end */
#define STOP_WAIT_S    20  /* from Disconnect to the session's end */
#define SRC_POLL       2   /* u->source_ids[]: 0, 1 are the unix signals */
#define SRC_STOP       3
#define WATCH_STATUS   0 /* u->watch_ids[] */
#define WATCH_SESSIONS 1

/* The first outcome counts; what is still queued after it is not acted on. */
static void
finish(Ovpn3Unattended *u, int code)
{
  if (u->finished)
    return;
  u->finished = TRUE;
  u->exit_code = code;
  g_main_loop_quit(u->loop);
}

static void
session_ended(Ovpn3Unattended *u)
{
  u->session_gone = TRUE;
  if (u->finished)
    return;
  if (u->stopping)
    {
      ovpn3_unattended_status("disconnected");
      finish(u, OVPN3_UNATTENDED_EXIT_OK);
      return;
    }
  finish(u, ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_FAILED,
                                  "the session ended (last status: %s%s%s)",
                                  ovpn3_cli_status_text(u->major, u->minor),
                                  *u->message != '\0' ? ": " : "", u->message));
}

static void
connected(Ovpn3Unattended *u)
{
  g_autoptr(GVariant) props = NULL;
  const char *proto = "", *address = "", *device = "";
  guint32 port = 0;

  if (u->ready)
    return;
  u->ready = TRUE;
  props
      = ovpn3_cli_get_all(OVPN3_SESSIONS_BUS_NAME, u->session_path, OVPN3_SESSIONS_INTERFACE, NULL);
  if (props != NULL)
    {
      g_variant_lookup(props, "connected_to", "(&s&su)", &proto, &address, &port);
      g_variant_lookup(props, "device_name", "&s", &device);
    }
  ovpn3_unattended_status("connected with '%s' to %s port %u (%s) on %s", u->profile, address, port,
                          proto, device);
  sd_notify(0, "READY=1");
}

static int
connect_session(Ovpn3Unattended *u)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, u->session_path,
                                         OVPN3_SESSIONS_INTERFACE, "Connect", NULL, NULL, &error);

  if (r == NULL)
    return ovpn3_unattended_bus_fail(error, "cannot connect");
  return OVPN3_UNATTENDED_EXIT_OK;
}

/* More questions after Connect (a passphrase, proxy credentials, a challenge, …). */
static void
questions(Ovpn3Unattended *u)
{
  guint asked = 0;
  int code = ovpn3_unattended_answer_queue(u, &asked);

  if (code == OVPN3_UNATTENDED_EXIT_OK && asked > 0)
    code = connect_session(u);
  if (code != OVPN3_UNATTENDED_EXIT_OK)
    finish(u, code);
}

/* What a status means here; every change becomes STATUS=. */
static void
take_status(Ovpn3Unattended *u, guint32 major, guint32 minor, const char *message)
{
  gboolean first_connect = major == OVPN3_STATUS_MAJOR_CONNECTION
                           && minor == OVPN3_STATUS_MINOR_CONN_CONNECTED && !u->ready;

  if (u->finished)
    return;
  if (major != u->major || minor != u->minor || g_strcmp0(message, u->message) != 0)
    {
      u->major = major;
      u->minor = minor;
      g_free(u->message);
      u->message = g_strdup(message);
      if (!first_connect) /* connected() says more */
        ovpn3_unattended_status("%s%s%s", ovpn3_cli_status_text(major, minor),
                                *message != '\0' ? ": " : "", message);
    }
  if (u->stopping)
    return; /* only the end counts now */
  if (major == OVPN3_STATUS_MAJOR_SESSION && minor == OVPN3_STATUS_MINOR_SESS_AUTH_URL)
    finish(u, ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_CONFIG,
                                    "the server asks for a web login, which nobody can do for an "
                                    "unattended session"));
  if (major != OVPN3_STATUS_MAJOR_CONNECTION)
    return;
  switch (minor)
    {
      case OVPN3_STATUS_MINOR_CONN_CONNECTED:
        connected(u);
        break;
      case OVPN3_STATUS_MINOR_CONN_AUTH_FAILED:
        finish(u, ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_AUTH,
                                        "authentication failed%s%s; not trying again",
                                        *message != '\0' ? ": " : "", message));
        break;
      case OVPN3_STATUS_MINOR_CFG_REQUIRE_USER:
        questions(u);
        break;
      case OVPN3_STATUS_MINOR_CONN_FAILED:
      case OVPN3_STATUS_MINOR_CFG_ERROR:
      case OVPN3_STATUS_MINOR_PROC_KILLED:
      case OVPN3_STATUS_MINOR_CONN_DONE:
        finish(u, ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_FAILED, "the session ended: %s%s%s",
                                        ovpn3_cli_status_text(major, minor),
                                        *message != '\0' ? ": " : "", message));
        break;
      default:
        break;
    }
}

/* StatusChange forwarded by the log service (LogForward). */
static void
on_status_signal(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                 const char *member, GVariant *params, gpointer data)
{
  guint32 major, minor;
  const char *message;

  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(uus)")))
    return;
  g_variant_get(params, "(uu&s)", &major, &minor, &message);
  take_status(data, major, minor, message);
}

/* SessionManagerEvent: SESS_DESTROYED of this session. */
static void
on_manager_event(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
                 const char *member, GVariant *params, gpointer data)
{
  Ovpn3Unattended *u = data;
  const char *session;
  guint16 type;
  guint32 owner;

  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(oqu)")))
    return;
  g_variant_get(params, "(&oqu)", &session, &type, &owner);
  if (type == OVPN3_SESSION_EVENT_DESTROYED && g_str_equal(session, u->session_path))
    session_ended(u);
}

static gboolean
on_poll(gpointer data)
{
  Ovpn3Unattended *u = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) v = ovpn3_cli_get_property(OVPN3_SESSIONS_BUS_NAME, u->session_path,
                                                 OVPN3_SESSIONS_INTERFACE, "status", &error);
  guint32 major, minor;
  const char *message;

  if (v == NULL && ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_NOT_FOUND)
    session_ended(u);
  else if (v == NULL)
    g_debug("status poll: %s", error->message); /* a restarting service: try again later */
  else if (g_variant_is_of_type(v, G_VARIANT_TYPE("(uus)")))
    {
      g_variant_get(v, "(uu&s)", &major, &minor, &message);
      take_status(u, major, minor, message);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_first_poll(gpointer data)
{
  on_poll(data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop_deadline(gpointer data)
{
  Ovpn3Unattended *u = data;

  u->source_ids[SRC_STOP] = 0;
  finish(u,
         ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_FAILED,
                               "the session did not end within %d s of Disconnect", STOP_WAIT_S));
  return G_SOURCE_REMOVE;
}

gboolean
ovpn3_unattended_on_signal(gpointer user_data)
{
  Ovpn3Unattended *u = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = NULL;

  if (!g_main_loop_is_running(u->loop))
    {
      u->stop_asked = TRUE; /* run() checks between its steps */
      return G_SOURCE_CONTINUE;
    }
  if (u->stopping)
    return G_SOURCE_CONTINUE;
  u->stopping = TRUE;
  sd_notify(0, "STOPPING=1");
  ovpn3_unattended_status("stopping: disconnecting the session");
  r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, u->session_path, OVPN3_SESSIONS_INTERFACE,
                     "Disconnect", NULL, NULL, &error);
  if (r == NULL && ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_NOT_FOUND)
    session_ended(u);
  else if (r == NULL)
    finish(u, ovpn3_unattended_bus_fail(error, "cannot disconnect"));
  g_clear_handle_id(&u->source_ids[SRC_POLL], g_source_remove);
  u->source_ids[SRC_POLL] = g_timeout_add(POLL_STOP_MS, on_poll, u);
  u->source_ids[SRC_STOP] = g_timeout_add_seconds(STOP_WAIT_S, on_stop_deadline, u);
  return G_SOURCE_CONTINUE;
}

static void
watch(Ovpn3Unattended *u, GDBusConnection *bus)
{
  g_autoptr(GVariant) fwd = NULL;

  u->watch_ids[WATCH_STATUS] = g_dbus_connection_signal_subscribe(
      bus, OVPN3_LOG_BUS_NAME, OVPN3_BACKENDS_INTERFACE, "StatusChange", u->session_path, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_status_signal, u, NULL);
  u->watch_ids[WATCH_SESSIONS] = g_dbus_connection_signal_subscribe(
      bus, OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_INTERFACE, "SessionManagerEvent",
      OVPN3_SESSIONS_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_manager_event, u, NULL);
  /* best effort: the poll sees every status too, only later */
  fwd = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, u->session_path, OVPN3_SESSIONS_INTERFACE,
                       "LogForward", g_variant_new("(b)", TRUE), NULL, NULL);
  u->source_ids[SRC_POLL] = g_timeout_add_seconds(POLL_S, on_poll, u);
}

static void
unwatch(Ovpn3Unattended *u, GDBusConnection *bus)
{
  for (guint i = 0; i < G_N_ELEMENTS(u->watch_ids); i++)
    if (u->watch_ids[i] != 0)
      g_dbus_connection_signal_unsubscribe(bus, u->watch_ids[i]);
  g_clear_handle_id(&u->source_ids[SRC_POLL], g_source_remove);
  g_clear_handle_id(&u->source_ids[SRC_STOP], g_source_remove);
}

int
ovpn3_unattended_follow(Ovpn3Unattended *u)
{
  GDBusConnection *bus = ovpn3_cli_bus(NULL);
  int code;

  watch(u, bus);
  code = connect_session(u);
  if (code == OVPN3_UNATTENDED_EXIT_OK)
    {
      /* the status the session has now, then whatever it says */
      g_idle_add(on_first_poll, u);
      g_main_loop_run(u->loop);
      code = u->exit_code;
    }
  unwatch(u, bus);
  /* a refused login keeps the session waiting for new credentials: end it */
  if (code != OVPN3_UNATTENDED_EXIT_OK)
    ovpn3_unattended_disconnect(u);
  return code;
}
