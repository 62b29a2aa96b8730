/* ovpn3-peer-role.h — which process of the service user is calling
 * (docs/security.md §5). Every service runs as the
 * service user, so the uid alone trusts too much: the session manager is
 * the authority on which backend client serves which session.
 *
 *   OVPN3_PEER_ROLE_SESSION_MANAGER  the caller owns net.openvpn.v3.sessions
 *   OVPN3_PEER_ROLE_BACKEND          the session manager's LookupBackend
 *                                    names the caller as the backend client
 *                                    of a confirmed session (session path,
 *                                    profile path, owner, pid)
 *   OVPN3_PEER_ROLE_OTHER            any other process of the service user
 *
 * Answers about backends are cached per unique name until the name leaves
 * the bus, the session manager announces the session's end
 * (SessionManagerEvent SESS_DESTROYED) or another process takes
 * net.openvpn.v3.sessions; negative answers are not cached (a backend may
 * be confirmed a moment later). The session manager is never started to
 * ask it: without one there are no sessions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  OVPN3_PEER_ROLE_UNKNOWN = 0, /* not asked (or not a process of the service user) */
  OVPN3_PEER_ROLE_OTHER,
  OVPN3_PEER_ROLE_SESSION_MANAGER,
  OVPN3_PEER_ROLE_BACKEND,
} Ovpn3PeerRole;

/* What LookupBackend said about a backend client. */
typedef struct _Ovpn3BackendInfo
{
  char *unique_name;
  char *session_path;
  char *config_path;
  guint32 owner; /* the session's owner */
  guint32 pid;   /* the backend client's */
} Ovpn3BackendInfo;

Ovpn3BackendInfo *ovpn3_backend_info_copy(const Ovpn3BackendInfo *info);
void ovpn3_backend_info_free(Ovpn3BackendInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3BackendInfo, ovpn3_backend_info_free)

#define OVPN3_TYPE_PEER_ROLES (ovpn3_peer_roles_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3PeerRoles, ovpn3_peer_roles, OVPN3, PEER_ROLES, GObject)

Ovpn3PeerRoles *ovpn3_peer_roles_new(GDBusConnection *connection);

/* The role of `sender` (a unique name of a process of the service user;
 * the caller checks the uid). Never fails: anything unclear is OTHER. */
void ovpn3_peer_roles_lookup_async(Ovpn3PeerRoles *self, const char *sender,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
/* backend (optional) receives a copy of the backend's record for BACKEND. */
Ovpn3PeerRole ovpn3_peer_roles_lookup_finish(Ovpn3PeerRoles *self, GAsyncResult *result,
                                             Ovpn3BackendInfo **backend);

/* Cached backend records (tests, diagnostics). */
guint ovpn3_peer_roles_cache_size(Ovpn3PeerRoles *self);

G_END_DECLS
