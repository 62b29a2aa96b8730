#define G_LOG_DOMAIN "ovpn3-cli-session"

#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ovpn3-names.h"
#include "ovpn3-web-url.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-session.h"

#define READY_ROUNDS  10
#define POLL_MS       200
#define ERROR_READY   "net.openvpn.v3.error.ready"
#define FRONTEND_HINT "ovpn3 session-manage --path %s --disconnect"

/* ---- status words --------------------------------------------------------------------------- */

const char *
ovpn3_cli_status_text(guint32 major, guint32 minor)
{
  static const char *const minors[] = {
    [OVPN3_STATUS_MINOR_UNSET] = "starting",
    [OVPN3_STATUS_MINOR_CFG_ERROR] = "profile error",
    [OVPN3_STATUS_MINOR_CFG_OK] = "ready to connect",
    [OVPN3_STATUS_MINOR_CFG_INLINE_MISSING] = "profile incomplete",
    [OVPN3_STATUS_MINOR_CFG_REQUIRE_USER] = "waiting for credentials",
    [OVPN3_STATUS_MINOR_CONN_INIT] = "initialising",
    [OVPN3_STATUS_MINOR_CONN_CONNECTING] = "connecting",
    [OVPN3_STATUS_MINOR_CONN_CONNECTED] = "connected",
    [OVPN3_STATUS_MINOR_CONN_DISCONNECTING] = "disconnecting",
    [OVPN3_STATUS_MINOR_CONN_DISCONNECTED] = "disconnected",
    [OVPN3_STATUS_MINOR_CONN_FAILED] = "connection failed",
    [OVPN3_STATUS_MINOR_CONN_AUTH_FAILED] = "authentication failed",
    [OVPN3_STATUS_MINOR_CONN_RECONNECTING] = "reconnecting",
    [OVPN3_STATUS_MINOR_CONN_PAUSING] = "pausing",
    [OVPN3_STATUS_MINOR_CONN_PAUSED] = "paused",
    [OVPN3_STATUS_MINOR_CONN_RESUMING] = "resuming",
    [OVPN3_STATUS_MINOR_CONN_DONE] = "done",
    [OVPN3_STATUS_MINOR_SESS_NEW] = "new session",
    [OVPN3_STATUS_MINOR_SESS_BACKEND_COMPLETED] = "backend completed",
    [OVPN3_STATUS_MINOR_SESS_REMOVED] = "removed",
    [OVPN3_STATUS_MINOR_SESS_AUTH_USERPASS] = "waiting for user name and password",
    [OVPN3_STATUS_MINOR_SESS_AUTH_CHALLENGE] = "waiting for a challenge answer",
    [OVPN3_STATUS_MINOR_SESS_AUTH_URL] = "waiting for web login",
    [OVPN3_STATUS_MINOR_PKCS11_SIGN] = "PKCS#11 signing",
    [OVPN3_STATUS_MINOR_PKCS11_ENCRYPT] = "PKCS#11 encrypting",
    [OVPN3_STATUS_MINOR_PKCS11_DECRYPT] = "PKCS#11 decrypting",
    [OVPN3_STATUS_MINOR_PKCS11_VERIFY] = "PKCS#11 verifying",
    [OVPN3_STATUS_MINOR_PROC_STARTED] = "process started",
    [OVPN3_STATUS_MINOR_PROC_STOPPED] = "process stopped",
    [OVPN3_STATUS_MINOR_PROC_KILLED] = "process killed",
  };

  if (major == 0 && minor == 0)
    return "starting";
  if (minor < G_N_ELEMENTS(minors) && minors[minor] != NULL)
    return minors[minor];
  return "unknown status";
}

/* ---- questions (docs/dbus-api.md §6) ------------------------------------------------------ */

static gboolean
is_ready_error(const GError *error)
{
  g_autofree char *name = g_dbus_error_get_remote_error(error);

  return g_strcmp0(name, ERROR_READY) == 0 || strstr(error->message, ERROR_READY) != NULL;
}

