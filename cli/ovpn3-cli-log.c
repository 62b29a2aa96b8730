#define G_LOG_DOMAIN "ovpn3-cli-log"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-change.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-session.h"

/* a session that has not started yet is looked for again at each SessionManagerEvent and, in
 * case the signal is not seen, this often */
#define WAIT_POLL_MS 1000

static const Ovpn3CliTarget log_target
    = { OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_INTERFACE,
        "Only the session's owner (and users it was shared with) may do this; see `ovpn3 "
        "session-acl --show`" };

static struct
{
  char *config;
  char *path;
  char *interface;
  int log_level;
} lg = { .log_level = -1 };

const GOptionEntry *
ovpn3_cmd_log_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SESSION_SELECT_ENTRIES(lg.config, lg.path, lg.interface),
    { "log-level", 0, 0, G_OPTION_ARG_INT, &lg.log_level, "Set the session's log level (0-6) first",
      "LEVEL" },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

typedef struct
{
  Ovpn3Cli *cli;
  GMainLoop *loop;
  const char *path; /* NULL while waiting for the session to start */
  gboolean ended;
  gboolean interrupted;
  gboolean looked_up; /* waiting: a SessionManagerEvent came, look again */
} LogFollow;

static void
print_stamped(const char *text)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  g_autofree char *stamp = g_date_time_format(now, "%H:%M:%S");

  printf("%s %s\n", stamp, text);
  fflush(stdout);
}

static void
on_forwarded(GDBusConnection *bus, const char *sender, const char *object_path, const char *iface,
             const char *member, GVariant *params, gpointer data)
{
  guint32 a, b;
  const char *message;
  g_autofree char *line = NULL;

  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(uus)")))
    return;
  g_variant_get(params, "(uu&s)", &a, &b, &message);
  if (g_str_equal(member, "StatusChange"))
    line = g_strdup_printf("[status] %s%s%s", ovpn3_cli_status_text(a, b),
                           *message != '\0' ? ": " : "", message);
  else
    line = g_strdup(message);
  print_stamped(line);
}

static void
on_session_event(GDBusConnection *bus, const char *sender, const char *object_path,
                 const char *iface, const char *member, GVariant *params, gpointer data)
{
  LogFollow *f = data;
  const char *path;
  guint16 type;
  guint32 owner;

  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(oqu)")))
    return;
  g_variant_get(params, "(&oqu)", &path, &type, &owner);
  if (f->path == NULL && type == OVPN3_SESSION_EVENT_CREATED)
    {
      f->looked_up = TRUE;
      g_main_loop_quit(f->loop);
    }
  else if (f->path != NULL && type == OVPN3_SESSION_EVENT_DESTROYED && g_str_equal(path, f->path))
    {
      print_stamped("[session ended]");
      f->ended = TRUE;
      g_main_loop_quit(f->loop);
    }
}

static gboolean
on_interrupt(gpointer data)
{
  LogFollow *f = data;

  f->interrupted = TRUE;
  g_main_loop_quit(f->loop);
  return G_SOURCE_CONTINUE; /* removed by ovpn3_cmd_log() */
}

static gboolean
on_poll(gpointer data)
{
  LogFollow *f = data;

  f->looked_up = TRUE;
  g_main_loop_quit(f->loop);
  return G_SOURCE_CONTINUE;
}

/* How many sessions started from a profile named @name there are (-1: the lookup failed). */
static int
sessions_named(const char *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) paths = NULL;

  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "LookupConfigName", g_variant_new("(s)", name), G_VARIANT_TYPE("(ao)"),
                         NULL);
  if (reply == NULL)
    return -1;
  paths = g_variant_get_child_value(reply, 0);
  return (int) g_variant_n_children(paths);
}

/* log --config NAME before the session exists: waits for it, as openvpn3 does ("Waiting for
 * session to start…"); FALSE when Ctrl-C came first. */
static gboolean
wait_for_session(LogFollow *f, const char *name)
{
  guint poll = 0;
  gboolean said = FALSE;

  while (sessions_named(name) == 0 && !f->interrupted)
    {
      if (!said)
        {
          fprintf(stderr, "Waiting for session to start…\n");
          said = TRUE;
        }
      if (poll == 0)
        poll = g_timeout_add(WAIT_POLL_MS, on_poll, f);
      f->looked_up = FALSE;
      while (!f->looked_up && !f->interrupted)
        g_main_loop_run(f->loop);
    }
  if (poll != 0)
    g_source_remove(poll);
  return !f->interrupted;
}

