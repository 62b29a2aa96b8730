/* ovpn3-route-budget.h — the route budget of docs/architecture.md §6, one implementation
 * for the backend client (before it hands routes to netcfg) and netcfg
 * (which does not trust the client).
 *
 * Plain `route` lines may not smuggle a default route in pieces: without
 * redirect-gateway, the routes through the tunnel may together cover at
 * most 1/16 of the IPv4 space and 1/256 of 2000::/3, counted as the union
 * of their prefixes (overlapping routes count once; for IPv6 only the part
 * inside 2000::/3 counts). Routes are offered one by one, in order; a
 * route that would take the union beyond the budget is refused and not
 * counted, and later routes that still fit are taken. A family whose
 * default route the session takes anyway (redirect-gateway) has no budget.
 * Excluded routes (they leave outside the tunnel) are simply not offered.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The budget is 2^-SHIFT of the space: 1/16 of IPv4, 1/256 of 2000::/3. */
#define OVPN3_ROUTE_BUDGET_IPV4_SHIFT 4
#define OVPN3_ROUTE_BUDGET_IPV6_SHIFT 8

typedef struct _Ovpn3RouteBudget Ovpn3RouteBudget;

/* A budget for one set of routes; unlimited_ipv4/6: the session has
 * redirect-gateway for that family. */
Ovpn3RouteBudget *ovpn3_route_budget_new(gboolean unlimited_ipv4, gboolean unlimited_ipv6);
void ovpn3_route_budget_free(Ovpn3RouteBudget *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3RouteBudget, ovpn3_route_budget_free)

/* Offers the route address/prefix (family AF_INET with 4 bytes or AF_INET6
 * with 16, network byte order; host bits are ignored). TRUE if it fits in
 * the budget, and then it is counted; FALSE if it would exceed it, or for a
 * bad family or prefix. */
gboolean ovpn3_route_budget_take(Ovpn3RouteBudget *self, int family, const guint8 *address,
                                 guint prefix);

/* The limit in words, for messages: "1/16 of the IPv4 address space". */
const char *ovpn3_route_budget_describe(int family);

G_END_DECLS
