#define G_LOG_DOMAIN "ovpn3-cli-admin"

/* ovpn3-cli-admin.c — `ovpn3 admin`: the sub-command table and its dispatch,
 * and `ovpn3 admin sessions` (every user's sessions). The two service
 * commands are in ovpn3-cli-admin-services.c. */

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ovpn3-cli-admin.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-session.h"
#include "ovpn3-names.h"

static const Ovpn3CliCommand admin_commands[] = {
  { "admin log-service", "Show or change the log service's settings",
    "[--log-level N] [--timestamp BOOL] [--dbus-details BOOL] [--enable-log-prefix BOOL] "
    "[--destination journald|stderr|FILE] [--list-subscriptions] [--json]",
    "Without options shows the settings of net.openvpn.v3.log. Every change is kept by the "
    "log service (log-service.json in its state directory) and applies at once; the "
    "destination only root may change. --list-subscriptions lists the attached services.",
    ovpn3_cmd_admin_log_service_entries, ovpn3_cmd_admin_log_service },
  { "admin netcfg-service", "Show or change the network configuration service's settings",
    "[--dns-backend auto|resolved|resolv-conf] [--log-level N] [--list-subscribers] [--json]",
    "Without options shows the settings of net.openvpn.v3.netcfg. --dns-backend pins where "
    "DNS goes (auto: systemd-resolved when it runs, else /etc/resolv.conf) for the sessions "
    "that connect afterwards; netcfg keeps it in its own store in /run/ovpn3/netcfg, so it "
    "lasts until the next reboot. --list-subscribers lists the NetworkChange subscribers.",
    ovpn3_cmd_admin_netcfg_service_entries, ovpn3_cmd_admin_netcfg_service },
  { "admin sessions", "List every user's VPN sessions", "[--json]",
    "Needs root or the polkit authorization net.openvpn.v3.manage-others; without it only "
    "your own sessions are listed, and a note says so.",
    ovpn3_cmd_admin_sessions_entries, ovpn3_cmd_admin_sessions },
  { "admin sessionmgr-service", "The same list, in openvpn3-admin's spelling",
    "[--list-sessions] [--list-sessions-verbose] [--json]",
    "openvpn3-admin sessionmgr-service --list-sessions: the same as `ovpn3 admin sessions`.",
    ovpn3_cmd_admin_sessionmgr_entries, ovpn3_cmd_admin_sessions },
  { NULL, NULL, NULL, NULL, NULL, NULL },
};

const Ovpn3CliCommand *
ovpn3_cli_admin_commands(void)
{
  return admin_commands;
}

static const Ovpn3CliCommand *
lookup(const char *name)
{
  for (const Ovpn3CliCommand *c = admin_commands; c->name != NULL; c++)
    if (g_str_equal(c->name + strlen("admin "), name))
      return c;
  return NULL;
}

gboolean
ovpn3_cli_admin_parse(Ovpn3Cli *cli, int *argc, char ***argv, int *exit_code)
{
  const Ovpn3CliCommand *cmd = lookup(cli->command + strlen("admin "));

  return ovpn3_cli_parse(cli, cmd, cmd->entries(), argc, argv, exit_code);
}

static void
print_admin_help(FILE *out)
{
  fprintf(out, "Usage: ovpn3 admin SUBCOMMAND [OPTIONS]\n\n"
               "The administrator's commands (root; see ovpn3-admin(8)):\n");
  for (const Ovpn3CliCommand *c = admin_commands; c->name != NULL; c++)
    fprintf(out, "  %-16s %s\n", c->name + strlen("admin "), c->summary);
  fprintf(out, "\nRun `ovpn3 admin SUBCOMMAND --help` for its options.\n");
}

/* `ovpn3 admin SUBCOMMAND …`: argv[0] is "admin". */
int
ovpn3_cmd_admin(Ovpn3Cli *cli, int argc, char **argv)
{
  const Ovpn3CliCommand *cmd;

  if (argc < 2)
    {
      print_admin_help(stderr);
      return OVPN3_EXIT_USAGE;
    }
  if (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))
    {
      /* the same text as `ovpn3 help admin` */
      ovpn3_cli_print_command_help(ovpn3_cli_command_lookup("admin"), stdout);
      return OVPN3_EXIT_OK;
    }
  cmd = lookup(argv[1]);
  if (cmd == NULL)
    return ovpn3_cli_usage_error(cli,
                                 "unknown admin command '%s' (log-service, netcfg-service, "
                                 "sessions or sessionmgr-service)",
                                 argv[1]);
  cli->command = cmd->name;
  return cmd->run(cli, argc - 1, argv + 1);
}

const GOptionEntry *
ovpn3_cmd_admin_entries(void)
{
  static const GOptionEntry entries[] = { G_OPTION_ENTRY_NULL };
  return entries;
}

/* ==== admin sessions ========================================================================= */

