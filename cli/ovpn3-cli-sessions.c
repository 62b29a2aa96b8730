#define G_LOG_DOMAIN "ovpn3-cli-sessions"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-inline.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-session.h"

/* ==== session-start ========================================================================== */

static struct
{
  char *config;
  char *config_path;
  gboolean background;
  char *dco;
  int timeout;
  gboolean allow_outside;
  gboolean persist_tun;
} start;

const GOptionEntry *
ovpn3_cmd_session_start_entries(void)
{
  static const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &start.config,
      "A profile's name, or a profile file (imported for this session only)", "NAME|FILE" },
    { "config-path", 'p', 0, G_OPTION_ARG_STRING, &start.config_path,
      "The profile at this D-Bus object path", "PATH" },
    { "path", 'o', 0, G_OPTION_ARG_STRING, &start.config_path, "Same as --config-path", "PATH" },
    { "background", 'b', 0, G_OPTION_ARG_NONE, &start.background,
      "Return once the connection is under way", NULL },
    { "dco", 0, 0, G_OPTION_ARG_STRING, &start.dco, "Use data channel offload", "yes|no" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &start.timeout,
      "Disconnect if not connected after this many seconds", "SECONDS" },
    { "persist-tun", 0, 0, G_OPTION_ARG_NONE, &start.persist_tun,
      "With --config: set the profile's persist-tun override first", NULL },
    { "allow-outside-files", 0, 0, G_OPTION_ARG_NONE, &start.allow_outside,
      "With a profile FILE: also inline files outside its folder or reached through symbolic "
      "links",
      NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

/* The profile to start: by path, by name, or imported from a file for this session only. */
static char *
start_profile(Ovpn3Cli *cli, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **paths = NULL;
  g_autoptr(Ovpn3Inlined) inlined = NULL;
  char *path;

  if (start.config_path != NULL)
    {
      if (!g_variant_is_object_path(start.config_path)
          || !g_str_has_prefix(start.config_path, OVPN3_CONFIG_PATH_PREFIX))
        {
          *code = ovpn3_cli_usage_error(cli, "'%s' is not a profile path", start.config_path);
          return NULL;
        }
      return g_strdup(start.config_path);
    }
  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                         "LookupConfigName", g_variant_new("(s)", start.config),
                         G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    {
      *code = ovpn3_cli_report(cli, error, "cannot look up the profile", NULL);
      return NULL;
    }
  g_variant_get(reply, "(^a&o)", &paths);
  if (g_strv_length((char **) paths) > 1)
    {
      *code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR,
                             "Choose one with --config-path PATH (`ovpn3 configs-list --paths`)",
                             "%u profiles are named '%s'", g_strv_length((char **) paths),
                             start.config);
      return NULL;
    }
  if (paths[0] != NULL)
    return g_strdup(paths[0]);
  if (!g_file_test(start.config, G_FILE_TEST_EXISTS))
    {
      *code = ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND, "`ovpn3 configs-list` shows your profiles",
                             "there is neither a profile named '%s' nor such a file", start.config);
      return NULL;
    }
  inlined = ovpn3_cli_inline_profile(start.config, start.allow_outside, &error);
  if (inlined == NULL)
    {
      *code = ovpn3_cli_report(cli, error, NULL, NULL);
      return NULL;
    }
  ovpn3_inlined_print_files(inlined);
  g_clear_pointer(&reply, g_variant_unref);
  reply = ovpn3_cli_call(
      OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, "Import",
      g_variant_new("(ssbb)", start.config, ovpn3_inlined_text(inlined), TRUE, FALSE),
      G_VARIANT_TYPE("(o)"), &error);
  if (reply == NULL)
    {
      if (ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_OTHER)
        {
          g_autofree char *text = NULL;
          ovpn3_cli_strip_remote_error(error);
          text = ovpn3_inlined_explain(inlined, error->message);
          *code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR, NULL, "the profile was refused: %s", text);
        }
      else
        *code = ovpn3_cli_report(cli, error, "cannot import the profile", NULL);
      return NULL;
    }
  g_variant_get(reply, "(o)", &path);
  return path;
}

