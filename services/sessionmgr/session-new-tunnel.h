/* session-new-tunnel.h — the manager's NewTunnel(o config_path) → o session_path: who may use
 * the profile, what it asks of the host, the quotas, a new session object and its first backend
 * client; SESS_CREATED before the reply (docs/architecture.md §2). The steps are listed at the
 * top of session-new-tunnel.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "session-manager.h"

G_BEGIN_DECLS

void ovpn3_session_new_tunnel(Ovpn3SessionManager *manager, const Ovpn3Caller *caller,
                              GVariant *parameters, GDBusMethodInvocation *invocation);

G_END_DECLS