/* LogForward until the session ends or Ctrl-C; the exit code. */
static int
follow_log(LogFollow *f, GDBusConnection *bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = NULL;
  guint sub_log, sub_status;

  /* subscribe before asking for the forwarding, so nothing is missed */
  sub_log = g_dbus_connection_signal_subscribe(bus, OVPN3_LOG_BUS_NAME, OVPN3_BACKENDS_INTERFACE,
                                               "Log", f->path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                               on_forwarded, f, NULL);
  sub_status = g_dbus_connection_signal_subscribe(bus, OVPN3_LOG_BUS_NAME, OVPN3_BACKENDS_INTERFACE,
                                                  "StatusChange", f->path, NULL,
                                                  G_DBUS_SIGNAL_FLAGS_NONE, on_forwarded, f, NULL);
  r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, f->path, OVPN3_SESSIONS_INTERFACE, "LogForward",
                     g_variant_new("(b)", TRUE), NULL, &error);
  if (r == NULL)
    {
      g_dbus_connection_signal_unsubscribe(bus, sub_log);
      g_dbus_connection_signal_unsubscribe(bus, sub_status);
      return ovpn3_cli_report(f->cli, error, "cannot follow the session's log",
                              ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_ACCESS
                                  ? "Only the owner may follow a session's log unless it allows "
                                    "others (`ovpn3 session-acl --restrict-log-access no`)"
                                  : NULL);
    }
  fprintf(stderr, "Following %s (Ctrl-C to stop).\n", f->path);
  if (!f->interrupted)
    g_main_loop_run(f->loop);
  if (!f->ended)
    {
      g_autoptr(GVariant) off G_GNUC_UNUSED
          = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, f->path, OVPN3_SESSIONS_INTERFACE, "LogForward",
                           g_variant_new("(b)", FALSE), NULL, NULL);
    }
  g_dbus_connection_signal_unsubscribe(bus, sub_log);
  g_dbus_connection_signal_unsubscribe(bus, sub_status);
  return OVPN3_EXIT_OK;
}

/* The session to follow (after waiting for it with --config), or NULL (*code set). */
static char *
log_session(LogFollow *f, int *code)
{
  g_autofree char *path = NULL;

  if (lg.config != NULL && lg.path == NULL && lg.interface == NULL
      && !wait_for_session(f, lg.config))
    {
      *code = OVPN3_EXIT_OK;
      return NULL;
    }
  path = ovpn3_cli_select_session(f->cli, lg.config, lg.path, lg.interface, code);
  if (path != NULL && lg.log_level >= 0)
    {
      *code = ovpn3_cli_change_set(f->cli, &log_target, path, "log_verbosity",
                                   g_variant_new_uint32((guint32) lg.log_level),
                                   "cannot set the log level");
      if (*code != OVPN3_EXIT_OK)
        return NULL;
    }
  return g_steal_pointer(&path);
}

int
ovpn3_cmd_log(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GDBusConnection *bus;
  LogFollow f = { 0 };
  guint sub_event, sigint, sigterm;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("log"), ovpn3_cmd_log_entries(), &argc, &argv,
                       &code))
    return code;
  if (lg.log_level != -1 && (lg.log_level < 0 || lg.log_level > OVPN3_LOG_LEVEL_MAX))
    return ovpn3_cli_usage_error(cli, "--log-level takes 0 to %d", OVPN3_LOG_LEVEL_MAX);
  if (lg.config == NULL && lg.path == NULL && lg.interface == NULL)
    return ovpn3_cli_usage_error(cli, "say which session: --config NAME, --path PATH or "
                                      "--interface DEV");
  bus = ovpn3_cli_bus(&error);
  if (bus == NULL)
    return ovpn3_cli_report(cli, error, NULL, NULL);
  loop = g_main_loop_new(NULL, FALSE);
  f.cli = cli;
  f.loop = loop;
  sub_event = g_dbus_connection_signal_subscribe(
      bus, OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_INTERFACE, "SessionManagerEvent",
      OVPN3_SESSIONS_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_session_event, &f, NULL);
  sigint = g_unix_signal_add(SIGINT, on_interrupt, &f);
  sigterm = g_unix_signal_add(SIGTERM, on_interrupt, &f);
  path = log_session(&f, &code);
  f.path = path;
  if (path != NULL)
    code = follow_log(&f, bus);
  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_dbus_connection_signal_unsubscribe(bus, sub_event);
  return code;
}