int
ovpn3_cmd_session_start(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  gboolean dco = FALSE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *config = NULL;
  g_autofree char *session = NULL;
  Ovpn3CliConnectOptions options = { 0 };

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("session-start"),
                       ovpn3_cmd_session_start_entries(), &argc, &argv, &code))
    return code;
  if ((start.config == NULL) == (start.config_path == NULL))
    return ovpn3_cli_usage_error(cli, "give --config NAME|FILE or --config-path PATH");
  if (start.dco != NULL && !ovpn3_cli_parse_bool(start.dco, &dco))
    return ovpn3_cli_usage_error(cli, "--dco takes yes or no, not '%s'", start.dco);
  if (start.timeout < 0)
    return ovpn3_cli_usage_error(cli, "--timeout cannot be negative");
  if (start.persist_tun && start.config == NULL)
    return ovpn3_cli_usage_error(cli, "--persist-tun can only be used with --config");

  config = start_profile(cli, &code);
  if (config == NULL)
    return code;
  if (start.persist_tun)
    {
      reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, config, OVPN3_CONFIG_INTERFACE, "SetOverride",
                             g_variant_new("(sv)", "persist-tun", g_variant_new_boolean(TRUE)),
                             NULL, &error);
      if (reply == NULL)
        return ovpn3_cli_report(cli, error, "cannot set the persist-tun override", NULL);
      g_clear_pointer(&reply, g_variant_unref);
    }
  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, config, OVPN3_CONFIG_INTERFACE, "Validate", NULL,
                         NULL, &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "the profile cannot be used",
                            "Fix it with `ovpn3 config-manage`, or import a complete profile");
  g_clear_pointer(&reply, g_variant_unref);
  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "NewTunnel", g_variant_new("(o)", config), G_VARIANT_TYPE("(o)"), &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "cannot start the session",
                            strstr(error->message, "already running") != NULL
                                ? "`ovpn3 sessions-list` shows it"
                                : NULL);
  g_variant_get(reply, "(o)", &session);
  if (start.dco != NULL
      && !ovpn3_cli_set_property(OVPN3_SESSIONS_BUS_NAME, session, OVPN3_SESSIONS_INTERFACE, "dco",
                                 g_variant_new_boolean(dco), &error))
    return ovpn3_cli_report(cli, error, "cannot set DCO", NULL);
  options.background = start.background;
  options.timeout = (guint) start.timeout;
  options.connect = TRUE;
  return ovpn3_cli_session_connect(cli, session, &options);
}

/* ==== sessions-list ========================================================================== */

static struct
{
  gboolean json;
  gboolean paths;
} sl;

