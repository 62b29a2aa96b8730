/* session-manager.h — net.openvpn.v3.sessions manager object
 * (/net/openvpn/v3/sessions): NewTunnel (profile access check, backend
 * start, registration, SESS_CREATED before the reply), listing and
 * lookup, and the removal of sessions (SESS_DESTROYED).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-service.h"
#include "session-object.h"

G_BEGIN_DECLS

/* Who may call what on the session manager (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_session_manager_access;

#define OVPN3_TYPE_SESSION_MANAGER (ovpn3_session_manager_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3SessionManager, ovpn3_session_manager, OVPN3, SESSION_MANAGER, GObject)

/* How long a backend may take from StartClient to a confirmed
 * registration (clients wait 25 s for the NewTunnel reply). */
#define OVPN3_SESSION_START_TIMEOUT_S 20

Ovpn3SessionManager *ovpn3_session_manager_new(Ovpn3ServiceContext *ctx, GError **error);
Ovpn3ServiceContext *ovpn3_session_manager_get_context(Ovpn3SessionManager *self);

/* Removes a session (or fails its start): session shutdown, then
 * SESS_DESTROYED if it had been exported. */
void ovpn3_session_manager_close(Ovpn3SessionManager *self, Ovpn3Session *session,
                                 gboolean shutdown_backend, const char *reason);

/* Closes every session and tells its backend to shut down (service stop:
 * nothing of a session outlives the manager that can control it). */
void ovpn3_session_manager_close_all(Ovpn3SessionManager *self, const char *reason);

/* automatic-restart=on-failure: the session's backend crashed; start a
 * new one for the same session path after a back-off (3·2^(n−1) s, at most
 * 768 s, at most 10 times), then re-run Ready and Connect. */
void ovpn3_session_manager_restart(Ovpn3SessionManager *self, Ovpn3Session *session);

G_END_DECLS
