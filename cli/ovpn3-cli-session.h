/* ovpn3-cli-session.h — shared parts of the session commands: picking a session, status
 * words, the credentials walk (docs/dbus-api.md §6) and waiting for the outcome of a connection
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* A session chosen by --path, --config (sessions' LookupConfigName) or --interface
 * (LookupInterface).  On failure prints a plain error and returns NULL with *exit_code set. */
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
  {                                                                                                \
    "interface", 'I', 0, G_OPTION_ARG_STRING, &(iface_var),                                        \
        "The session using this network interface (e.g. tun0)", "DEV"                              \
  }

/* Words for a (major, minor) status, e.g. "connected", "waiting for credentials". */
const char *ovpn3_cli_status_text(guint32 major, guint32 minor);

typedef struct
{
  gboolean background; /* return after Connect instead of waiting */
  guint timeout;       /* seconds to wait for an outcome; 0 = no limit */
  gboolean connect;    /* call Connect (FALSE: already connecting, e.g. Resume/Restart) */
} Ovpn3CliConnectOptions;

/* Answer the session's questions (Ready → user-input queue → Ready), Connect, then (unless in
 * the background) show the progress until it is connected or failed.  Returns the exit code. */
int ovpn3_cli_session_connect(Ovpn3Cli *cli, const char *session_path,
                              const Ovpn3CliConnectOptions *options);

G_END_DECLS
