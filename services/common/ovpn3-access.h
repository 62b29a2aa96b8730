/* ovpn3-access.h — who may call what (docs/security.md §4, docs/dbus-api.md §3): one table per
 * object type, next to its handlers, deny by default. The exporter
 * (ovpn3-exported.h) looks the member up before any handler runs; a member
 * without a row is refused, a caller no bit of the row's rule admits is
 * refused with the object's refusal text. The handlers then do only their
 * work (decisions that depend on the arguments stay there, commented).
 *
 * A rule is a bitmask; a caller passes if any bit admits it:
 *
 *   ANYONE           every caller
 *   OWNER            the object's owner                 (object predicate)
 *   ACL              the owner or a uid in its acl list (object predicate)
 *   PUBLIC_READ      anyone while public_access is set  (object predicate)
 *   SERVICE_USER     any process of the service user
 *   SESSION_MANAGER  the session manager (peer role, ovpn3-peer-role.h)
 *   BACKEND          the backend client of a confirmed session of this
 *                    object (peer role + object predicate: its session,
 *                    its profile)
 *   ROOT             uid 0
 *   CUSTOM           the object's own predicate for this member (e.g. the
 *                    acl list of a profile that is not locked down)
 *   ADMIN            polkit net.openvpn.v3.manage-others, asked only when
 *                    no other bit admitted the caller, interactive if the
 *                    message allows it (calls on another user's object);
 *                    never asked for the service user; for GetAll when
 *                    some property refuses the caller but admits ADMIN
 *
 * List and search methods (everyone may call them; each caller sees what it
 * may see) ask manage-others without interaction in their handlers.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

typedef enum
{
  OVPN3_ACCESS_NOBODY = 0,
  OVPN3_ACCESS_ANYONE = 1 << 0,
  OVPN3_ACCESS_OWNER = 1 << 1,
  OVPN3_ACCESS_ACL = 1 << 2,
  OVPN3_ACCESS_PUBLIC_READ = 1 << 3,
  OVPN3_ACCESS_SERVICE_USER = 1 << 4,
  OVPN3_ACCESS_SESSION_MANAGER = 1 << 5,
  OVPN3_ACCESS_BACKEND = 1 << 6,
  OVPN3_ACCESS_ROOT = 1 << 7,
  OVPN3_ACCESS_CUSTOM = 1 << 8,
  OVPN3_ACCESS_ADMIN = 1 << 9,
} Ovpn3AccessRule;

/* The bits answered by the object's predicate. */
#define OVPN3_ACCESS_OBJECT_BITS                                                           \
  (OVPN3_ACCESS_OWNER | OVPN3_ACCESS_ACL | OVPN3_ACCESS_PUBLIC_READ | OVPN3_ACCESS_BACKEND \
   | OVPN3_ACCESS_CUSTOM)
/* The bits that need the caller's peer role. */
#define OVPN3_ACCESS_ROLE_BITS (OVPN3_ACCESS_SESSION_MANAGER | OVPN3_ACCESS_BACKEND)

typedef enum
{
  OVPN3_ACCESS_METHOD = 0,
  OVPN3_ACCESS_READ,  /* a property read (Get, and each property of GetAll) */
  OVPN3_ACCESS_WRITE, /* a property write (Set) */
} Ovpn3AccessKind;

typedef struct
{
  Ovpn3AccessKind kind;
  const char *name;   /* as in the introspection XML */
  guint rule;         /* Ovpn3AccessRule bits */
  const char *denied; /* refusal text; NULL: the table's */
} Ovpn3AccessRow;

typedef struct
{
  const char *xml_name; /* the introspection file (ovpn3-names.h OVPN3_XML_*) */
  const char *denied;   /* the object's refusal text (AccessDenied) */
  const Ovpn3AccessRow *rows;
  gsize n_rows;
} Ovpn3AccessTable;

#define OVPN3_ACCESS_TABLE(xml, text, rows_array)                                                  \
  {                                                                                                \
    .xml_name = (xml), .denied = (text), .rows = (rows_array), .n_rows = G_N_ELEMENTS(rows_array), \
  }

/* The properties every manager object has
 * (ovpn3_manager_get_common_property()): everyone may read them. */
#define OVPN3_ACCESS_MANAGER_COMMON_ROWS                     \
  { OVPN3_ACCESS_READ, "version", OVPN3_ACCESS_ANYONE },     \
  {                                                          \
    OVPN3_ACCESS_READ, "implementation", OVPN3_ACCESS_ANYONE \
  }

/* The object's answer for one bit of OVPN3_ACCESS_OBJECT_BITS (member: the
 * method or property the row is for). */
typedef gboolean (*Ovpn3AccessPredicate)(gpointer object, const Ovpn3Caller *caller,
                                         Ovpn3AccessRule bit, const char *member);

/* The row for (kind, name), or NULL (deny by default). */
const Ovpn3AccessRow *ovpn3_access_lookup(const Ovpn3AccessTable *table, Ovpn3AccessKind kind,
                                          const char *name);

/* Whether rule admits caller: every bit but ADMIN from the caller and the
 * predicate (may be NULL: the object bits admit nobody); ADMIN counts
 * caller->admin (set once polkit answered). */
gboolean ovpn3_access_allows(guint rule, const Ovpn3Caller *caller, Ovpn3AccessPredicate predicate,
                             gpointer object, const char *member);

/* OWNER, ACL and PUBLIC_READ answered from an object's Ovpn3Acl
 * (ovpn3-acl.h); FALSE for any other bit. */
struct _Ovpn3Acl;
gboolean ovpn3_access_acl_says(const struct _Ovpn3Acl *acl, const Ovpn3Caller *caller,
                               Ovpn3AccessRule bit);

/* The refusal text for row (never NULL). */
const char *ovpn3_access_denied_text(const Ovpn3AccessTable *table, const Ovpn3AccessRow *row);

G_END_DECLS
