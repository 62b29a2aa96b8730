#define G_LOG_DOMAIN "ovpn3-cli-main"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "ovpn3-cli.h"
#include "ovpn3-cli-admin.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-names.h"

static int cmd_help(Ovpn3Cli *cli, int argc, char **argv);
static int cmd_complete(Ovpn3Cli *cli, int argc, char **argv);

static const GOptionEntry *
no_entries(void)
{
  static const GOptionEntry entries[] = { G_OPTION_ENTRY_NULL };
  return entries;
}

static const Ovpn3CliCommand commands[] = {
  { "config-import", "Import a profile (.ovpn file) for later use",
    "--config FILE [OPTIONS] | --from-openvpn3 [DIR]",
    "Reads FILE as you, inlines every file it refers to (ca, cert, key, tls-auth, tls-crypt, "
    "tls-crypt-v2, pkcs12, extra-certs, dh, crl-verify, auth-user-pass, http-proxy credentials; "
    "relative paths are relative to FILE's folder) and imports the result. Only files inside "
    "FILE's folder, reached without symbolic links, are read unless --allow-outside-files is "
    "given; every inlined file is listed on stderr. The profile belongs to you. Prints the new "
    "profile's object path. As root, --from-openvpn3 imports OpenVPN 3 Linux's persistent "
    "profiles (its *.json files) with their owners, tags, overrides and access lists.",
    ovpn3_cmd_config_import_entries, ovpn3_cmd_config_import },
  { "configs-list", "List the profiles you can use", "[OPTIONS]",
    "One line per profile you own or were given access to. Filters combine (all must match).",
    ovpn3_cmd_configs_list_entries, ovpn3_cmd_configs_list },
  { "config-dump", "Show a profile's text or details", "--config NAME | --path PATH [--json]",
    "Prints the profile as OpenVPN text (it can be imported again), or with --json its options "
    "and properties.",
    ovpn3_cmd_config_dump_entries, ovpn3_cmd_config_dump },
  { "config-manage", "Rename a profile, change its tags and overrides",
    "--config NAME | --path PATH [OPTIONS]",
    "Changes a profile you own. Without a change option it shows the profile's settings. A "
    "value for the proxy-password override is asked for (without echo), never taken from the "
    "command line.",
    ovpn3_cmd_config_manage_entries, ovpn3_cmd_config_manage },
  { "config-acl", "Show or change who may use a profile", "--config NAME | --path PATH [OPTIONS]",
    "Grants or revokes access for other users, makes a profile public, locks it down (users "
    "with access may start it but not read it), seals it (read-only for good) or lets sessions "
    "started from it belong to the profile's owner. Without a change option it shows the "
    "access list.",
    ovpn3_cmd_config_acl_entries, ovpn3_cmd_config_acl },
  { "config-remove", "Remove a profile", "--config NAME | --path PATH [--force]",
    "Removes a profile you own. On a terminal it asks first, unless --force is given.",
    ovpn3_cmd_config_remove_entries, ovpn3_cmd_config_remove },
  { "session-start", "Connect: start a VPN session from a profile",
    "--config NAME|FILE | --config-path PATH [OPTIONS]",
    "Starts a session from a profile (by name, or a file imported for this session only), asks "
    "for what the server needs (user name, password without echo, challenge answers; a web "
    "login is opened in your browser when there is a desktop, https: only) and shows the "
    "progress until it is connected or has failed.",
    ovpn3_cmd_session_start_entries, ovpn3_cmd_session_start },
  { "sessions-list", "List your VPN sessions", "[--json] [--paths]",
    "One line per session you own or were given access to.", ovpn3_cmd_sessions_list_entries,
    ovpn3_cmd_sessions_list },
  { "session-manage", "Pause, resume, restart or end a session",
    "--path PATH | --config NAME | --interface DEV ACTION",
    "ACTION is one of --pause, --resume, --restart, --disconnect, --log-level N; --cleanup "
    "ends every session of yours whose backend is gone.",
    ovpn3_cmd_session_manage_entries, ovpn3_cmd_session_manage },
  { "session-stats", "Show a session's traffic counters",
    "--path PATH | --config NAME | --interface DEV [--json]", NULL, ovpn3_cmd_session_stats_entries,
    ovpn3_cmd_session_stats },
  { "session-auth", "List or answer sessions waiting for you", "[--auth-req PID | --path PATH]",
    "Without options lists the sessions that wait for credentials or a web login; with one "
    "selected, asks the questions and waits for the connection.",
    ovpn3_cmd_session_auth_entries, ovpn3_cmd_session_auth },
  { "session-acl", "Show or change who may manage a session",
    "--path PATH | --config NAME | --interface DEV [OPTIONS]", NULL, ovpn3_cmd_session_acl_entries,
    ovpn3_cmd_session_acl },
  { "log", "Follow a session's log and status messages",
    "--path PATH | --config NAME | --interface DEV [--log-level N]",
    "Prints the session's messages as they come, until the session ends or Ctrl-C. Only new "
    "messages are shown; older ones are in the journal.",
    ovpn3_cmd_log_entries, ovpn3_cmd_log },
  { "admin", "Administer the services and every user's sessions (root)",
    "log-service|netcfg-service|sessions [OPTIONS]",
    "log-service: the log service's level, time stamps, details and destination; "
    "netcfg-service: the DNS backend and NetworkChange subscribers; sessions: every user's "
    "sessions. See ovpn3-admin(8).",
    ovpn3_cmd_admin_entries, ovpn3_cmd_admin },
  { "version", "Show the version of ovpn3 (and of the services)", "[--services] [--json]",
    "Prints the version of this program and the D-Bus API level it speaks; with --services "
    "also the version each service reports.",
    ovpn3_cmd_version_entries, ovpn3_cmd_version },
  { "help", "Show help for ovpn3 or one command", "[COMMAND]",
    "Without a command, lists the commands and the exit codes.", no_entries, cmd_help },
  { "__complete", NULL, NULL, NULL, no_entries, cmd_complete },
  { NULL, NULL, NULL, NULL, NULL, NULL },
};

