/* ovpn3-polkit.h — asynchronous polkit checks that never block the main
 * loop and honour the caller's allow-interactive-authorization flag.
 * uid 0 is authorised without asking.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-exported.h"

G_BEGIN_DECLS

/* interactive: pass ovpn3_polkit_invocation_is_interactive() for calls on
 * another user's object, FALSE for list/search filtering. */
void ovpn3_polkit_check_async(const char *sender, guint32 uid, const char *action_id,
                              gboolean interactive, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* TRUE if authorised; FALSE with no error if refused; FALSE with error if
 * polkit could not be asked (treated as refused by callers). */
gboolean ovpn3_polkit_check_finish(GAsyncResult *result, GError **error);

gboolean ovpn3_polkit_invocation_is_interactive(GDBusMethodInvocation *invocation);

/* The exporter's ADMIN bit as polkit net.openvpn.v3.manage-others, interactive
 * when the call allows it (ovpn3_exporter_set_admin_check()). */
extern const Ovpn3AdminCheck ovpn3_polkit_admin_check;

G_END_DECLS
