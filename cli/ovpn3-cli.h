/* ovpn3-cli.h — the ovpn3 command-line tool: shared context, exit codes, commands
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <stdio.h>

#include <gio/gio.h>

G_BEGIN_DECLS

/* Documented exit codes (ovpn3(1), `ovpn3 help`). */
typedef enum
{
  OVPN3_EXIT_OK = 0,
  OVPN3_EXIT_ERROR = 1,         /* the request failed (refused, invalid profile, …) */
  OVPN3_EXIT_USAGE = 2,         /* bad command line */
  OVPN3_EXIT_NOT_FOUND = 3,     /* no such profile / session / user */
  OVPN3_EXIT_ACCESS_DENIED = 4, /* not allowed */
  OVPN3_EXIT_UNAVAILABLE = 5,   /* a service could not be reached, or did not answer */
} Ovpn3ExitCode;

/* Errors the CLI raises itself; the code is the exit code. */
#define OVPN3_CLI_ERROR (ovpn3_cli_error_quark())
GQuark ovpn3_cli_error_quark(void);

typedef struct
{
  gboolean verbose;   /* --verbose: raw D-Bus error names */
  gboolean color_out; /* colour on stdout */
  gboolean color_err; /* colour on stderr */
  const char *command;
} Ovpn3Cli;

typedef int (*Ovpn3CliCommandFunc)(Ovpn3Cli *cli, int argc, char **argv);

typedef struct
{
  const char *name;
  const char *summary;
  const char *usage; /* arguments after the command name */
  const char *description;
  const GOptionEntry *(*entries)(void);
  Ovpn3CliCommandFunc run;
} Ovpn3CliCommand;

/* ---- command table (ovpn3-cli-main.c) ----------------------------------- */
const Ovpn3CliCommand *ovpn3_cli_commands(void);
const Ovpn3CliCommand *ovpn3_cli_command_lookup(const char *name);
int ovpn3_cli_main(int argc, char **argv);

/* Parse a command's options; on a bad command line prints the error and the usage and returns
 * FALSE with *exit_code = OVPN3_EXIT_USAGE; for --help prints the help and returns FALSE with
 * *exit_code = OVPN3_EXIT_OK. */
gboolean ovpn3_cli_parse(Ovpn3Cli *cli, const Ovpn3CliCommand *cmd, const GOptionEntry *entries,
                         int *argc, char ***argv, int *exit_code);
/* Print "ovpn3: <message>" + usage of the current command; returns OVPN3_EXIT_USAGE. */
int ovpn3_cli_usage_error(Ovpn3Cli *cli, const char *format, ...) G_GNUC_PRINTF(2, 3);
void ovpn3_cli_print_command_help(const Ovpn3CliCommand *cmd, FILE *out);

/* ---- commands ------------------------------------------------------------ */
int ovpn3_cmd_version(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_version_entries(void);
int ovpn3_cmd_config_import(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_config_import_entries(void);
int ovpn3_cmd_configs_list(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_configs_list_entries(void);
int ovpn3_cmd_config_dump(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_config_dump_entries(void);
int ovpn3_cmd_config_manage(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_config_manage_entries(void);
int ovpn3_cmd_config_acl(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_config_acl_entries(void);
int ovpn3_cmd_config_remove(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_config_remove_entries(void);

int ovpn3_cmd_session_start(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_session_start_entries(void);
int ovpn3_cmd_sessions_list(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_sessions_list_entries(void);
int ovpn3_cmd_session_stats(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_session_stats_entries(void);
int ovpn3_cmd_session_auth(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_session_auth_entries(void);
int ovpn3_cmd_session_manage(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_session_manage_entries(void);
int ovpn3_cmd_session_acl(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_session_acl_entries(void);
int ovpn3_cmd_log(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_log_entries(void);

G_END_DECLS