const Ovpn3CliCommand *
ovpn3_cli_commands(void)
{
  return commands;
}

const Ovpn3CliCommand *
ovpn3_cli_command_lookup(const char *name)
{
  for (const Ovpn3CliCommand *c = commands; c->name != NULL; c++)
    if (g_str_equal(c->name, name))
      return c;
  return NULL;
}

/* ---- help --------------------------------------------------------------------------------- */

static const char exit_codes_text[] = "Exit codes:\n"
                                      "  0  success\n"
                                      "  1  the request failed (the service refused it)\n"
                                      "  2  bad command line (usage is printed)\n"
                                      "  3  not found (no such profile, session or user)\n"
                                      "  4  permission denied\n"
                                      "  5  a service is not available or did not answer\n";

static gboolean verbose_flag;
static gboolean help_flag;

static const GOptionEntry common_entries[] = {
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose_flag,
    "Show the raw D-Bus error names and more detail", NULL },
  { "help", 'h', 0, G_OPTION_ARG_NONE, &help_flag, "Show this help", NULL },
  G_OPTION_ENTRY_NULL,
};

static void
print_entries(const GOptionEntry *entries, FILE *out)
{
  for (const GOptionEntry *e = entries; e != NULL && e->long_name != NULL; e++)
    {
      g_autofree char *left = NULL;
      const char *arg = e->arg_description;

      if (e->flags & G_OPTION_FLAG_HIDDEN)
        continue;
      if (arg == NULL && e->arg != G_OPTION_ARG_NONE)
        arg = "VALUE";
      if (e->short_name)
        left = g_strdup_printf("-%c, --%s%s%s", e->short_name, e->long_name, arg ? " " : "",
                               arg ? arg : "");
      else
        left = g_strdup_printf("    --%s%s%s", e->long_name, arg ? " " : "", arg ? arg : "");
      if (strlen(left) > 30)
        fprintf(out, "  %s\n  %-30s %s\n", left, "", e->description);
      else
        fprintf(out, "  %-30s %s\n", left, e->description);
    }
}

