/* ovpn3-cli-select.h — pick one profile (--config NAME, --path PATH) or one session (--path,
 * --config, --interface)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* The object path of the profile chosen by @name (LookupConfigName; an object path is taken as
 * such) or @path.  On failure prints a plain error (none given, not found, ambiguous: lists the
 * paths) and returns NULL with *exit_code set. */
char *ovpn3_cli_select_config(Ovpn3Cli *cli, const char *name, const char *path, int *exit_code);

/* The GOptionEntry triple every profile command uses; the strings go into *name / *path.
 * --config-path is openvpn3's spelling of --path. */
#define OVPN3_CLI_SELECT_ENTRIES(name_var, path_var)                                               \
  { "config", 'c', 0, G_OPTION_ARG_STRING, &(name_var), "The profile with this name", "NAME" },    \
      { "path", 'o', 0, G_OPTION_ARG_STRING, &(path_var), "The profile at this D-Bus object path", \
        "PATH" },                                                                                  \
  {                                                                                                \
    "config-path", 0, 0, G_OPTION_ARG_STRING, &(path_var), "Same as --path", "PATH"                \
  }

/* A session chosen by --path (openvpn3: --session-path), --config (sessions' LookupConfigName)
 * or --interface (LookupInterface).  On failure prints a plain error and returns NULL with
 * *exit_code set. */
char *ovpn3_cli_select_session(Ovpn3Cli *cli, const char *config, const char *path,
                               const char *interface, int *exit_code);

#define OVPN3_CLI_SESSION_SELECT_ENTRIES(config_var, path_var, iface_var)                          \
  { "config",                                                                                      \
    'c',                                                                                           \
    0,                                                                                             \
    G_OPTION_ARG_STRING,                                                                           \
    &(config_var),                                                                                 \
    "The session started from the profile with this name",                                         \
    "NAME" },                                                                                      \
      { "path", 'o', 0, G_OPTION_ARG_STRING, &(path_var), "The session at this D-Bus object path", \
        "PATH" },                                                                                  \
      { "session-path", 0, 0, G_OPTION_ARG_STRING, &(path_var), "Same as --path", "PATH" },        \
  {                                                                                                \
    "interface", 'I', 0, G_OPTION_ARG_STRING, &(iface_var),                                        \
        "The session using this network interface (e.g. tun0)", "DEV"                              \
  }

G_END_DECLS
