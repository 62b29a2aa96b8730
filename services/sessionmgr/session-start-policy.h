/* session-start-policy.h — what NewTunnel decides from the profile itself before a backend
 * client is started (docs/architecture.md §3, §4 and docs/security.md). The profile is read
 * once, with FetchJSON as the service user (not counted as a use: only a backend's Fetch is):
 *  - options openvpn cannot honour under an engine uid without capabilities (`lport` < 1024,
 *    `mark`, `lladdr`, `nice` < 0, `mlock`) are refused whoever asks;
 *  - privileged options (`bind-dev`, `dev` naming a host device) need polkit
 *    net.openvpn.v3.profile.privileged-options for the caller (interactive if the call allows
 *    it; uid 0 always);
 *  - host-wide sessions: a profile that configures `redirect-gateway`, or whose `dns-scope`
 *    override is global, needs net.openvpn.v3.session.start-host-wide (interactive if the call
 *    allows it); for any other profile it is asked without interaction and the answer is kept
 *    for the session: without it the backend ignores a pushed redirect-gateway or global DNS.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

/* dns_scope_global: the profile's dns-scope override is "global" (from its properties, which
 * the caller read already). */
void ovpn3_start_policy_check_async(GDBusConnection *connection, const Ovpn3Caller *caller,
                                    const char *config_path, gboolean dns_scope_global,
                                    gboolean interactive, GAsyncReadyCallback callback,
                                    gpointer user_data);
/* TRUE if the session may start; *host_wide: the caller may take the host's default route and
 * global DNS (start-host-wide); *ask_later: that answer is still to be asked (the profile does
 * not configure host-wide settings, so it only decides about pushed ones): ask it with
 * ovpn3_start_policy_ask_host_wide_async() while the backend starts, and tell the backend
 * before RegistrationConfirmation; *note (may be NULL, or set to NULL) gets a line for the
 * log. FALSE with @error, to be returned to the caller as it is (its domain and code carry the
 * D-Bus error name). */
gboolean ovpn3_start_policy_check_finish(GAsyncResult *result, gboolean *host_wide,
                                         gboolean *ask_later, char **note, GError **error);
/* start-host-wide for the caller, without interaction (uid 0 without asking). */
void ovpn3_start_policy_ask_host_wide_async(const Ovpn3Caller *caller, GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean ovpn3_start_policy_ask_host_wide_finish(GAsyncResult *result);

G_END_DECLS
