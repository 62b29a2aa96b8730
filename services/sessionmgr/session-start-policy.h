/* session-start-policy.h — what NewTunnel decides from the profile itself before a backend
 * client is started (design §3, §4). The profile is read once, with FetchJSON as the service
 * user (not counted as a use: only a backend's Fetch is):
 *  - options openvpn cannot honour under an engine uid without capabilities (`lport` < 1024,
 *    `mark`, `lladdr`, `nice` < 0, `mlock`) are refused whoever asks;
 *  - privileged options (`bind-dev`, `dev` naming a host device) need polkit
 *    net.openvpn.v3.profile.privileged-options for the caller (interactive if the call allows
 *    it; uid 0 always).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

void ovpn3_start_policy_check_async(GDBusConnection *connection, const Ovpn3Caller *caller,
                                    const char *config_path, gboolean interactive,
                                    GAsyncReadyCallback callback, gpointer user_data);
/* TRUE if the session may start; *note (may be NULL) gets a line for the log or NULL. FALSE
 * with @error, to be returned to the caller as it is (its domain and code carry the D-Bus error
 * name). */
gboolean ovpn3_start_policy_check_finish(GAsyncResult *result, char **note, GError **error);

G_END_DECLS
