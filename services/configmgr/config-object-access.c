#define G_LOG_DOMAIN "ovpn3-config-object"

/* config-object-access.c — who may call what on a configuration profile
 * object: the access table of docs/dbus-api.md §3.1 and the object's own bits.
 */

#include "config.h"

#include "config-object-private.h"
#include "config-peers.h"
#include "ovpn3-names.h"

/* ---- access rules (docs/dbus-api.md §3.1 table) ------------------------------------ */

gboolean
ovpn3_config_object_is_owner(Ovpn3ConfigObject *self, const Ovpn3Caller *caller)
{
  return caller->admin || caller->uid == self->acl.owner;
}

#define OWNER_OR_ADMIN (OVPN3_ACCESS_OWNER | OVPN3_ACCESS_ADMIN)
/* owner, acl list or public */
#define USERS (OVPN3_ACCESS_ACL | OVPN3_ACCESS_PUBLIC_READ | OVPN3_ACCESS_ADMIN)
/* the ACL + the session manager and this profile's backends (config-peers.h).
 * The spec gives acl and public_access to the ACL only; the session
 * manager reads them too: it decides with them whether a caller may start
 * a session from this profile. */
#define READERS (USERS | OVPN3_ACCESS_SESSION_MANAGER | OVPN3_ACCESS_BACKEND)
/* Fetch: owner, acl list unless locked_down (CUSTOM; public ignored); of
 * the service user only the session manager and this profile's backends */
#define FETCHERS \
  (OWNER_OR_ADMIN | OVPN3_ACCESS_CUSTOM | OVPN3_ACCESS_SESSION_MANAGER | OVPN3_ACCESS_BACKEND)

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Validate", USERS },
  { OVPN3_ACCESS_METHOD, "Fetch", FETCHERS },
  { OVPN3_ACCESS_METHOD, "FetchJSON", FETCHERS },
  { OVPN3_ACCESS_METHOD, "SetOption", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "SetOverride", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "UnsetOverride", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AddTag", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "RemoveTag", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AccessGrant", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AccessRevoke", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "Seal", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "Remove", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_READ, "owner", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "name", READERS },
  { OVPN3_ACCESS_READ, "acl", READERS },
  { OVPN3_ACCESS_READ, "public_access", READERS },
  { OVPN3_ACCESS_READ, "single_use", USERS },
  { OVPN3_ACCESS_READ, "persistent", READERS },
  { OVPN3_ACCESS_READ, "import_timestamp", READERS },
  { OVPN3_ACCESS_READ, "last_used_timestamp", READERS },
  { OVPN3_ACCESS_READ, "locked_down", READERS },
  { OVPN3_ACCESS_READ, "readonly", READERS },
  { OVPN3_ACCESS_READ, "tags", READERS },
  { OVPN3_ACCESS_READ, "used_count", READERS },
  { OVPN3_ACCESS_READ, "valid", READERS },
  /* the owner-only proxy credentials are left out in the handler */
  { OVPN3_ACCESS_READ, "overrides", READERS },
  { OVPN3_ACCESS_READ, "transfer_owner_session", READERS },
  { OVPN3_ACCESS_READ, "dco", READERS },
  { OVPN3_ACCESS_WRITE, "name", OWNER_OR_ADMIN, TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "public_access", OWNER_OR_ADMIN, TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "locked_down", OWNER_OR_ADMIN, TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "transfer_owner_session", OVPN3_ACCESS_ACL | OVPN3_ACCESS_ADMIN,
    TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "dco", OVPN3_ACCESS_ACL | OVPN3_ACCESS_ADMIN, TEXT_OWNER_ONLY },
};

const Ovpn3AccessTable ovpn3_config_object_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_CONFIG_OBJECT, TEXT_ACCESS_DENIED, access_rows);

gboolean
ovpn3_config_object_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                                 const char *member)
{
  Ovpn3ConfigObject *self = object;

  switch (bit)
    {
      case OVPN3_ACCESS_BACKEND:
        return ovpn3_config_peer_is_backend_of(caller, self->path);
      case OVPN3_ACCESS_CUSTOM: /* Fetch by the acl list */
        return !self->locked_down && ovpn3_acl_contains(&self->acl, caller->uid);
      default:
        return ovpn3_access_acl_says(&self->acl, caller, bit);
    }
}