static void
print_wrapped(FILE *out, const char *text, guint width)
{
  g_auto(GStrv) words = g_strsplit(text, " ", -1);
  guint col = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      guint len = (guint) g_utf8_strlen(words[i], -1);

      if (len == 0)
        continue;
      if (col > 0 && col + 1 + len > width)
        {
          fputc('\n', out);
          col = 0;
        }
      else if (col > 0)
        {
          fputc(' ', out);
          col++;
        }
      fputs(words[i], out);
      col += len;
    }
  fputc('\n', out);
}

void
ovpn3_cli_print_command_help(const Ovpn3CliCommand *cmd, FILE *out)
{
  fprintf(out, "Usage: ovpn3 %s %s\n\n", cmd->name, cmd->usage);
  fprintf(out, "%s.\n", cmd->summary);
  if (cmd->description != NULL)
    print_wrapped(out, cmd->description, 78);
  fprintf(out, "\nOptions:\n");
  print_entries(cmd->entries(), out);
  print_entries(common_entries, out);
  fprintf(out, "\n%s", exit_codes_text);
}

static void
print_main_help(FILE *out)
{
  fprintf(out, "Usage: ovpn3 [--verbose] COMMAND [OPTIONS]\n\n"
               "Manage OpenVPN profiles and sessions through the ovpn3 services.\n"
               "You do not need sudo: profiles belong to the user who imported them.\n\n"
               "Commands:\n");
  for (const Ovpn3CliCommand *c = commands; c->name != NULL; c++)
    if (c->summary != NULL)
      fprintf(out, "  %-15s %s\n", c->name, c->summary);
  fprintf(out,
          "\nRun `ovpn3 help COMMAND` or `ovpn3 COMMAND --help` for a command's options;\n"
          "`man ovpn3` for the whole manual.\n\n%s",
          exit_codes_text);
}

static int
cmd_help(Ovpn3Cli *cli, int argc, char **argv)
{
  const Ovpn3CliCommand *cmd;
  int code;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("help"), no_entries(), &argc, &argv, &code))
    return code;
  if (argc < 2)
    {
      print_main_help(stdout);
      return OVPN3_EXIT_OK;
    }
  if (argc > 2)
    return ovpn3_cli_usage_error(cli, "give one command name");
  cmd = ovpn3_cli_command_lookup(argv[1]);
  if (cmd == NULL || cmd->summary == NULL)
    return ovpn3_cli_usage_error(cli, "unknown command '%s'", argv[1]);
  ovpn3_cli_print_command_help(cmd, stdout);
  return OVPN3_EXIT_OK;
}

/* Hidden: used by the bash completion.  `__complete commands`, `__complete options CMD`,
 * `__complete configs` (profile names). */
static int
cmd_complete(Ovpn3Cli *cli, int argc, char **argv)
{
  if (argc >= 2 && g_str_equal(argv[1], "commands"))
    {
      for (const Ovpn3CliCommand *c = commands; c->name != NULL; c++)
        if (c->summary != NULL)
          printf("%s\n", c->name);
      return OVPN3_EXIT_OK;
    }
  if (argc >= 3 && g_str_equal(argv[1], "options"))
    {
      const Ovpn3CliCommand *cmd = ovpn3_cli_command_lookup(argv[2]);

      if (cmd == NULL)
        return OVPN3_EXIT_USAGE;
      for (const GOptionEntry *e = cmd->entries(); e->long_name != NULL; e++)
        if (!(e->flags & G_OPTION_FLAG_HIDDEN))
          printf("--%s\n", e->long_name);
      for (const GOptionEntry *e = common_entries; e->long_name != NULL; e++)
        printf("--%s\n", e->long_name);
      return OVPN3_EXIT_OK;
    }
  if (argc >= 2 && g_str_equal(argv[1], "configs"))
    {
      g_autoptr(GVariant) reply = NULL;
      g_autofree const char **paths = NULL;
      g_autoptr(GPtrArray) props = NULL;

      reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                             "FetchAvailableConfigs", NULL, G_VARIANT_TYPE("(ao)"), NULL);
      if (reply == NULL)
        return OVPN3_EXIT_UNAVAILABLE;
      g_variant_get(reply, "(^a&o)", &paths);
      props = ovpn3_cli_get_all_many(OVPN3_CONFIG_BUS_NAME, paths, OVPN3_CONFIG_INTERFACE);
      for (guint i = 0; i < props->len; i++)
        {
          const char *name = ovpn3_vardict_str(g_ptr_array_index(props, i), "name");
          if (name != NULL)
            printf("%s\n", name);
        }
      return OVPN3_EXIT_OK;
    }
  return OVPN3_EXIT_USAGE;
}

