/* ovpn3-cli-admin.h — `ovpn3 admin SUBCOMMAND`: the administrator's commands
 * (ovpn3-admin(8)): log-service, netcfg-service, sessions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* `ovpn3 admin SUBCOMMAND …` (the entry of the command table) */
int ovpn3_cmd_admin(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_admin_entries(void);

/* The sub-commands' table (ovpn3-cli-admin.c), for help and the man-page test. */
const Ovpn3CliCommand *ovpn3_cli_admin_commands(void);

/* ovpn3-cli-admin-services.c */
int ovpn3_cmd_admin_log_service(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_admin_log_service_entries(void);
int ovpn3_cmd_admin_netcfg_service(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_admin_netcfg_service_entries(void);

/* ovpn3-cli-admin.c */
int ovpn3_cmd_admin_sessions(Ovpn3Cli *cli, int argc, char **argv);
const GOptionEntry *ovpn3_cmd_admin_sessions_entries(void);
const GOptionEntry *ovpn3_cmd_admin_sessionmgr_entries(void);

/* Parses the options of the sub-command cli->command names (as ovpn3_cli_parse). */
gboolean ovpn3_cli_admin_parse(Ovpn3Cli *cli, int *argc, char ***argv, int *exit_code);

G_END_DECLS
