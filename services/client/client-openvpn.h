/* client-openvpn.h — one openvpn 2.6 process and its management connection.
 *
 * Hands openvpn the sanitised profile as a sealed memfd (--config /dev/fd/3:
 * no file with key material is ever written), listens for its management
 * connection (--management-client) in a private directory under the runtime
 * directory (0710, group = the engine gid: only that openvpn can reach it),
 * accepts only the peer whose SO_PEERCRED uid and pid are openvpn's, spawns
 * openvpn with the enforced flags of docs/architecture.md §3 under the session's engine
 * uid and gid (no capabilities, NO_NEW_PRIVS, killed when we die, minimal
 * environment; docs/security.md §3) and forwards every management notification and
 * every line of openvpn's output. Signals go through the management socket
 * or from a short-lived child switched to the engine uid (we hold no
 * CAP_KILL). Once openvpn has connected the socket and the directory are
 * removed. "exited" comes once the process is reaped and the management
 * connection is closed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-mgmt-client.h"

G_BEGIN_DECLS

#define OVPN3_TYPE_CLIENT_OPENVPN (ovpn3_client_openvpn_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ClientOpenvpn, ovpn3_client_openvpn, OVPN3, CLIENT_OPENVPN, GObject)

typedef struct
{
  const char *binary;       /* openvpn binary */
  const char *runtime_base; /* e.g. /run/ovpn3: the private directory goes below it */
  const char *profile_text; /* sanitised profile (no inline credentials) */
  const char *dev_name;     /* device netcfg created */
  gboolean tap;
  guint verb;
  /* from profile overrides: after --config, before the enforced flags (which win) */
  const char *const *extra_args;
  gboolean query_remote; /* --management-query-remote (server/port/proto overrides) */
  guint32 engine_uid;    /* openvpn's own uid = gid (docs/security.md §3); G_MAXUINT32: ours */
  gboolean bind_local;   /* the profile sets lport, bind or local: no --nobind
                            (docs/architecture.md §3) */
} Ovpn3ClientOpenvpnConfig;

/* Signals:
 *   "event"  (gpointer Ovpn3MgmtEvent*): every management notification.
 *   "output" (const char *line): a line of openvpn's stdout/stderr.
 *   "exited" (gint wait_status, or -1 if it never started). */
Ovpn3ClientOpenvpn *ovpn3_client_openvpn_new(void);

/* The argv for cfg (NULL-terminated; exported for the unit test). */
GStrv ovpn3_client_openvpn_build_argv(const Ovpn3ClientOpenvpnConfig *cfg, const char *profile_path,
                                      const char *mgmt_path);

gboolean ovpn3_client_openvpn_start(Ovpn3ClientOpenvpn *self, const Ovpn3ClientOpenvpnConfig *cfg,
                                    GError **error);
gboolean ovpn3_client_openvpn_is_running(Ovpn3ClientOpenvpn *self);
/* The management client once openvpn connected, else NULL. */
Ovpn3MgmtClient *ovpn3_client_openvpn_get_mgmt(Ovpn3ClientOpenvpn *self);
/* Queues a command (transfer full, never NULL); a failure is only logged (never the arguments of
 * a secret). */
void ovpn3_client_openvpn_send(Ovpn3ClientOpenvpn *self, Ovpn3MgmtCommand *cmd);
/* `signal SIGTERM` over the socket (or SIGTERM to the process), SIGKILL after timeout_s. */
void ovpn3_client_openvpn_stop(Ovpn3ClientOpenvpn *self, guint timeout_s);
/* The private directory ("" before start). */
const char *ovpn3_client_openvpn_get_dir(Ovpn3ClientOpenvpn *self);

G_END_DECLS
