/* ovpn3-credentials.h — caller credentials from the bus daemon
 * (GetConnectionCredentials), cached per unique name and dropped when the
 * name vanishes (NameOwnerChanged).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-peer-role.h"

G_BEGIN_DECLS

typedef struct
{
  char *sender; /* unique bus name */
  guint32 uid;
  guint32 pid;
  /* Set by the exporter when the member's access rule has ADMIN, nothing
   * else admitted the caller and polkit granted manage-others for this
   * call (ovpn3-access.h). */
  gboolean admin;
  /* Set by the exporter for a caller of the service user when the
   * member's access rule needs it (SESSION_MANAGER, BACKEND): the session
   * manager, the backend client of a confirmed session (then `backend`
   * says which), or neither (docs/security.md §5). */
  Ovpn3PeerRole role;
  Ovpn3BackendInfo *backend; /* owned; NULL unless role is OVPN3_PEER_ROLE_BACKEND */
} Ovpn3Caller;

Ovpn3Caller *ovpn3_caller_copy(const Ovpn3Caller *caller);
void ovpn3_caller_free(Ovpn3Caller *caller);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Caller, ovpn3_caller_free)

#define OVPN3_TYPE_CREDENTIALS (ovpn3_credentials_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3Credentials, ovpn3_credentials, OVPN3, CREDENTIALS, GObject)

Ovpn3Credentials *ovpn3_credentials_new(GDBusConnection *connection);

/* Looks up (or returns the cached) credentials of a unique name. */
void ovpn3_credentials_lookup_async(Ovpn3Credentials *self, const char *sender,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
Ovpn3Caller *ovpn3_credentials_lookup_finish(Ovpn3Credentials *self, GAsyncResult *result,
                                             GError **error);

/* The cached entry, or NULL. */
const Ovpn3Caller *ovpn3_credentials_peek(Ovpn3Credentials *self, const char *sender);
guint ovpn3_credentials_cache_size(Ovpn3Credentials *self);

G_END_DECLS
