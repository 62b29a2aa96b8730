#define G_LOG_DOMAIN "ovpn3-config-object"

/* config-object-fleet.c — profiles from the fleet directory
 * (config-object-fleet.h): built and updated from their files, refused every
 * change over D-Bus.
 */

#include "config.h"

#include <string.h>

#include "config-object-fleet.h"
#include "config-object-private.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"

/* "/net/openvpn/v3/configuration/<id>" with the id made of SHA-256("ovpn3 fleet " NAME) in
 * the form of a generated id (docs/dbus-api.md §1): stable for one NAME. */
static char *
fleet_path(const char *name)
{
  g_autofree char *seed = g_strconcat("ovpn3 fleet ", name, NULL);
  g_autofree char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, seed, -1);
  char id[OVPN3_OBJECT_ID_LEN + 1];
  gsize h = 0;

  for (gsize i = 0; i < OVPN3_OBJECT_ID_LEN; i++)
    id[i] = (i == 8 || i == 13 || i == 18 || i == 23) ? OVPN3_ID_SEP_CONFIG : hex[h++];
  id[OVPN3_OBJECT_ID_LEN] = '\0';
  return g_strconcat(OVPN3_CONFIG_PATH_PREFIX, id, NULL);
}

static void
apply_conf(Ovpn3ConfigObject *self, const char *name, const Ovpn3FleetConf *conf)
{
  ovpn3_config_object_set_name(self, conf != NULL && conf->name != NULL ? conf->name : name);
  g_ptr_array_set_size(self->tags, 0);
  ovpn3_acl_clear(&self->acl);
  ovpn3_acl_init(&self->acl, 0);
  g_tree_remove_all(self->overrides);
  if (conf == NULL)
    return;
  for (guint i = 0; i < conf->tags->len; i++)
    g_ptr_array_add(self->tags, g_strdup(g_ptr_array_index(conf->tags, i)));
  for (guint i = 0; i < conf->acl->len; i++)
    ovpn3_acl_grant(&self->acl, g_array_index(conf->acl, guint32, i));
  self->acl.public_access = conf->public_access;
  for (GTreeNode *n = g_tree_node_first(conf->overrides); n != NULL; n = g_tree_node_next(n))
    g_tree_insert(self->overrides, g_strdup(g_tree_node_key(n)),
                  g_variant_ref(g_tree_node_value(n)));
}

Ovpn3ConfigObject *
ovpn3_config_object_new_fleet(Ovpn3ConfigManager *manager, const char *name, const char *file,
                              Ovpn3Profile *profile, const Ovpn3FleetConf *conf)
{
  g_autofree char *path = fleet_path(name);
  Ovpn3ConfigObject *self = ovpn3_config_object_new(manager, path, name, 0, profile, FALSE, TRUE);

  self->fleet_file = g_strdup(file);
  self->readonly = TRUE;
  apply_conf(self, name, conf);
  return self;
}

void
ovpn3_config_object_fleet_update(Ovpn3ConfigObject *self, const char *name, Ovpn3Profile *profile,
                                 const Ovpn3FleetConf *conf)
{
  ovpn3_config_object_set_profile(self, profile);
  apply_conf(self, name, conf);
}

const char *
ovpn3_config_object_get_fleet_file(Ovpn3ConfigObject *self)
{
  return self->fleet_file;
}

gboolean
ovpn3_config_object_fleet_refuses(Ovpn3ConfigObject *self, GError **error)
{
  if (self->fleet_file == NULL)
    return FALSE;
  g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
              "Configuration profile is managed from %s and read-only over D-Bus; change that "
              "file (and its .conf) and reload (SIGHUP or Reload)",
              self->fleet_file);
  return TRUE;
}

gboolean
ovpn3_config_object_fleet_allows(Ovpn3ConfigObject *self, const char *method,
                                 GDBusMethodInvocation *invocation)
{
  static const char *const readers[] = { "Validate", "Fetch", "FetchJSON", NULL };
  g_autoptr(GError) error = NULL;

  if (g_strv_contains(readers, method) || !ovpn3_config_object_fleet_refuses(self, &error))
    return TRUE;
  g_dbus_method_invocation_return_gerror(invocation, error);
  return FALSE;
}
