#define G_LOG_DOMAIN "ovpn3-service"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib-unix.h>

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-service.h"

/* Memory (bench/README.md "session_start"): GLib 2.74's slice allocator keeps
 * slabs per object size and magazines per thread, and glibc gives each thread
 * that allocates its own malloc arena (the GDBus worker's, GLib's worker's);
 * in processes this small that was 70-110 KiB of anonymous memory more than
 * one plain malloc heap. GLib's own constructor makes the first slice
 * allocation, after which the slice configuration is fixed, so it is set from
 * the executable's .preinit_array: the dynamic loader runs that before any
 * library's constructor (an environment variable set there would not last:
 * libc's constructor puts back the environment the process started with).
 * GLib 2.76 and later always use malloc. */
static void
preinit_memory(int argc, char **argv, char **envp)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_slice_set_config(G_SLICE_CONFIG_ALWAYS_MALLOC, TRUE);
  G_GNUC_END_IGNORE_DEPRECATIONS
  mallopt(M_ARENA_MAX, 1);
}

__attribute__((section(".preinit_array"),
               used)) static void (*const ovpn3_service_preinit)(int, char **, char **)
    = preinit_memory;

typedef struct
{
  const Ovpn3ServiceDesc *desc;
  Ovpn3ServiceContext ctx;
  gpointer service;
  gboolean name_acquired;
  int exit_code;
} ServiceRun;

void
ovpn3_service_quit(Ovpn3ServiceContext *ctx)
{
  g_main_loop_quit(ctx->loop);
}

static gboolean
on_signal(gpointer user_data)
{
  ServiceRun *run = user_data;

  g_debug("terminating on signal");
  g_main_loop_quit(run->ctx.loop);
  return G_SOURCE_CONTINUE;
}

static void
on_idle(Ovpn3Idle *idle, gpointer user_data)
{
  ServiceRun *run = user_data;

  g_message("%s: idle for %u s, exiting", run->desc->bus_name, ovpn3_idle_get_timeout(idle));
  g_main_loop_quit(run->ctx.loop);
}

static void
on_name_acquired(GDBusConnection *connection, const char *name, gpointer user_data)
{
  ServiceRun *run = user_data;

  run->name_acquired = TRUE;
  g_debug("acquired %s", name);
  if (run->desc->name_acquired != NULL)
    run->desc->name_acquired(run->service);
}

static void
on_name_lost(GDBusConnection *connection, const char *name, gpointer user_data)
{
  ServiceRun *run = user_data;

  if (!run->name_acquired)
    g_printerr("%s: could not own the bus name %s (another instance running, or not allowed "
               "by the D-Bus policy)\n",
               g_get_prgname(), name);
  else
    g_printerr("%s: lost the bus name %s\n", g_get_prgname(), name);
  run->exit_code = 1;
  g_main_loop_quit(run->ctx.loop);
}

static guint
idle_timeout_from_env(guint fallback)
{
  const char *env = g_getenv(OVPN3_ENV_IDLE_EXIT);
  guint64 value;

  if (env == NULL || *env == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned(env, 10, 0, G_MAXUINT32, &value, NULL))
    {
      g_warning("ignoring invalid %s=%s", OVPN3_ENV_IDLE_EXIT, env);
      return fallback;
    }
  return (guint) value;
}

static char *
state_dir_from_env(void)
{
  const char *env = g_getenv(OVPN3_ENV_STATE_DIR);

  if (env == NULL || *env == '\0')
    env = g_getenv("STATE_DIRECTORY"); /* systemd StateDirectory= */
  if (env == NULL || *env == '\0')
    return NULL;
  /* STATE_DIRECTORY may list several, separated by ':' */
  return g_strndup(env, strcspn(env, ":"));
}

typedef struct
{
  gint idle_exit;
  gboolean log_stderr;
  gboolean version;
  gint log_level;
  char *state_dir;
} ServiceOptions;

/* The common options and the service's own; returns -1 to go on, else the
 * exit status (--version, a bad option). */
static int
parse_options(const Ovpn3ServiceDesc *desc, int *argc, char ***argv, ServiceOptions *opts)
{
  g_autoptr(GOptionContext) octx = g_option_context_new(NULL);
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
    { "idle-exit", 0, 0, G_OPTION_ARG_INT, &opts->idle_exit,
      "Exit after SECONDS without activity (0 = never)", "SECONDS" },
    { "log-stderr", 0, 0, G_OPTION_ARG_NONE, &opts->log_stderr, "Also log to standard error",
      NULL },
    { "log-level", 0, 0, G_OPTION_ARG_INT, &opts->log_level, "Log level 0–6 (default 3)", "LEVEL" },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &opts->state_dir, "Directory for persistent state",
      "DIR" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &opts->version, "Print the version and exit", NULL },
    { NULL },
  };

  g_option_context_set_summary(octx, desc->summary);
  g_option_context_add_main_entries(octx, entries, NULL);
  if (desc->extra_options != NULL)
    g_option_context_add_main_entries(octx, desc->extra_options, NULL);
  if (!g_option_context_parse(octx, argc, argv, &error))
    {
      g_printerr("%s: %s\n", g_get_prgname(), error->message);
      return 2;
    }
  if (opts->version)
    {
      g_print("%s %s (API %s)\n", g_get_prgname(), OVPN3_VERSION, OVPN3_API_VERSION);
      return 0;
    }
  if (opts->log_level < 0 || opts->log_level > OVPN3_LOG_LEVEL_MAX)
    {
      g_printerr("%s: --log-level must be 0–%d\n", g_get_prgname(), OVPN3_LOG_LEVEL_MAX);
      return 2;
    }
  if (opts->idle_exit < -1)
    {
      g_printerr("%s: --idle-exit must be 0 or more seconds\n", g_get_prgname());
      return 2;
    }
  if (opts->state_dir == NULL)
    opts->state_dir = state_dir_from_env();
  return -1;
}

