#define G_LOG_DOMAIN "ovpn3-introspection"

#include "config.h"

#include "ovpn3-introspection-resources.h"
#include "ovpn3-introspection.h"
#include "ovpn3-names.h"

static GHashTable *node_cache; /* xml name → GDBusNodeInfo */
G_LOCK_DEFINE_STATIC(node_cache);

GDBusInterfaceInfo *
ovpn3_introspection_get(const char *xml_name)
{
  GDBusNodeInfo *node;
  g_autoptr(GError) error = NULL;

  G_LOCK(node_cache);
  if (node_cache == NULL)
    node_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_dbus_node_info_unref);
  node = g_hash_table_lookup(node_cache, xml_name);
  if (node == NULL)
    {
      g_autofree char *path = g_strconcat(OVPN3_INTROSPECTION_RESOURCE_PREFIX, xml_name, NULL);
      /* our own resource, looked up directly: a constructor-registered
       * resource in a static library is not linked in unless referenced */
      g_autoptr(GBytes) bytes = g_resource_lookup_data(ovpn3_introspection_get_resource(), path,
                                                       G_RESOURCE_LOOKUP_FLAGS_NONE, &error);

      if (bytes == NULL)
        g_error("introspection resource %s missing: %s", path, error->message);
      node = g_dbus_node_info_new_for_xml(g_bytes_get_data(bytes, NULL), &error);
      if (node == NULL)
        g_error("introspection resource %s is invalid: %s", path, error->message);
      if (node->interfaces == NULL || node->interfaces[0] == NULL)
        g_error("introspection resource %s has no interface", path);
      g_dbus_interface_info_cache_build(node->interfaces[0]);
      g_hash_table_insert(node_cache, g_strdup(xml_name), node);
    }
  G_UNLOCK(node_cache);

  return node->interfaces[0];
}
