/* client-openvpn.h — one openvpn 2.6 process and its management connection.
 *
 * Writes the sanitised profile (0600) into a private 0700 directory under the
 * runtime directory, listens there for openvpn's management connection
 * (--management-client), spawns openvpn with the enforced flags of design §3
 * (as the calling user, without capabilities, with a minimal environment)
 * and forwards every management notification and every line of openvpn's
 * output. Once openvpn has connected (it has parsed its configuration by
 * then) the profile and the directory are removed, so no key material stays on
 * disk even if the backend is killed. "exited" comes once the process is
 * reaped and the management connection is closed.
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
} Ovpn3ClientOpenvpnConfig;

/* Signals:
 *   "event"  (gpointer Ovpn3MgmtEvent*): every management notification.
 *   "output" (const char *line): a line of openvpn's stdout/stderr.
 *   "exited" (gint wait_status, or -1 if it never started). */
Ovpn3ClientOpenvpn *ovpn3_client_openvpn_new(void);

/* The argv for cfg (NULL-terminated; exported for the unit test). */
GStrv ovpn3_client_openvpn_build_argv(const Ovpn3ClientOpenvpnConfig *cfg, const char *profile_path,
                                      const char *mgmt_path, const char *user);

gboolean ovpn3_client_openvpn_start(Ovpn3ClientOpenvpn *self, const Ovpn3ClientOpenvpnConfig *cfg,
                                    GError **error);
gboolean ovpn3_client_openvpn_is_running(Ovpn3ClientOpenvpn *self);
/* The management client once openvpn connected, else NULL. */
Ovpn3MgmtClient *ovpn3_client_openvpn_get_mgmt(Ovpn3ClientOpenvpn *self);
/* Queues a command (transfer full); a failure is only logged (never the arguments of a secret). */
void ovpn3_client_openvpn_send(Ovpn3ClientOpenvpn *self, Ovpn3MgmtCommand *cmd);
/* `signal SIGTERM` over the socket (or SIGTERM to the process), SIGKILL after timeout_s. */
void ovpn3_client_openvpn_stop(Ovpn3ClientOpenvpn *self, guint timeout_s);
/* The private directory ("" before start). */
const char *ovpn3_client_openvpn_get_dir(Ovpn3ClientOpenvpn *self);

G_END_DECLS
