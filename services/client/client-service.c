#define G_LOG_DOMAIN "ovpn3-client-service"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "client-backend.h"
#include "client-service.h"
#include "ovpn3-names.h"

static char *client_token;
static char *client_bus_name;
static guint client_log_level = OVPN3_LOG_LEVEL_DEFAULT;

static gpointer
client_start(Ovpn3ServiceContext *ctx, GError **error)
{
  guint level = ctx->log != NULL ? ovpn3_log_client_get_level(ctx->log) : client_log_level;

  /* alive until the session ends, whatever OVPN3_IDLE_EXIT says */
  ovpn3_idle_hold(ctx->idle);
  return ovpn3_client_backend_new(ctx, client_bus_name, client_token, level, error);
}

static void
client_name_acquired(gpointer service)
{
  ovpn3_client_backend_register(service);
}

static void
client_stop(gpointer service)
{
  ovpn3_client_backend_shutdown(service);
  g_object_unref(service);
}

/* The token is the only positional argument; the scaffold parses the options. */
static gboolean
find_token(int argc, char **argv)
{
  g_auto(GStrv) orig = g_new0(char *, argc + 1);
  g_autofree char **copy = g_new0(char *, argc + 1);
  g_autoptr(GOptionContext) octx = g_option_context_new("TOKEN");
  g_auto(GStrv) rest = NULL;
  g_autofree char *state_dir = NULL;
  gint dummy_int = 0;
  gint log_level = OVPN3_LOG_LEVEL_DEFAULT;
  gboolean dummy_bool = FALSE;
  char **args = copy;
  int n = argc;
  const GOptionEntry entries[] = {
    { "idle-exit", 0, 0, G_OPTION_ARG_INT, &dummy_int, NULL, NULL },
    { "log-stderr", 0, 0, G_OPTION_ARG_NONE, &dummy_bool, NULL, NULL },
    { "log-level", 0, 0, G_OPTION_ARG_INT, &log_level, NULL, NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir, NULL, NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &dummy_bool, NULL, NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, NULL },
    { NULL },
  };

  /* parsing shuffles and drops entries of copy; orig frees the strings */
  for (int i = 0; i < argc; i++)
    copy[i] = orig[i] = g_strdup(argv[i]);
  g_option_context_add_main_entries(octx, entries, NULL);
  g_option_context_set_help_enabled(octx, FALSE);
  if (!g_option_context_parse(octx, &n, &args, NULL))
    return TRUE; /* the scaffold reports the option error */
  if (rest == NULL || rest[0] == NULL || rest[1] != NULL || *rest[0] == '\0'
      || strlen(rest[0]) > 256)
    return FALSE;
  client_token = g_strdup(rest[0]);
  if (log_level >= 0 && log_level <= OVPN3_LOG_LEVEL_MAX)
    client_log_level = (guint) log_level;
  return TRUE;
}

int
ovpn3_client_service_main(int argc, char **argv)
{
  Ovpn3ServiceDesc desc = {
    .summary = "ovpn3 backend client: drives one openvpn 2.6 process for one VPN session.",
    .log_group = OVPN3_LOG_GROUP_CLIENT,
    .interface = OVPN3_BACKENDS_INTERFACE,
    .path = OVPN3_BACKEND_SESSION_PATH,
    .default_idle_exit = 0,
    .attach_log = TRUE,
    .start = client_start,
    .name_acquired = client_name_acquired,
    .stop = client_stop,
  };
  gboolean wants_info = FALSE;

  for (int i = 1; i < argc; i++)
    if (g_str_equal(argv[i], "--version") || g_str_equal(argv[i], "--help")
        || g_str_equal(argv[i], "-h"))
      wants_info = TRUE;
  if (!find_token(argc, argv) || (client_token == NULL && !wants_info))
    {
      g_printerr("usage: %s [--log-level N] [--log-stderr] TOKEN\n", argv[0]);
      return 2;
    }
  client_bus_name = g_strdup_printf(OVPN3_BACKEND_BUS_NAME_PREFIX "%d", (int) getpid());
  desc.bus_name = client_bus_name;
  return ovpn3_service_run(&desc, argc, argv);
}