const GOptionEntry *
ovpn3_cmd_sessions_list_entries(void)
{
  static const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &sl.json, "Print a JSON array (see ovpn3(1))", NULL },
    { "paths", 0, 0, G_OPTION_ARG_NONE, &sl.paths, "Also show each session's D-Bus path", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static JsonObject *
session_json(const char *path, GVariant *p)
{
  JsonObject *obj = json_object_new();
  guint32 owner, major, minor;
  const char *msg, *proto, *address;
  guint32 port;
  static const char *const copy[] = { "config_name",
                                      "config_path",
                                      "owner",
                                      "session_created",
                                      "backend_pid",
                                      "device_name",
                                      "device_path",
                                      "session_name",
                                      "dco",
                                      "public_access",
                                      "restrict_log_access",
                                      "acl",
                                      "log_verbosity",
                                      NULL };

  json_object_set_string_member(obj, "path", path);
  for (guint i = 0; copy[i] != NULL; i++)
    {
      g_autoptr(GVariant) v = p != NULL ? g_variant_lookup_value(p, copy[i], NULL) : NULL;
      json_object_set_member(obj, copy[i], ovpn3_variant_to_json(v));
    }
  if (ovpn3_vardict_u32(p, "owner", &owner))
    {
      g_autofree char *name = ovpn3_cli_user_name(owner);
      json_object_set_string_member(obj, "owner_name", name);
    }
  else
    json_object_set_null_member(obj, "owner_name");
  if (p != NULL && g_variant_lookup(p, "status", "(uu&s)", &major, &minor, &msg))
    {
      JsonObject *st = json_object_new();
      json_object_set_int_member(st, "major", major);
      json_object_set_int_member(st, "minor", minor);
      json_object_set_string_member(st, "message", msg);
      json_object_set_string_member(st, "text", ovpn3_cli_status_text(major, minor));
      json_object_set_object_member(obj, "status", st);
    }
  else
    json_object_set_null_member(obj, "status");
  if (p != NULL && g_variant_lookup(p, "connected_to", "(&s&su)", &proto, &address, &port)
      && *address != '\0')
    {
      JsonObject *ct = json_object_new();
      json_object_set_string_member(ct, "protocol", proto);
      json_object_set_string_member(ct, "address", address);
      json_object_set_int_member(ct, "port", port);
      json_object_set_object_member(obj, "connected_to", ct);
    }
  else
    json_object_set_null_member(obj, "connected_to");
  return obj;
}

/* FetchAvailableSessions + one GetAll per session.  Returns the number, or -1 (reported). */
static int
fetch_sessions(Ovpn3Cli *cli, char ***paths_out, Ovpn3CliGetAll **items_out, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  char **paths = NULL;
  Ovpn3CliGetAll *items;
  guint n;

  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "FetchAvailableSessions", NULL, G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    {
      *code = ovpn3_cli_report(cli, error, "cannot list the sessions", NULL);
      return -1;
    }
  g_variant_get(reply, "(^ao)", &paths);
  items = ovpn3_cli_get_all_paths(OVPN3_SESSIONS_BUS_NAME, (const char *const *) paths,
                                  OVPN3_SESSIONS_INTERFACE, &n);
  *paths_out = paths;
  *items_out = items;
  return (int) n;
}

static void
print_sessions_json(char **paths, Ovpn3CliGetAll *items, int n)
{
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
  JsonArray *arr = json_array_new();

  for (int i = 0; i < n; i++)
    if (items[i].props != NULL)
      json_array_add_object_element(arr, session_json(paths[i], items[i].props));
  json_node_take_array(root, arr);
  ovpn3_cli_print_json(root);
}

/* The cells of one session's line in the table. */
static char **
session_cells(const char *path, GVariant *p)
{
  g_autoptr(GStrvBuilder) cb = g_strv_builder_new();
  g_autofree char *owner = NULL, *started = NULL, *server = NULL, *status = NULL;
  guint32 u, major, minor, port;
  guint64 t;
  const char *msg, *proto, *address;

  owner = ovpn3_vardict_u32(p, "owner", &u) ? ovpn3_cli_user_name(u) : NULL;
  started = ovpn3_vardict_u64(p, "session_created", &t) ? ovpn3_cli_format_time(t, "-") : NULL;
  if (g_variant_lookup(p, "connected_to", "(&s&su)", &proto, &address, &port) && *address != '\0')
    server = g_strdup_printf("%s:%u/%s", address, port, proto);
  if (g_variant_lookup(p, "status", "(uu&s)", &major, &minor, &msg))
    status = g_strdup(ovpn3_cli_status_text(major, minor));
  g_strv_builder_add(cb, ovpn3_vardict_str(p, "config_name") ?: "");
  g_strv_builder_add(cb, owner ?: "");
  g_strv_builder_add(cb, started ?: "");
  g_strv_builder_add(cb, ovpn3_vardict_str(p, "device_name") ?: "");
  g_strv_builder_add(cb, server ?: "");
  g_strv_builder_add(cb, status ?: "");
  if (sl.paths)
    g_strv_builder_add(cb, path);
  return g_strv_builder_end(cb);
}

static void
print_sessions_table(Ovpn3Cli *cli, char **paths, Ovpn3CliGetAll *items, int n)
{
  static const char *const headers[]
      = { "PROFILE", "OWNER", "STARTED", "DEVICE", "SERVER", "STATUS", "PATH", NULL };
  g_autoptr(Ovpn3Table) table = ovpn3_table_new_without(headers, sl.paths ? NULL : "PATH");

  for (int i = 0; i < n; i++)
    if (items[i].props != NULL) /* else ended meanwhile */
      ovpn3_table_add_row_take(table, session_cells(paths[i], items[i].props));
  ovpn3_table_print(table, stdout, cli->color_out);
}

int
ovpn3_cmd_sessions_list(Ovpn3Cli *cli, int argc, char **argv)
{
  int code = OVPN3_EXIT_OK, n;
  g_auto(GStrv) paths = NULL;
  Ovpn3CliGetAll *items = NULL;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("sessions-list"),
                       ovpn3_cmd_sessions_list_entries(), &argc, &argv, &code))
    return code;
  n = fetch_sessions(cli, &paths, &items, &code);
  if (n < 0)
    return code;
  if (sl.json)
    print_sessions_json(paths, items, n);
  else if (n == 0)
    printf("No sessions.\nStart one with `ovpn3 session-start --config NAME`.\n");
  else
    print_sessions_table(cli, paths, items, n);
  ovpn3_cli_get_all_items_free(items, (guint) n);
  return code;
}

