#define G_LOG_DOMAIN "ovpn3-config-object"

/* config-object-properties.c — the properties of a configuration profile
 * object (docs/dbus-api.md §3.1): reads, and the writes that are saved with
 * rollback.
 */

#include "config.h"

#include <string.h>

#include "config-object-fleet.h"
#include "config-object-private.h"
#include "config-overrides.h"
#include "config-peers.h"
#include "ovpn3-introspection.h"
#include "ovpn3-names.h"

/* The one secret among the overrides: a listing says it is set, never what it is. */
#define SECRET_OVERRIDE "proxy-password"

/* The proxy credentials are the owner's: left out (key and value) for
 * callers who are neither the owner, an administrator, the session manager
 * nor this profile's backend (they need them) — even for ACL entries that
 * may Fetch the profile. A decision finer than the table's, so here. */
static GVariant *
overrides_variant(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, gboolean listing)
{
  gboolean all = ovpn3_config_object_is_owner(self, caller)
                 || ovpn3_config_peer_may_read(caller, self->path);
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  for (GTreeNode *n = g_tree_node_first(self->overrides); n != NULL; n = g_tree_node_next(n))
    {
      const char *key = g_tree_node_key(n);

      if (listing && g_str_equal(key, SECRET_OVERRIDE))
        g_variant_builder_add(&b, "{sv}", key, g_variant_new_string(""));
      else if (all || !ovpn3_config_override_is_owner_only(key))
        g_variant_builder_add(&b, "{sv}", key, (GVariant *) g_tree_node_value(n));
    }
  return g_variant_builder_end(&b);
}

GVariant *
ovpn3_config_object_get_property(gpointer object, const Ovpn3Caller *caller, const char *name,
                                 GError **error)
{
  Ovpn3ConfigObject *self = object;

  if (g_str_equal(name, "owner"))
    return g_variant_new_uint32(self->acl.owner);

  if (g_str_equal(name, "name"))
    return g_variant_new_string(self->name);
  if (g_str_equal(name, "acl"))
    return ovpn3_acl_to_variant(&self->acl);
  if (g_str_equal(name, "public_access"))
    return g_variant_new_boolean(self->acl.public_access);
  if (g_str_equal(name, "single_use"))
    return g_variant_new_boolean(self->single_use);
  if (g_str_equal(name, "persistent"))
    return g_variant_new_boolean(self->persistent);
  if (g_str_equal(name, "import_timestamp"))
    return g_variant_new_uint64(self->import_timestamp);
  if (g_str_equal(name, "last_used_timestamp"))
    return g_variant_new_uint64(self->last_used_timestamp);
  if (g_str_equal(name, "locked_down"))
    return g_variant_new_boolean(self->locked_down);
  if (g_str_equal(name, "readonly"))
    return g_variant_new_boolean(self->readonly);
  if (g_str_equal(name, "tags"))
    return g_variant_new_strv((const char *const *) self->tags->pdata, self->tags->len);
  if (g_str_equal(name, "used_count"))
    return g_variant_new_uint32(self->used_count);
  if (g_str_equal(name, "valid"))
    return g_variant_new_boolean(self->valid);
  if (g_str_equal(name, "overrides"))
    return overrides_variant(self, caller, FALSE);
  if (g_str_equal(name, "transfer_owner_session"))
    return g_variant_new_boolean(self->transfer_owner_session);
  if (g_str_equal(name, "dco"))
    return g_variant_new_boolean(self->dco);

  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

/* The access rows of the readable properties, in the order of the introspection (GetAll's). */
static GPtrArray *
readable_rows(void)
{
  static GPtrArray *rows;
  GDBusInterfaceInfo *info;

  if (rows != NULL)
    return rows;
  rows = g_ptr_array_new();
  info = ovpn3_introspection_get(OVPN3_XML_CONFIG_OBJECT);
  for (GDBusPropertyInfo **p = info->properties; p != NULL && *p != NULL; p++)
    {
      const Ovpn3AccessRow *row
          = ovpn3_access_lookup(&ovpn3_config_object_access, OVPN3_ACCESS_READ, (*p)->name);

      if (((*p)->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE) != 0 && row != NULL)
        g_ptr_array_add(rows, (gpointer) row);
    }
  return rows;
}

static gboolean
may_read(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, const Ovpn3AccessRow *row)
{
  return ovpn3_access_allows(row->rule, caller, ovpn3_config_object_access_check, self, row->name);
}

/* As the exporter's GetAll: the administrator's answer counts only where some property
 * refuses the caller but admits an administrator. */
static gboolean
admin_counts(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GPtrArray *rows)
{
  if (ovpn3_uid_is_service_user(caller->uid))
    return FALSE; /* polkit is never asked for the service user */
  for (guint i = 0; i < rows->len; i++)
    {
      const Ovpn3AccessRow *row = rows->pdata[i];

      if ((row->rule & OVPN3_ACCESS_ADMIN) != 0 && !may_read(self, caller, row))
        return TRUE;
    }
  return FALSE;
}

GVariant *
ovpn3_config_object_list_properties(Ovpn3ConfigObject *self, const Ovpn3Caller *caller,
                                    gboolean admin)
{
  GPtrArray *rows = readable_rows();
  Ovpn3Caller as = *caller; /* not freed: shares caller's strings */
  GVariantBuilder b;

  as.admin = FALSE;
  as.admin = admin && admin_counts(self, &as, rows);
  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  for (guint i = 0; i < rows->len; i++)
    {
      const Ovpn3AccessRow *row = rows->pdata[i];
      GVariant *value;

      if (!may_read(self, &as, row))
        continue;
      if (g_str_equal(row->name, "overrides"))
        value = overrides_variant(self, &as, TRUE);
      else
        value = ovpn3_config_object_get_property(self, &as, row->name, NULL);
      if (value != NULL)
        g_variant_builder_add(&b, "{sv}", row->name, value);
    }
  return g_variant_builder_end(&b);
}

gboolean
ovpn3_config_object_set_property(gpointer object, const Ovpn3Caller *caller, const char *name,
                                 GVariant *value, GError **error)
{
  Ovpn3ConfigObject *self = object;
  g_autoptr(JsonNode) snap = NULL;

  if (ovpn3_config_object_fleet_refuses(self, error))
    return FALSE;
  if (self->readonly)
    {
      g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, TEXT_SEALED);
      return FALSE;
    }
  snap = ovpn3_config_object_snapshot(self);

  if (g_str_equal(name, "name"))
    {
      const char *new_name = g_variant_get_string(value, NULL);

      if (!ovpn3_config_name_is_valid(new_name, error)
          || !ovpn3_config_object_check_growth(self, strlen(new_name), strlen(self->name), error))
        return FALSE;
      ovpn3_config_object_set_name(self, new_name);
    }
  else if (g_str_equal(name, "public_access"))
    self->acl.public_access = g_variant_get_boolean(value);
  else if (g_str_equal(name, "locked_down"))
    self->locked_down = g_variant_get_boolean(value);
  else if (g_str_equal(name, "transfer_owner_session"))
    self->transfer_owner_session = g_variant_get_boolean(value);
  else if (g_str_equal(name, "dco"))
    self->dco = g_variant_get_boolean(value);
  else
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                  "Property “%s” is read-only", name);
      return FALSE;
    }
  if (!ovpn3_config_object_commit(self, snap, error))
    {
      g_prefix_error(error, "Could not save the configuration profile: ");
      return FALSE;
    }
  return TRUE;
}