/* ---- parsing ------------------------------------------------------------------------------ */

static const Ovpn3CliCommand *current_command;

int
ovpn3_cli_usage_error(Ovpn3Cli *cli, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start(ap, format);
  text = g_strdup_vprintf(format, ap);
  va_end(ap);
  ovpn3_cli_fail(cli, OVPN3_EXIT_USAGE, NULL, "%s", text);
  if (current_command != NULL)
    fprintf(stderr, "Usage: ovpn3 %s %s\nRun `ovpn3 help %s` for the options.\n",
            current_command->name, current_command->usage, current_command->name);
  else
    fprintf(stderr, "Usage: ovpn3 [--verbose] COMMAND [OPTIONS]\n"
                    "Run `ovpn3 help` for the list of commands.\n");
  return OVPN3_EXIT_USAGE;
}

gboolean
ovpn3_cli_parse(Ovpn3Cli *cli, const Ovpn3CliCommand *cmd, const GOptionEntry *entries, int *argc,
                char ***argv, int *exit_code)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
  g_autoptr(GError) error = NULL;

  current_command = cmd;
  g_option_context_set_help_enabled(ctx, FALSE);
  g_option_context_set_ignore_unknown_options(ctx, FALSE);
  g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_main_entries(ctx, common_entries, NULL);
  help_flag = FALSE;
  if (!g_option_context_parse(ctx, argc, argv, &error))
    {
      *exit_code = ovpn3_cli_usage_error(cli, "%s", error->message);
      return FALSE;
    }
  if (verbose_flag)
    cli->verbose = TRUE;
  if (help_flag)
    {
      ovpn3_cli_print_command_help(cmd, stdout);
      *exit_code = OVPN3_EXIT_OK;
      return FALSE;
    }
  /* only `help` takes a positional argument */
  if (*argc > 1 && !g_str_equal(cmd->name, "help"))
    {
      *exit_code = ovpn3_cli_usage_error(cli, "unexpected argument '%s'", (*argv)[1]);
      return FALSE;
    }
  return TRUE;
}

int
ovpn3_cli_main(int argc, char **argv)
{
  Ovpn3Cli cli = { 0 };
  const Ovpn3CliCommand *cmd;
  int first = 1;

  setlocale(LC_ALL, "");
  cli.color_out = ovpn3_cli_use_color(1);
  cli.color_err = ovpn3_cli_use_color(2);

  for (; first < argc && argv[first][0] == '-'; first++)
    {
      if (g_str_equal(argv[first], "--verbose") || g_str_equal(argv[first], "-v"))
        cli.verbose = TRUE;
      else if (g_str_equal(argv[first], "--help") || g_str_equal(argv[first], "-h"))
        {
          print_main_help(stdout);
          return OVPN3_EXIT_OK;
        }
      else if (g_str_equal(argv[first], "--version"))
        {
          printf("ovpn3 %s (D-Bus API %s)\n", OVPN3_VERSION, OVPN3_API_VERSION);
          return OVPN3_EXIT_OK;
        }
      else
        return ovpn3_cli_usage_error(&cli, "unknown option '%s' (options go after the command)",
                                     argv[first]);
    }
  if (first >= argc)
    return ovpn3_cli_usage_error(&cli, "no command given");
  cmd = ovpn3_cli_command_lookup(argv[first]);
  if (cmd == NULL)
    {
      /* friendly aliases from the openvpn3 tool */
      return ovpn3_cli_usage_error(&cli, "unknown command '%s'", argv[first]);
    }
  cli.command = cmd->name;
  current_command = cmd;
  return cmd->run(&cli, argc - first, argv + first);
}