/* ==== session-stats ========================================================================== */

static struct
{
  char *config;
  char *path;
  char *interface;
  gboolean json;
} st;

const GOptionEntry *
ovpn3_cmd_session_stats_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SESSION_SELECT_ENTRIES(st.config, st.path, st.interface),
    { "json", 'j', 0, G_OPTION_ARG_NONE, &st.json, "Print JSON (see ovpn3(1))", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

int
ovpn3_cmd_session_stats(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) stats = NULL;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("session-stats"),
                       ovpn3_cmd_session_stats_entries(), &argc, &argv, &code))
    return code;
  path = ovpn3_cli_select_session(cli, st.config, st.path, st.interface, &code);
  if (path == NULL)
    return code;
  stats = ovpn3_cli_get_property(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE,
                                 "statistics", &error);
  if (stats == NULL)
    return ovpn3_cli_report(cli, error, "cannot read the statistics", NULL);
  if (!g_variant_is_of_type(stats, G_VARIANT_TYPE("a{sx}")))
    return ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR, NULL, "the statistics have type %s",
                          g_variant_get_type_string(stats));
  if (st.json)
    {
      g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
      JsonObject *obj = json_object_new();
      JsonObject *counters = json_object_new();
      GVariantIter iter;
      const char *key;
      gint64 value;

      g_variant_iter_init(&iter, stats);
      while (g_variant_iter_next(&iter, "{&sx}", &key, &value))
        json_object_set_int_member(counters, key, value);
      json_object_set_string_member(obj, "path", path);
      json_object_set_object_member(obj, "statistics", counters);
      json_node_take_object(root, obj);
      ovpn3_cli_print_json(root);
    }
  else if (g_variant_n_children(stats) == 0)
    printf("No statistics yet (the session has not connected).\n");
  else
    {
      static const char *const headers[] = { "COUNTER", "VALUE", NULL };
      g_autoptr(Ovpn3Table) table = ovpn3_table_new(headers);
      GVariantIter iter;
      const char *key;
      gint64 value;

      g_variant_iter_init(&iter, stats);
      while (g_variant_iter_next(&iter, "{&sx}", &key, &value))
        {
          char **row = g_new0(char *, 3);
          row[0] = g_strdup(key);
          row[1] = g_strdup_printf("%" G_GINT64_FORMAT, value);
          ovpn3_table_add_row_take(table, row);
        }
      ovpn3_table_print(table, stdout, cli->color_out);
    }
  return OVPN3_EXIT_OK;
}

