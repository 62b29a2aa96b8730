#define G_LOG_DOMAIN "ovpn3-netcfg"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <cap-ng.h>
#include <linux/capability.h>

#include "netcfg-dns-resolvconf.h"
#include "netcfg-manager.h"
#include "netcfg-service.h"
#include "netcfg-settings.h"
#include "netcfg-store.h"
#include "netcfg-uplink.h"
#include "ovpn3-names.h"

static gboolean keep_privileges = FALSE;
/* tells the session manager about uplink changes (netcfg-uplink.h) */
static Ovpn3UplinkWatch *uplink_watch;

static const GOptionEntry netcfg_options[] = {
  { "keep-privileges", 0, 0, G_OPTION_ARG_NONE, &keep_privileges,
    "TESTS ONLY: do not drop privileges (do not use in production)", NULL },
  { NULL },
};

/* The directory netcfg_service_prepare() and start() agree on. */
static char *
state_dir_from_args(int argc, char **argv)
{
  const char *env;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal(argv[i], "--state-dir") && i + 1 < argc)
        return g_strdup(argv[i + 1]);
      if (g_str_has_prefix(argv[i], "--state-dir="))
        return g_strdup(argv[i] + strlen("--state-dir="));
    }
  env = g_getenv(OVPN3_ENV_STATE_DIR);
  if (env == NULL || *env == '\0')
    env = g_getenv("STATE_DIRECTORY");
  if (env != NULL && *env != '\0')
    return g_strndup(env, strcspn(env, ":"));
  return g_build_filename(OVPN3_RUNTIMEDIR, "netcfg", NULL);
}

static gboolean
has_arg(int argc, char **argv, const char *arg)
{
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal(argv[i], "--"))
        break;
      if (g_str_equal(argv[i], arg))
        return TRUE;
    }
  return FALSE;
}

/* netcfg's own state (netcfg-store.h): opened, and created if missing,
 * with the uid netcfg starts as (root), so that it stays out of reach of
 * the service user's other processes after the drop. Without it netcfg
 * still runs (no crash recovery, no resolv.conf fallback) and says so;
 * without the persistent directory its settings last until the reboot. */
static void
open_store(int argc, char **argv)
{
  g_autofree char *state_dir = state_dir_from_args(argc, argv);
  const char *persistent = g_getenv(OVPN3_ENV_NETCFG_STATE_DIR);
  g_autoptr(GError) error = NULL;

  if (!netcfg_store_open(state_dir, &error))
    g_printerr("ovpn3-service-netcfg: %s: crash recovery is off\n", error->message);
  g_clear_error(&error);
  if (persistent == NULL || *persistent == '\0')
    persistent = OVPN3_NETCFG_STATEDIR;
  if (!netcfg_store_open_persistent(persistent, &error))
    g_printerr("ovpn3-service-netcfg: %s: settings last until the next reboot\n", error->message);
}

/* Any capability besides CAP_NET_ADMIN in a set, as a name (or NULL). */
static const char *
extra_capability(void)
{
  capng_get_caps_process();
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
    {
      if (cap == CAP_NET_ADMIN)
        continue;
      if (capng_have_capability(CAPNG_EFFECTIVE, (unsigned) cap)
          || capng_have_capability(CAPNG_PERMITTED, (unsigned) cap)
          || capng_have_capability(CAPNG_INHERITABLE, (unsigned) cap)
          || capng_have_capability(CAPNG_AMBIENT, (unsigned) cap)
          || capng_have_capability(CAPNG_BOUNDING_SET, (unsigned) cap))
        {
          const char *name = capng_capability_to_name((unsigned) cap);

          return name != NULL ? name : "unknown";
        }
    }
  return NULL;
}

/* Step 4 of netcfg_service_prepare(): not root, and CAP_NET_ADMIN is the only
 * capability; FALSE (said on stderr) otherwise. */
static gboolean
privileges_are_minimal(void)
{
  const char *extra;

  if (getuid() == 0 || geteuid() == 0)
    {
      g_printerr("ovpn3-service-netcfg: refusing to run as root (use " NETCFG_OPTION_KEEP_PRIVILEGES
                 " in tests only)\n");
      return FALSE;
    }
  extra = extra_capability();
  if (extra != NULL)
    {
      g_printerr("ovpn3-service-netcfg: refusing to run with capability %s besides "
                 "CAP_NET_ADMIN (use " NETCFG_OPTION_KEEP_PRIVILEGES " in tests only)\n",
                 extra);
      return FALSE;
    }
  if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
    {
      g_printerr("ovpn3-service-netcfg: CAP_NET_ADMIN is missing; start it as root or with "
                 "CAP_NET_ADMIN\n");
      return FALSE;
    }
  return TRUE;
}