static gboolean
get_status(const char *path, guint32 *major, guint32 *minor, char **message, GError **error)
{
  g_autoptr(GVariant) v = ovpn3_cli_get_property(OVPN3_SESSIONS_BUS_NAME, path,
                                                 OVPN3_SESSIONS_INTERFACE, "status", error);

  if (v == NULL)
    return FALSE;
  if (!g_variant_is_of_type(v, G_VARIANT_TYPE("(uus)")))
    {
      g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_ERROR, "the session's status has type %s",
                  g_variant_get_type_string(v));
      return FALSE;
    }
  g_variant_get(v, "(uus)", major, minor, message);
  return TRUE;
}

static char *
read_answer(const char *prompt, gboolean hidden)
{
  char buf[1024];

  if (hidden)
    return ovpn3_cli_read_secret(prompt);
  fprintf(stderr, "%s", prompt);
  fflush(stderr);
  if (fgets(buf, sizeof buf, stdin) == NULL)
    return NULL;
  if (!isatty(0))
    fputc('\n', stderr); /* the answer came from a pipe: end the prompt's line */
  buf[strcspn(buf, "\r\n")] = '\0';
  return g_strdup(buf);
}

/* Ask for every pending credentials slot and provide the answers.  *asked = how many. */
static int
walk_queue(Ovpn3Cli *cli, const char *path, guint *asked)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) groups = NULL;
  g_autoptr(GVariant) list = NULL;
  GVariantIter iter;
  guint32 type, group;

  *asked = 0;
  groups = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE,
                          "UserInputQueueGetTypeGroup", NULL, G_VARIANT_TYPE("(a(uu))"), &error);
  if (groups == NULL)
    return ovpn3_cli_report(cli, error, "cannot read what the session needs", NULL);
  list = g_variant_get_child_value(groups, 0);
  g_variant_iter_init(&iter, list);
  while (g_variant_iter_next(&iter, "(uu)", &type, &group))
    {
      g_autoptr(GVariant) ids = NULL;
      g_autofree guint32 *id_list = NULL;
      gsize n = 0;

      if (type != OVPN3_ATTENTION_TYPE_CREDENTIALS)
        continue;
      ids = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE,
                           "UserInputQueueCheck", g_variant_new("(uu)", type, group),
                           G_VARIANT_TYPE("(au)"), &error);
      if (ids == NULL)
        return ovpn3_cli_report(cli, error, "cannot read what the session needs", NULL);
      {
        g_autoptr(GVariant) arr = g_variant_get_child_value(ids, 0);
        const guint32 *raw = g_variant_get_fixed_array(arr, &n, sizeof(guint32));
        id_list = g_memdup2(raw, n * sizeof(guint32));
      }
      for (gsize i = 0; i < n; i++)
        {
          g_autoptr(GVariant) slot = NULL, provided = NULL;
          guint32 t, g, id;
          const char *name, *description;
          gboolean hidden;
          g_autofree char *prompt = NULL;
          char *answer;

          slot = ovpn3_cli_call(
              OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, "UserInputQueueFetch",
              g_variant_new("(uuu)", type, group, id_list[i]), G_VARIANT_TYPE("(uuussb)"), &error);
          if (slot == NULL)
            return ovpn3_cli_report(cli, error, "cannot read what the session needs", NULL);
          g_variant_get(slot, "(uuu&s&sb)", &t, &g, &id, &name, &description, &hidden);
          prompt = g_strdup_printf("%s: ", *description != '\0' ? description : name);
          answer = read_answer(prompt, hidden);
          if (answer == NULL)
            return ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR,
                                  "Run it on a terminal, pipe the answers on standard input, or "
                                  "answer later with `ovpn3 session-auth`",
                                  "the session needs '%s' and there is nothing to read it from",
                                  description);
          provided = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE,
                                    "UserInputProvide", g_variant_new("(uuus)", t, g, id, answer),
                                    NULL, &error);
          ovpn3_cli_secret_free(answer);
          if (provided == NULL)
            return ovpn3_cli_report(cli, error, "the session did not take the answer", NULL);
          (*asked)++;
        }
    }
  return OVPN3_EXIT_OK;
}