/* Owns the bus name once the objects are exported, runs the main loop until
 * a signal, idle exit or a lost name, then stops the service. */
static int
run_main_loop(ServiceRun *run)
{
  const Ovpn3ServiceDesc *desc = run->desc;
  guint owner_id, sigterm_id, sigint_id;

  /* unless asked otherwise, the log service is activated after our first
   * answer, not beside it */
  if (run->ctx.log != NULL && desc->attach_log_at_start)
    ovpn3_log_client_attach(run->ctx.log);
  else if (run->ctx.log != NULL)
    ovpn3_log_client_attach_after_first_reply(run->ctx.log, 1);

  owner_id = g_bus_own_name_on_connection(run->ctx.connection, desc->bus_name,
                                          G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, on_name_acquired,
                                          on_name_lost, run, NULL);
  sigterm_id = g_unix_signal_add(SIGTERM, on_signal, run);
  sigint_id = g_unix_signal_add(SIGINT, on_signal, run);

  g_main_loop_run(run->ctx.loop);

  g_source_remove(sigterm_id);
  g_source_remove(sigint_id);
  /* clean up first, then give up the name: once the name is gone from the
   * bus, whatever the service held is released */
  if (desc->stop != NULL)
    desc->stop(run->service);
  g_bus_unown_name(owner_id);
  g_dbus_connection_flush_sync(run->ctx.connection, NULL, NULL);
  return run->exit_code;
}

/* Before anything else: secrets live in our memory, so no core dumps, no
 * ptrace or /proc/PID/mem for other processes of the service user
 * (docs/security.md §1); then the service's early setup. */
static gboolean
harden(const Ovpn3ServiceDesc *desc, const char *argv0)
{
  g_autoptr(GError) error = NULL;

  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_warning("PR_SET_DUMPABLE: %s", g_strerror(errno));
  if (desc->early_setup != NULL && !desc->early_setup(&error))
    {
      g_printerr("%s: %s\n", argv0, error->message);
      return FALSE;
    }
  return TRUE;
}

int
ovpn3_service_run(const Ovpn3ServiceDesc *desc, int argc, char **argv)
{
  ServiceRun run = { .desc = desc };
  ServiceOptions opts = { .idle_exit = -1, .log_level = OVPN3_LOG_LEVEL_DEFAULT };
  g_autofree char *state_dir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(Ovpn3Credentials) credentials = NULL;
  g_autoptr(Ovpn3Idle) idle = NULL;
  g_autoptr(Ovpn3LogClient) log = NULL;
  Ovpn3Exporter *exporter = NULL;
  int status;

  if (!harden(desc, argv[0]))
    return 1;
  setlocale(LC_ALL, "");
  g_autofree char *prgname = g_path_get_basename(argv[0]);

  g_set_prgname(prgname);
  status = parse_options(desc, &argc, &argv, &opts);
  state_dir = opts.state_dir;
  if (status >= 0)
    return status;

  ovpn3_error_register_all();

  connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  if (connection == NULL)
    {
      g_printerr("%s: cannot connect to the system bus: %s\n", g_get_prgname(), error->message);
      return 1;
    }
  /* we decide when to quit, not the bus */
  g_dbus_connection_set_exit_on_close(connection, FALSE);

  loop = g_main_loop_new(NULL, FALSE);
  credentials = ovpn3_credentials_new(connection);
  idle = ovpn3_idle_new(opts.idle_exit >= 0 ? (guint) opts.idle_exit
                                            : idle_timeout_from_env(desc->default_idle_exit));
  exporter = ovpn3_exporter_new(connection, credentials, idle);
  ovpn3_exporter_set_admin_check(exporter, desc->admin_check);
  if (desc->attach_log)
    {
      log = ovpn3_log_client_new(connection, desc->log_group, desc->interface, desc->path,
                                 opts.log_stderr);
      ovpn3_log_client_set_level(log, (guint) opts.log_level);
    }

  run.ctx = (Ovpn3ServiceContext){
    .connection = connection,
    .credentials = credentials,
    .idle = idle,
    .exporter = exporter,
    .log = log,
    .state_dir = state_dir,
    .log_stderr = opts.log_stderr,
    .log_level = (guint) opts.log_level,
    .loop = loop,
  };
  g_signal_connect(idle, "idle", G_CALLBACK(on_idle), &run);

  /* objects first, then the name: the first call after activation never
   * sees "Object does not exist" (docs/compatibility.md) */
  run.service = desc->start(&run.ctx, &error);
  if (run.service == NULL)
    {
      g_printerr("%s: %s\n", g_get_prgname(), error->message);
      ovpn3_exporter_free(exporter);
      return 1;
    }
  status = run_main_loop(&run);
  ovpn3_exporter_free(exporter);
  return status;
}
