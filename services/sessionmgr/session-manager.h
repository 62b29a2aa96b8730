/* session-manager.h — net.openvpn.v3.sessions manager object
 * (/net/openvpn/v3/sessions): its methods (NewTunnel in session-new-tunnel.c, the lists in
 * session-list.c, LookupBackend in session-lookup.c), the table of sessions, their removal
 * (SESS_DESTROYED) and the starts under way (a NewTunnel's or an automatic restart's).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-manager.h"
#include "ovpn3-names.h"
#include "ovpn3-service.h"
#include "session-backend-start.h"
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

/* A method call on the manager object, after its access check (session-readopt.c replays the
 * calls it held back through it). */
void ovpn3_session_manager_dispatch(Ovpn3SessionManager *self, const Ovpn3Caller *caller,
                                    const char *method, GVariant *parameters,
                                    GDBusMethodInvocation *invocation);
/* Writes the state file (session-state-store.h): the live sessions and the recorded ones a
 * restart still awaits. Called when a session goes live, changes its ACL or log forwarding,
 * or ends. */
void ovpn3_session_manager_save_state(Ovpn3SessionManager *self);

/* ---- for NewTunnel (session-new-tunnel.c) and automatic restart (session-restart.c) ---- */

Ovpn3BackendStarter *ovpn3_session_manager_get_starter(Ovpn3SessionManager *self);
/* path → Ovpn3Session, starting and restarting ones included; not to be changed. */
GHashTable *ovpn3_session_manager_get_sessions(Ovpn3SessionManager *self);
/* To the log service (or g_message() without it: ovpn3_manager_log()). */
#define ovpn3_session_manager_log(self, ...) \
  ovpn3_manager_log(ovpn3_session_manager_get_context(self), __VA_ARGS__)
void ovpn3_session_manager_emit_event(Ovpn3SessionManager *self, const char *path,
                                      Ovpn3SessionEventType type, guint32 owner);
/* A new session into the table (it holds off the idle exit until removed). */
void ovpn3_session_manager_add(Ovpn3SessionManager *self, Ovpn3Session *session);
/* Out of the table: session shutdown, SESS_DESTROYED if it had been exported. */
void ovpn3_session_manager_remove(Ovpn3SessionManager *self, Ovpn3Session *session,
                                  gboolean shutdown_backend, const char *reason);

/* A start is under way for session (NewTunnel's or an automatic restart's): if the session
 * is closed meanwhile, ovpn3_session_manager_close() calls abort(start, shutdown_backend,
 * reason) instead of removing it, and abort ends the start and removes the session.
 * The manager holds start (freed with destroy) until end_start or the abort. */
typedef void (*Ovpn3SessionStartAbort)(gpointer start, gboolean shutdown_backend,
                                       const char *reason);
void ovpn3_session_manager_begin_start(Ovpn3SessionManager *self, Ovpn3Session *session,
                                       Ovpn3SessionStartAbort abort, gpointer start,
                                       GDestroyNotify destroy);
void ovpn3_session_manager_end_start(Ovpn3SessionManager *self, Ovpn3Session *session);

G_END_DECLS