/* Shows the server's web login URL and opens it on a desktop — only an
 * https: URL (ovpn3-web-url.h; ovpn3's backend refuses the others already,
 * this guards xdg-open and the terminal whatever the service). */
static void
open_url(const char *url)
{
  g_autofree char *xdg = g_find_program_in_path("xdg-open");
  const char *argv[] = { NULL, url, NULL };
  g_autoptr(GError) error = NULL;

  if (!ovpn3_web_url_check(url, &error))
    {
      g_autofree char *shown = ovpn3_web_url_escape(url);

      printf("Not opening the web login URL \"%s\": %s\n", shown, error->message);
      fflush(stdout);
      return;
    }
  printf("Log in with your web browser: %s\n", url);
  fflush(stdout);
  if (xdg == NULL || (g_getenv("DISPLAY") == NULL && g_getenv("WAYLAND_DISPLAY") == NULL))
    return;
  argv[0] = xdg;
  g_spawn_async(NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL);
}

/* Ready until it succeeds, answering questions in between.  *web = waiting for a web login. */
static int
answer_questions(Ovpn3Cli *cli, const char *path, gboolean *web)
{
  *web = FALSE;
  for (guint round = 0; round < READY_ROUNDS; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) ok = ovpn3_cli_call(
          OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, "Ready", NULL, NULL, &error);
      guint32 major = 0, minor = 0;
      g_autofree char *message = NULL;
      guint asked = 0;
      int code;

      if (ok != NULL)
        return OVPN3_EXIT_OK;
      if (!is_ready_error(error))
        return ovpn3_cli_report(cli, error, "the session is not ready", NULL);
      g_clear_error(&error);
      if (get_status(path, &major, &minor, &message, NULL) && major == OVPN3_STATUS_MAJOR_SESSION
          && minor == OVPN3_STATUS_MINOR_SESS_AUTH_URL)
        {
          *web = TRUE;
          return OVPN3_EXIT_OK;
        }
      code = walk_queue(cli, path, &asked);
      if (code != OVPN3_EXIT_OK)
        return code;
      if (asked == 0)
        g_usleep(POLL_MS * G_TIME_SPAN_MILLISECOND); /* the backend is still filling it */
    }
  return ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR, NULL,
                        "the session still is not ready after %d rounds of questions",
                        READY_ROUNDS);
}

/* ---- waiting -------------------------------------------------------------------------------- */

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
  interrupted = 1;
}

typedef struct
{
  guint32 major;
  guint32 minor;
  char *message;
} Status;

static void
status_free(Status *st)
{
  g_free(st->message);
  g_free(st);
}

/* StatusChange forwarded by the log service (LogForward): nothing is missed between two polls,
 * not even the last words of a session that closes itself on failure */
static void
on_status_signal(GDBusConnection *bus, const char *sender, const char *object_path,
                 const char *iface, const char *member, GVariant *params, gpointer data)
{
  GQueue *queue = data;
  Status *st;

  if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(uus)")))
    return;
  st = g_new0(Status, 1);
  g_variant_get(params, "(uus)", &st->major, &st->minor, &st->message);
  g_queue_push_tail(queue, st);
}

