/* netcfg-route-policy.h — which pushed routes may go through the tunnel
 * (docs/architecture.md §6, "Server-pushed settings are untrusted"), decided again at
 * every Establish, when the device's reroute_ipv4/6 are final:
 *  - no route may cover the VPN server's own address more specifically
 *    than the uplink does;
 *  - the route budget (ovpn3-route-budget.h, shared with the backend
 *    client): without redirect-gateway the routes together cover at most
 *    1/16 of IPv4 and 1/256 of 2000::/3, routes beyond it are refused in
 *    order.
 * Excluded routes are not offered here: they leave outside the tunnel.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "netcfg-netlink.h"
#include "netcfg-validate.h"

G_BEGIN_DECLS

typedef struct _NetcfgRoutePolicy NetcfgRoutePolicy;

/* remote4/remote6: the VPN server's addresses (NULL if unknown); ifindex:
 * the tunnel device, whose routes do not count as the uplink. */
NetcfgRoutePolicy *netcfg_route_policy_new(NetcfgNetlink *nl, int ifindex,
                                           const NetcfgAddr *remote4, const NetcfgAddr *remote6,
                                           gboolean reroute_ipv4, gboolean reroute_ipv6);
void netcfg_route_policy_free(NetcfgRoutePolicy *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetcfgRoutePolicy, netcfg_route_policy_free)

/* TRUE if net/prefix may go through the tunnel (and, then, it is counted
 * in the budget); FALSE with *why set (for the log, once) if not. */
gboolean netcfg_route_policy_allows(NetcfgRoutePolicy *self, const NetcfgAddr *net, guint prefix,
                                    char **why);

G_END_DECLS
