/* ovpn3-net-route-plan.h — which routes a device's settings become
 * (docs/architecture.md §6), decided without touching the kernel: netcfg
 * looks the uplink up through a callback, executes the plan with netlink and
 * logs the notes. In the order they are to be added:
 *  1. with reroute_ipv4/6, a host route to the VPN server through the uplink
 *     it uses now (looked up before any route through the tunnel exists);
 *  2. excluded networks through the uplink of each;
 *  3. the other networks through the tunnel, each if it does not take the
 *     VPN server's address into the tunnel more specifically than the uplink
 *     does, and if it fits in the route budget (ovpn3-route-budget.h);
 *  4. with reroute_ipv4/6, the two /1 halves of the default route through
 *     the tunnel (def1: the default route itself stays).
 * Lookups made after step 1 see the routes planned before them, as the
 * kernel would.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "ovpn3-net-addr.h"

G_BEGIN_DECLS

/* A network the backend staged (AddNetworks), checked by ovpn3_net_check_route(). */
typedef struct
{
  Ovpn3NetAddr net;
  guint prefix;
  gint metric; /* -1 = default */
  gboolean exclude;
} Ovpn3NetNetwork;

/* What the main table says of a destination, ignoring the tunnel. */
typedef struct
{
  int oif;
  gboolean has_gateway;
  Ovpn3NetAddr gateway;
  guint prefix; /* of the matched route */
} Ovpn3NetUplink;

/* Fills *out and returns TRUE if some route outside the tunnel reaches dst. */
typedef gboolean (*Ovpn3NetUplinkLookup)(const Ovpn3NetAddr *dst, Ovpn3NetUplink *out,
                                         gpointer user_data);

typedef enum
{
  OVPN3_NET_PLAN_SERVER = 0, /* host route to the VPN server, through the uplink */
  OVPN3_NET_PLAN_EXCLUDE,    /* excluded network, through the uplink */
  OVPN3_NET_PLAN_TUNNEL,     /* pushed network, through the tunnel */
  OVPN3_NET_PLAN_HALF,       /* half of the default route, through the tunnel */
} Ovpn3NetPlanKind;

typedef struct
{
  Ovpn3NetPlanKind kind;
  Ovpn3NetAddr dst;
  guint prefix;
  gint metric; /* -1 = default */
  gboolean has_gateway;
  Ovpn3NetAddr gateway;
  int oif; /* the uplink's; 0 through the tunnel */
} Ovpn3NetPlannedRoute;

typedef struct
{
  const Ovpn3NetNetwork *networks;
  guint n_networks;
  const Ovpn3NetAddr *remote4, *remote6; /* the VPN server, NULL if unknown */
  gboolean reroute_ipv4, reroute_ipv6;
  /* tap: the gateway routes through the tunnel use, NULL for none (tun) */
  const Ovpn3NetAddr *tunnel_gateway4, *tunnel_gateway6;
  Ovpn3NetUplinkLookup uplink;
  gpointer uplink_data;
} Ovpn3NetPlanInput;

/* The routes to add (Ovpn3NetPlannedRoute), in order; notes (char*, may be
 * NULL) gets one line per thing left out, for the log. */
GArray *ovpn3_net_route_plan(const Ovpn3NetPlanInput *in, GPtrArray *notes);

G_END_DECLS
