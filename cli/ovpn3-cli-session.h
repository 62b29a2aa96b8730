/* ovpn3-cli-session.h — shared parts of the session commands: status words, the credentials
 * walk (docs/dbus-api.md §6) and waiting for the outcome of a connection (picking a session:
 * ovpn3-cli-select.h)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"
#include "ovpn3-cli-select.h"

G_BEGIN_DECLS

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