static gboolean sessions_json;
static gboolean list_flag; /* sessionmgr-service --list-sessions[-verbose]: the default anyway */

const GOptionEntry *
ovpn3_cmd_admin_sessions_entries(void)
{
  static const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &sessions_json,
      "Print a JSON array: path, profile, owner (uid and name), started, device, status", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

const GOptionEntry *
ovpn3_cmd_admin_sessionmgr_entries(void)
{
  static const GOptionEntry entries[] = {
    { "list-sessions", 0, 0, G_OPTION_ARG_NONE, &list_flag, "List every user's sessions", NULL },
    { "list-sessions-verbose", 0, 0, G_OPTION_ARG_NONE, &list_flag,
      "The same (the list always has every column)", NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &sessions_json, "Print a JSON array", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static JsonObject *
session_object(const char *path, GVariant *p)
{
  JsonObject *obj = json_object_new();
  g_autoptr(GVariant) created = g_variant_lookup_value(p, "session_created", NULL);
  guint32 owner = 0, major = 0, minor = 0;
  const char *msg = "";

  json_object_set_string_member(obj, "path", path);
  json_object_set_string_member(obj, "config_name", ovpn3_vardict_str(p, "config_name"));
  if (ovpn3_vardict_u32(p, "owner", &owner))
    {
      g_autofree char *name = ovpn3_cli_user_name(owner);

      json_object_set_int_member(obj, "owner", owner);
      json_object_set_string_member(obj, "owner_name", name);
    }
  json_object_set_member(obj, "session_created", ovpn3_variant_to_json(created));
  json_object_set_string_member(obj, "device_name", ovpn3_vardict_str(p, "device_name"));
  if (g_variant_lookup(p, "status", "(uu&s)", &major, &minor, &msg))
    json_object_set_string_member(obj, "status", ovpn3_cli_status_text(major, minor));
  return obj;
}

static char **
session_row(const char *path, GVariant *p)
{
  g_autoptr(GStrvBuilder) cb = g_strv_builder_new();
  g_autofree char *owner = NULL, *started = NULL;
  guint32 uid, major, minor;
  guint64 t;
  const char *msg;

  owner = ovpn3_vardict_u32(p, "owner", &uid) ? ovpn3_cli_user_name(uid) : NULL;
  started = ovpn3_vardict_u64(p, "session_created", &t) ? ovpn3_cli_format_time(t, "-") : NULL;
  g_strv_builder_add(cb, ovpn3_vardict_str(p, "config_name") ?: "");
  g_strv_builder_add(cb, owner ?: "");
  g_strv_builder_add(cb, started ?: "");
  g_strv_builder_add(cb, ovpn3_vardict_str(p, "device_name") ?: "");
  g_strv_builder_add(cb, g_variant_lookup(p, "status", "(uu&s)", &major, &minor, &msg)
                             ? ovpn3_cli_status_text(major, minor)
                             : "");
  g_strv_builder_add(cb, path);
  return g_strv_builder_end(cb);
}

static void
print_sessions(Ovpn3Cli *cli, char **paths, Ovpn3CliGetAll *items, guint n)
{
  static const char *const headers[]
      = { "PROFILE", "OWNER", "STARTED", "DEVICE", "STATUS", "PATH", NULL };
  g_autoptr(Ovpn3Table) table = ovpn3_table_new(headers);
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
  JsonArray *arr = json_array_new();

  for (guint i = 0; i < n; i++)
    if (items[i].props != NULL) /* else ended meanwhile */
      {
        json_array_add_object_element(arr, session_object(paths[i], items[i].props));
        ovpn3_table_add_row_take(table, session_row(paths[i], items[i].props));
      }
  json_node_take_array(root, arr);
  if (sessions_json)
    ovpn3_cli_print_json(root);
  else if (ovpn3_table_rows(table) == 0)
    printf("No sessions.\n");
  else
    ovpn3_table_print(table, stdout, cli->color_out);
}

int
ovpn3_cmd_admin_sessions(Ovpn3Cli *cli, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_auto(GStrv) paths = NULL;
  Ovpn3CliGetAll *items;
  int code;
  guint n;

  if (!ovpn3_cli_admin_parse(cli, &argc, &argv, &code))
    return code;
  /* root, or a caller polkit already granted manage-others, gets every session */
  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "FetchAvailableSessions", NULL, G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "cannot list the sessions", NULL);
  g_variant_get(reply, "(^ao)", &paths);
  items = ovpn3_cli_get_all_paths(OVPN3_SESSIONS_BUS_NAME, (const char *const *) paths,
                                  OVPN3_SESSIONS_INTERFACE, &n);
  print_sessions(cli, paths, items, n);
  ovpn3_cli_get_all_items_free(items, n);
  if (getuid() != 0)
    fprintf(stderr, "Note: not root: other users' sessions are listed only with the polkit "
                    "authorization net.openvpn.v3.manage-others.\n");
  return OVPN3_EXIT_OK;
}