/* ==== session-auth =========================================================================== */

static struct
{
  char *config;
  char *path;
  char *interface;
  int pid;
  int timeout;
} au;

const GOptionEntry *
ovpn3_cmd_session_auth_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SESSION_SELECT_ENTRIES(au.config, au.path, au.interface),
    { "auth-req", 0, 0, G_OPTION_ARG_INT, &au.pid,
      "The session whose backend has this process ID (as listed)", "PID" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &au.timeout, "Give up waiting after this many seconds",
      "SECONDS" },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static gboolean
waits_for_user(GVariant *p, gboolean *web)
{
  guint32 major, minor;
  const char *msg;

  if (p == NULL || !g_variant_lookup(p, "status", "(uu&s)", &major, &minor, &msg))
    return FALSE;
  *web = major == OVPN3_STATUS_MAJOR_SESSION && minor == OVPN3_STATUS_MINOR_SESS_AUTH_URL;
  return *web
         || (major == OVPN3_STATUS_MAJOR_CONNECTION
             && minor == OVPN3_STATUS_MINOR_CFG_REQUIRE_USER);
}

int
ovpn3_cmd_session_auth(Ovpn3Cli *cli, int argc, char **argv)
{
  int code = OVPN3_EXIT_OK, n;
  g_auto(GStrv) paths = NULL;
  Ovpn3CliGetAll *items = NULL;
  g_autofree char *path = NULL;
  Ovpn3CliConnectOptions options = { 0 };

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("session-auth"),
                       ovpn3_cmd_session_auth_entries(), &argc, &argv, &code))
    return code;
  if (au.config == NULL && au.path == NULL && au.interface == NULL)
    {
      static const char *const headers[] = { "PID", "PROFILE", "WAITING FOR", "PATH", NULL };
      g_autoptr(Ovpn3Table) table = ovpn3_table_new(headers);

      n = fetch_sessions(cli, &paths, &items, &code);
      if (n < 0)
        return code;
      for (int i = 0; i < n; i++)
        {
          gboolean web = FALSE;
          guint32 pid = 0;
          char **row;

          if (!waits_for_user(items[i].props, &web))
            continue;
          ovpn3_vardict_u32(items[i].props, "backend_pid", &pid);
          if (au.pid > 0)
            {
              if ((guint32) au.pid == pid)
                path = g_strdup(paths[i]);
              continue;
            }
          row = g_new0(char *, 5);
          row[0] = g_strdup_printf("%u", pid);
          row[1] = g_strdup(ovpn3_vardict_str(items[i].props, "config_name"));
          row[2] = g_strdup(web ? "web login" : "credentials");
          row[3] = g_strdup(paths[i]);
          ovpn3_table_add_row_take(table, row);
        }
      ovpn3_cli_get_all_items_free(items, (guint) n);
      if (au.pid > 0 && path == NULL)
        return ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND,
                              "`ovpn3 session-auth` lists the sessions waiting for you",
                              "no session with backend PID %d is waiting for you", au.pid);
      if (au.pid <= 0)
        {
          if (ovpn3_table_rows(table) == 0)
            printf("No session is waiting for you.\n");
          else
            {
              ovpn3_table_print(table, stdout, cli->color_out);
              printf("Answer with `ovpn3 session-auth --auth-req PID`.\n");
            }
          return OVPN3_EXIT_OK;
        }
    }
  else
    {
      path = ovpn3_cli_select_session(cli, au.config, au.path, au.interface, &code);
      if (path == NULL)
        return code;
    }
  options.connect = TRUE;
  options.timeout = au.timeout > 0 ? (guint) au.timeout : 0;
  return ovpn3_cli_session_connect(cli, path, &options);
}