static gboolean
on_tick(gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_a_little(void)
{
  gboolean done = FALSE;

  g_timeout_add(POLL_MS, on_tick, &done);
  while (!done && !interrupted)
    g_main_context_iteration(NULL, TRUE);
}

static void
show_connected(Ovpn3Cli *cli, const char *path)
{
  g_autoptr(GVariant) props
      = ovpn3_cli_get_all(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, NULL);
  const char *proto = "", *address = "", *device = NULL, *config = NULL;
  guint32 port = 0;

  if (props != NULL)
    {
      g_variant_lookup(props, "connected_to", "(&s&su)", &proto, &address, &port);
      device = ovpn3_vardict_str(props, "device_name");
      config = ovpn3_vardict_str(props, "config_name");
    }
  if (cli->color_out)
    printf("%sConnected%s", OVPN3_COLOR_GREEN, OVPN3_COLOR_RESET);
  else
    printf("Connected");
  if (config != NULL && *config != '\0')
    printf(" with '%s'", config);
  if (*address != '\0')
    printf(" to %s port %u (%s)", address, port, proto);
  if (device != NULL && *device != '\0')
    printf(" on %s", device);
  printf(".\nSession: %s\n", path);
}

typedef enum
{
  OUTCOME_WAIT,
  OUTCOME_CONNECTED,
  OUTCOME_FAILED,
  OUTCOME_QUESTIONS,
} Outcome;

typedef struct
{
  Ovpn3Cli *cli;
  const char *path;
  gboolean tty;
  gboolean url_shown;
  guint32 last_major;
  guint32 last_minor;
  char *last_message;
  guint seen;
} Follow;

static void
clear_line(Follow *f)
{
  if (f->tty)
    fprintf(stderr, "\r\033[K");
}

/* What a status means for the waiting front-end. */
static Outcome
take_status(Follow *f, guint32 major, guint32 minor, const char *message)
{
  gboolean changed = major != f->last_major || minor != f->last_minor;

  if (changed && !f->tty)
    printf("Status: %s%s%s\n", ovpn3_cli_status_text(major, minor), *message != '\0' ? ": " : "",
           message);
  fflush(stdout);
  f->last_major = major;
  f->last_minor = minor;
  {
    char *copy = g_strdup(message); /* @message may be f->last_message itself */
    g_free(f->last_message);
    f->last_message = copy;
  }
  f->seen++;
  if (major == OVPN3_STATUS_MAJOR_CONNECTION && minor == OVPN3_STATUS_MINOR_CONN_CONNECTED)
    return OUTCOME_CONNECTED;
  if (major == OVPN3_STATUS_MAJOR_SESSION && minor == OVPN3_STATUS_MINOR_SESS_AUTH_URL)
    {
      if (!f->url_shown)
        {
          clear_line(f);
          open_url(message);
          f->url_shown = TRUE;
        }
      return OUTCOME_WAIT;
    }
  if (major != OVPN3_STATUS_MAJOR_CONNECTION)
    return OUTCOME_WAIT;
  switch (minor)
    {
      case OVPN3_STATUS_MINOR_CFG_REQUIRE_USER:
        return changed ? OUTCOME_QUESTIONS : OUTCOME_WAIT;
      case OVPN3_STATUS_MINOR_CONN_AUTH_FAILED:
      case OVPN3_STATUS_MINOR_CONN_FAILED:
      case OVPN3_STATUS_MINOR_CFG_ERROR:
      case OVPN3_STATUS_MINOR_PROC_KILLED:
      case OVPN3_STATUS_MINOR_CONN_DONE:
        return OUTCOME_FAILED;
      default:
        return OUTCOME_WAIT;
    }
}

static int
report_failure(Follow *f)
{
  g_autoptr(GVariant) r = NULL;
  gboolean auth = f->last_minor == OVPN3_STATUS_MINOR_CONN_AUTH_FAILED;

  clear_line(f);
  /* an authentication failure leaves the session; nothing else can be done with it */
  if (auth)
    r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, f->path, OVPN3_SESSIONS_INTERFACE, "Disconnect",
                       NULL, NULL, NULL);
  return ovpn3_cli_fail(f->cli, OVPN3_EXIT_ERROR,
                        auth ? "Check the user name and password (or challenge answer) and start "
                               "again"
                             : "`ovpn3 log` and the journal have the details",
                        "%s%s%s", ovpn3_cli_status_text(f->last_major, f->last_minor),
                        *f->last_message != '\0' ? ": " : "", f->last_message);
}

