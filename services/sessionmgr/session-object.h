/* session-object.h — one VPN session object (/net/openvpn/v3/sessions/<id>):
 * the methods, properties and signals of docs/dbus-api.md §3.2, their access rules,
 * and the proxying of it all to the session's backend client. Implemented in
 * session-object.c, session-access.c, session-forward.c and session-log-forward.c
 * (session-object-private.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-exported.h"
#include "session-backend-proxy.h"

G_BEGIN_DECLS

/* Who may call what on a session (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_session_access;

#define OVPN3_TYPE_SESSION (ovpn3_session_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3Session, ovpn3_session, OVPN3, SESSION, GObject)

typedef struct _Ovpn3SessionManager Ovpn3SessionManager;

Ovpn3Session *ovpn3_session_new(Ovpn3SessionManager *manager, const char *path,
                                const char *config_path, const char *config_name, guint32 owner);

/* The profile's transfer_owner_session: the session belongs to the
 * profile owner, the starter gets access and may read the log. */
void ovpn3_session_transfer_owner(Ovpn3Session *self, guint32 profile_owner, guint32 starter);

/* Takes a reference on backend and follows its signals. */
void ovpn3_session_attach_backend(Ovpn3Session *self, Ovpn3BackendProxy *backend);
Ovpn3BackendProxy *ovpn3_session_get_backend(Ovpn3Session *self);

gboolean ovpn3_session_export(Ovpn3Session *self, Ovpn3Exporter *exporter, GError **error);
gboolean ovpn3_session_is_exported(Ovpn3Session *self);

/* After a session manager restart (session-readopt.c): asks the log service again for the
 * proxy of a LogForward subscriber (it still has it if the subscriber is on the bus), and
 * reads the backend's status, which may have changed while no session manager listened. */
void ovpn3_session_restore_log_forward(Ovpn3Session *self, const char *target);
/* The log service returned (a new owner of its name) without its log proxies: asks it again
 * for the proxy of each LogForward subscriber (once the session's backend client told it
 * again which session it serves). */
void ovpn3_session_renew_log_forwards(Ovpn3Session *self);
void ovpn3_session_refresh_status(Ovpn3Session *self);

/* Registration confirmed and SESS_CREATED sent: status changes may now
 * close the session. */
void ovpn3_session_set_live(Ovpn3Session *self);
gboolean ovpn3_session_is_live(Ovpn3Session *self);

/* Stops following the backend (optionally telling it to shut down),
 * reports the end to the log service, then removes the log proxies (which
 * forward that final status) and unexports the object. Idempotent. */
void ovpn3_session_shutdown(Ovpn3Session *self, gboolean shutdown_backend, const char *reason);

const char *ovpn3_session_get_path(Ovpn3Session *self);
const char *ovpn3_session_get_config_path(Ovpn3Session *self);
const char *ovpn3_session_get_config_name(Ovpn3Session *self);
void ovpn3_session_set_config_name(Ovpn3Session *self, const char *name);
guint32 ovpn3_session_get_owner(Ovpn3Session *self);
/* owner, acl list or public_access (listing filter). */
gboolean ovpn3_session_is_visible_to(Ovpn3Session *self, guint32 uid);
/* owner or acl list (the duplicate-profile check). */
gboolean ovpn3_session_is_shared_with(Ovpn3Session *self, guint32 uid);
void ovpn3_session_get_status(Ovpn3Session *self, guint32 *major, guint32 *minor);
/* The backend whose properties may be read now: NULL while the session
 * restarts or after it closed. */
Ovpn3BackendProxy *ovpn3_session_get_readable_backend(Ovpn3Session *self);
/* A property read of backend failed: a backend that is gone or hung
 * (and not about to be restarted) closes the session. */
void ovpn3_session_backend_read_failed(Ovpn3Session *self, Ovpn3BackendProxy *backend,
                                       const char *name, const GError *error);

/* The profile's automatic-restart=on-failure override. */
void ovpn3_session_set_auto_restart(Ovpn3Session *self, gboolean enable);
/* The profile's reconnect-on-network-change override (default on): pause before sleep,
 * restart after a resume or an uplink change (session-reconnect.h). */
void ovpn3_session_set_reconnect(Ovpn3Session *self, gboolean enable);
gboolean ovpn3_session_get_reconnect(Ovpn3Session *self);
/* The starter's polkit start-host-wide answer (docs/security.md §6), kept for the session and
 * handed to every backend it gets (automatic restarts included). */
void ovpn3_session_set_host_wide(Ovpn3Session *self, gboolean allowed);
gboolean ovpn3_session_get_host_wide(Ovpn3Session *self);
/* Drops the crashed backend, waits for a new one; returns the number of
 * this restart (1, 2, …). */
guint ovpn3_session_begin_restart(Ovpn3Session *self);
gboolean ovpn3_session_is_restarting(Ovpn3Session *self);
/* Connect was sent (locks dco; a later crash may be restarted). */
void ovpn3_session_mark_connect_started(Ovpn3Session *self);

/* Status values after which a session closes (docs/dbus-api.md §7.4). */
gboolean ovpn3_status_is_terminal(guint32 major, guint32 minor);

void ovpn3_session_log(Ovpn3Session *self, guint category, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

G_END_DECLS
