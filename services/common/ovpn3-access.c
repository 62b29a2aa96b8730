#define G_LOG_DOMAIN "ovpn3-access"

#include "config.h"

#include "ovpn3-access.h"
#include "ovpn3-acl.h"

const Ovpn3AccessRow *
ovpn3_access_lookup(const Ovpn3AccessTable *table, Ovpn3AccessKind kind, const char *name)
{
  if (table == NULL || name == NULL)
    return NULL;
  for (gsize i = 0; i < table->n_rows; i++)
    if (table->rows[i].kind == kind && g_str_equal(table->rows[i].name, name))
      return &table->rows[i];
  return NULL;
}

static gboolean
object_says(guint rule, Ovpn3AccessRule bit, const Ovpn3Caller *caller,
            Ovpn3AccessPredicate predicate, gpointer object, const char *member)
{
  return (rule & bit) != 0 && predicate != NULL && predicate(object, caller, bit, member);
}

gboolean
ovpn3_access_allows(guint rule, const Ovpn3Caller *caller, Ovpn3AccessPredicate predicate,
                    gpointer object, const char *member)
{
  gboolean service_user = ovpn3_uid_is_service_user(caller->uid);

  if ((rule & OVPN3_ACCESS_ANYONE) != 0)
    return TRUE;
  if ((rule & OVPN3_ACCESS_ROOT) != 0 && caller->uid == 0)
    return TRUE;
  if ((rule & OVPN3_ACCESS_SERVICE_USER) != 0 && service_user)
    return TRUE;
  if ((rule & OVPN3_ACCESS_SESSION_MANAGER) != 0 && service_user
      && caller->role == OVPN3_PEER_ROLE_SESSION_MANAGER)
    return TRUE;
  if ((rule & OVPN3_ACCESS_ADMIN) != 0 && caller->admin)
    return TRUE;
  if (service_user && caller->role == OVPN3_PEER_ROLE_BACKEND && caller->backend != NULL
      && object_says(rule, OVPN3_ACCESS_BACKEND, caller, predicate, object, member))
    return TRUE;
  return object_says(rule, OVPN3_ACCESS_OWNER, caller, predicate, object, member)
         || object_says(rule, OVPN3_ACCESS_ACL, caller, predicate, object, member)
         || object_says(rule, OVPN3_ACCESS_PUBLIC_READ, caller, predicate, object, member)
         || object_says(rule, OVPN3_ACCESS_CUSTOM, caller, predicate, object, member);
}

gboolean
ovpn3_access_acl_says(const Ovpn3Acl *acl, const Ovpn3Caller *caller, Ovpn3AccessRule bit)
{
  switch (bit)
    {
      case OVPN3_ACCESS_OWNER:
        return caller->uid == acl->owner;
      case OVPN3_ACCESS_ACL:
        return caller->uid == acl->owner || ovpn3_acl_contains(acl, caller->uid);
      case OVPN3_ACCESS_PUBLIC_READ:
        return acl->public_access;
      default:
        return FALSE;
    }
}

const char *
ovpn3_access_denied_text(const Ovpn3AccessTable *table, const Ovpn3AccessRow *row)
{
  if (row != NULL && row->denied != NULL)
    return row->denied;
  if (table != NULL && table->denied != NULL)
    return table->denied;
  return "Access denied";
}
