/* netcfg-uplink-routes.c — the routes outside the tunnel that devices share (two sessions to
 * one server): counted per route in the manager's table (netcfg-manager.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-netcfg-uplink-routes"

#include "config.h"

#include "netcfg-manager.h"
#include "ovpn3-net-addr.h"

static char *
route_key(const NetcfgRoute *route)
{
  g_autofree char *dst = ovpn3_net_addr_to_string(&route->dst);
  g_autofree char *gw = route->has_gateway ? ovpn3_net_addr_to_string(&route->gateway) : NULL;

  return g_strdup_printf("%s/%u %s %d %d", dst, route->prefix, gw ? gw : "-", route->oif,
                         route->metric);
}

void
netcfg_manager_uplink_route_ref(NetcfgManager *self, const NetcfgRoute *route)
{
  char *key = route_key(route);
  guint count = GPOINTER_TO_UINT(g_hash_table_lookup(netcfg_manager_get_uplink_routes(self), key));

  g_hash_table_replace(netcfg_manager_get_uplink_routes(self), key, GUINT_TO_POINTER(count + 1));
}

gboolean
netcfg_manager_uplink_route_unref(NetcfgManager *self, const NetcfgRoute *route)
{
  g_autofree char *key = route_key(route);
  guint count = GPOINTER_TO_UINT(g_hash_table_lookup(netcfg_manager_get_uplink_routes(self), key));

  if (count <= 1)
    {
      g_hash_table_remove(netcfg_manager_get_uplink_routes(self), key);
      return TRUE;
    }
  g_hash_table_replace(netcfg_manager_get_uplink_routes(self), g_steal_pointer(&key),
                       GUINT_TO_POINTER(count - 1));
  return FALSE;
}

gboolean
netcfg_manager_uplink_route_is_ours(NetcfgManager *self, const NetcfgRoute *route)
{
  g_autofree char *key = route_key(route);

  return g_hash_table_contains(netcfg_manager_get_uplink_routes(self), key);
}