static int
connect_again(Ovpn3Cli *cli, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE,
                                         "Connect", NULL, NULL, &error);

  if (r == NULL)
    return ovpn3_cli_report(cli, error, "cannot connect", NULL);
  return OVPN3_EXIT_OK;
}

/* The session is gone while followed: its last status says why, if it can. */
static int
session_gone(Follow *f, const GError *error)
{
  clear_line(f);
  if (ovpn3_cli_error_kind(error) != OVPN3_CLI_ERROR_KIND_NOT_FOUND)
    return ovpn3_cli_report(f->cli, error, "cannot follow the session", NULL);
  if (take_status(f, f->last_major, f->last_minor, f->last_message) == OUTCOME_FAILED)
    return report_failure(f);
  return ovpn3_cli_fail(f->cli, OVPN3_EXIT_ERROR, "`ovpn3 log` and the journal have the details",
                        "the session ended (last status: %s)",
                        f->seen ? ovpn3_cli_status_text(f->last_major, f->last_minor) : "none");
}

/* First what was forwarded, in order; then the current status.  FALSE (*code set) when the
 * status cannot be read any more. */
static gboolean
next_outcome(Follow *f, GQueue *signals, Outcome *outcome, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  guint32 major, minor;
  Status *st;

  *outcome = OUTCOME_WAIT;
  while (*outcome == OUTCOME_WAIT && (st = g_queue_pop_head(signals)) != NULL)
    {
      *outcome = take_status(f, st->major, st->minor, st->message);
      status_free(st);
    }
  if (*outcome != OUTCOME_WAIT)
    return TRUE;
  if (!get_status(f->path, &major, &minor, &message, &error))
    {
      *code = session_gone(f, error);
      return FALSE;
    }
  *outcome = take_status(f, major, minor, message);
  return TRUE;
}

/* Acts on @outcome; TRUE (*code set) when the waiting is over. */
static gboolean
act_on(Follow *f, Outcome outcome, int *code)
{
  gboolean web = FALSE;

  switch (outcome)
    {
      case OUTCOME_CONNECTED:
        clear_line(f);
        show_connected(f->cli, f->path);
        *code = OVPN3_EXIT_OK;
        return TRUE;
      case OUTCOME_FAILED:
        *code = report_failure(f);
        return TRUE;
      case OUTCOME_QUESTIONS:
        /* a dynamic or pending challenge: answer it, then connect again */
        clear_line(f);
        *code = answer_questions(f->cli, f->path, &web);
        if (*code == OVPN3_EXIT_OK && !web)
          *code = connect_again(f->cli, f->path);
        return *code != OVPN3_EXIT_OK;
      case OUTCOME_WAIT:
      default:
        return FALSE;
    }
}

/* Ctrl-C or the --timeout: TRUE (*code set) when it is time to stop waiting. */
static gboolean
give_up(Follow *f, gint64 deadline, guint timeout, int *code)
{
  if (interrupted)
    {
      clear_line(f);
      *code = ovpn3_cli_fail(
          f->cli, OVPN3_EXIT_ERROR, NULL,
          "stopped waiting; the session keeps going. End it with: " FRONTEND_HINT, f->path);
      return TRUE;
    }
  if (deadline != 0 && g_get_monotonic_time() > deadline)
    {
      /* as openvpn3's --timeout: the attempt ends with the session */
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) r
          = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, f->path, OVPN3_SESSIONS_INTERFACE, "Disconnect",
                           NULL, NULL, &error);

      clear_line(f);
      *code = ovpn3_cli_fail(f->cli, OVPN3_EXIT_ERROR,
                             r != NULL ? "Start it again with a longer --timeout, or none"
                                       : "End it with `ovpn3 session-manage --disconnect`",
                             "not connected after %u seconds (last status: %s); %s", timeout,
                             ovpn3_cli_status_text(f->last_major, f->last_minor),
                             r != NULL ? "the session was disconnected"
                                       : "the session could not be disconnected");
      return TRUE;
    }
  return FALSE;
}