int
netcfg_service_prepare(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gboolean started_as_root = geteuid() == 0;
  struct passwd *pw;
  uid_t uid;
  gid_t gid;

  if (has_arg(argc, argv, "--help") || has_arg(argc, argv, "-h")
      || has_arg(argc, argv, "--help-all") || has_arg(argc, argv, "--version"))
    return 0;
  if (has_arg(argc, argv, NETCFG_OPTION_KEEP_PRIVILEGES))
    {
      g_printerr("ovpn3-service-netcfg: WARNING: " NETCFG_OPTION_KEEP_PRIVILEGES
                 " given: running with uid %u and all the capabilities it was started with "
                 "(tests only)\n",
                 (guint) geteuid());
      if (!netcfg_resolvconf_open(NETCFG_RESOLV_CONF, &error))
        g_printerr("ovpn3-service-netcfg: resolv.conf fallback unavailable: %s\n", error->message);
      open_store(argc, argv);
      return 0;
    }

  pw = getpwnam(OVPN3_SERVICE_USER);
  if (pw == NULL)
    {
      g_printerr("ovpn3-service-netcfg: the service user %s does not exist\n", OVPN3_SERVICE_USER);
      return 1;
    }
  uid = pw->pw_uid;
  gid = pw->pw_gid;

  if (started_as_root)
    {
      /* 1 + 2: what needs root, before it is gone */
      if (!netcfg_resolvconf_open(NETCFG_RESOLV_CONF, &error))
        g_printerr("ovpn3-service-netcfg: resolv.conf fallback unavailable: %s\n", error->message);
      open_store(argc, argv);

      /* 3: service user, CAP_NET_ADMIN only */
      capng_clear(CAPNG_SELECT_ALL);
      capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
      if (capng_change_id((int) uid, (int) gid,
                          CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT)
          != 0)
        {
          g_printerr("ovpn3-service-netcfg: cannot change to %s keeping CAP_NET_ADMIN "
                     "(needs CAP_SETUID, CAP_SETGID, CAP_SETPCAP)\n",
                     OVPN3_SERVICE_USER);
          return 1;
        }
    }

  /* 4: refuse to run with more than we need */
  if (!privileges_are_minimal())
    return 1;
  /* started without root: a state directory of this uid, if there is one
   * (never after the drop: that uid is the service user's) */
  if (!started_as_root)
    open_store(argc, argv);
  return 0;
}

static gpointer
netcfg_start(Ovpn3ServiceContext *ctx, GError **error)
{
  g_autofree char *state_dir = ctx->state_dir != NULL
                                   ? g_strdup(ctx->state_dir)
                                   : g_build_filename(OVPN3_RUNTIMEDIR, "netcfg", NULL);
  gpointer manager;

  netcfg_settings_load(); /* before any Establish asks which DNS backend */
  manager = netcfg_manager_new(ctx, state_dir, error);

  if (manager != NULL)
    uplink_watch = ovpn3_uplink_watch_new(ctx->connection);
  return manager;
}

static void
netcfg_stop(gpointer service)
{
  g_clear_pointer(&uplink_watch, ovpn3_uplink_watch_free);
  /* dispose removes every device and what was applied for it */
  g_object_run_dispose(service);
  g_object_unref(service);
}

const Ovpn3ServiceDesc ovpn3_netcfg_service = {
  .bus_name = OVPN3_NETCFG_BUS_NAME,
  .summary = "ovpn3 network configuration: tun/tap devices, addresses, routes and DNS for the "
             "VPN backends (the only privileged service).",
  .log_group = OVPN3_LOG_GROUP_NETCFG,
  .interface = OVPN3_NETCFG_INTERFACE,
  .path = OVPN3_NETCFG_PATH,
  .default_idle_exit = 300,
  .attach_log = TRUE,
  .start = netcfg_start,
  .stop = netcfg_stop,
  .extra_options = netcfg_options,
};
