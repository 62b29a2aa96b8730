/* ovpn3-acl.h — the one access-control decision used by every object:
 * owner / acl list / public_access / service user / root.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  OVPN3_ACL_OWNER = 0,                   /* the owner always passes */
  OVPN3_ACL_ALLOW_LIST = 1 << 0,         /* UIDs in the object's acl list */
  OVPN3_ACL_ALLOW_PUBLIC = 1 << 1,       /* anyone if public_access is set */
  OVPN3_ACL_ALLOW_SERVICE_USER = 1 << 2, /* the service user (openvpn) */
  OVPN3_ACL_ALLOW_ROOT = 1 << 3,         /* uid 0 */
} Ovpn3AclFlags;

#define OVPN3_ACL_READ (OVPN3_ACL_ALLOW_LIST | OVPN3_ACL_ALLOW_PUBLIC)

typedef struct _Ovpn3Acl
{
  guint32 owner;
  GArray *acl; /* guint32 */
  gboolean public_access;
} Ovpn3Acl;

void ovpn3_acl_init(Ovpn3Acl *acl, guint32 owner);
void ovpn3_acl_clear(Ovpn3Acl *acl);

gboolean ovpn3_acl_check(const Ovpn3Acl *acl, guint32 caller_uid, Ovpn3AclFlags flags);
gboolean ovpn3_acl_contains(const Ovpn3Acl *acl, guint32 uid);
/* FALSE if already present / not present. */
gboolean ovpn3_acl_grant(Ovpn3Acl *acl, guint32 uid);
gboolean ovpn3_acl_revoke(Ovpn3Acl *acl, guint32 uid);
/* acl list as 'au'. */
GVariant *ovpn3_acl_to_variant(const Ovpn3Acl *acl);

/* UID of the service user (build option service_user, resolved once;
 * G_MAXUINT32 if the user does not exist). */
guint32 ovpn3_service_user_uid(void);
gboolean ovpn3_uid_is_service_user(guint32 uid);

/* Whether uid names an existing user, for AccessGrant: getpwuid_r() runs in
 * a worker thread (NSS may be slow: LDAP, sssd), never on the main loop.
 * (uid_t) -1 fails at once. Errors are G_DBUS_ERROR_INVALID_ARGS with a
 * message that names the uid. */
void ovpn3_acl_check_user_async(guint32 uid, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean ovpn3_acl_check_user_finish(GAsyncResult *result, GError **error);

G_END_DECLS