static void
show_spinner(Follow *f, guint tick)
{
  static const char *const spin_utf8[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏" };
  static const char *const spin_ascii[] = { "-", "\\", "|", "/" };
  gboolean utf8 = g_get_charset(NULL);

  if (!f->tty)
    return;
  fprintf(stderr, "\r\033[K%s %s…", utf8 ? spin_utf8[tick % 10] : spin_ascii[tick % 4],
          ovpn3_cli_status_text(f->last_major, f->last_minor));
  fflush(stderr);
}

static int
follow(Follow *f, GQueue *signals, guint timeout)
{
  gint64 deadline
      = timeout > 0 ? g_get_monotonic_time() + (gint64) timeout * G_TIME_SPAN_SECOND : 0;
  int code = OVPN3_EXIT_OK;

  for (guint tick = 0;; tick++)
    {
      Outcome outcome;

      if (!next_outcome(f, signals, &outcome, &code) || act_on(f, outcome, &code)
          || give_up(f, deadline, timeout, &code))
        return code;
      show_spinner(f, tick);
      wait_a_little();
    }
}

int
ovpn3_cli_session_connect(Ovpn3Cli *cli, const char *path, const Ovpn3CliConnectOptions *options)
{
  Follow f = { 0 };
  GQueue signals = G_QUEUE_INIT;
  GDBusConnection *bus;
  struct sigaction sa = { 0 }, old_sa;
  g_autoptr(GVariant) fwd = NULL;
  gboolean web = FALSE;
  guint sub = 0;
  int code;

  code = answer_questions(cli, path, &web);
  if (code != OVPN3_EXIT_OK)
    return code;
  bus = ovpn3_cli_bus(NULL);
  if (!options->background && bus != NULL)
    {
      sub = g_dbus_connection_signal_subscribe(bus, OVPN3_LOG_BUS_NAME, OVPN3_BACKENDS_INTERFACE,
                                               "StatusChange", path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                               on_status_signal, &signals, NULL);
      /* best effort: the status is polled as well */
      fwd = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, "LogForward",
                           g_variant_new("(b)", TRUE), NULL, NULL);
    }
  /* what the session said before: only a change after Connect means something */
  f.last_message = NULL;
  if (!get_status(path, &f.last_major, &f.last_minor, &f.last_message, NULL))
    f.last_message = g_strdup("");
  if (options->connect && !web)
    code = connect_again(cli, path);
  if (code == OVPN3_EXIT_OK && options->background)
    printf("The session is connecting in the background: %s\n"
           "Follow it with `ovpn3 log --path %s`; see it with `ovpn3 sessions-list`.\n",
           path, path);
  else if (code == OVPN3_EXIT_OK)
    {
      f.cli = cli;
      f.path = path;
      f.tty = isatty(2) && g_strcmp0(g_getenv("TERM"), "dumb") != 0;
      interrupted = 0;
      sa.sa_handler = on_sigint;
      sigaction(SIGINT, &sa, &old_sa);
      code = follow(&f, &signals, options->timeout);
      sigaction(SIGINT, &old_sa, NULL);
    }
  g_free(f.last_message);
  if (fwd != NULL)
    {
      g_autoptr(GVariant) off G_GNUC_UNUSED
          = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, "LogForward",
                           g_variant_new("(b)", FALSE), NULL, NULL);
    }
  if (sub != 0)
    g_dbus_connection_signal_unsubscribe(bus, sub);
  g_queue_clear_full(&signals, (GDestroyNotify) status_free);
  return code;
}
