#define G_LOG_DOMAIN "ovpn3-netcfg-route-policy"

#include "config.h"

#include <sys/socket.h>

#include "netcfg-route-policy.h"
#include "ovpn3-route-budget.h"

struct _NetcfgRoutePolicy
{
  NetcfgNetlink *nl; /* not owned */
  int ifindex;
  gboolean has_remote4, has_remote6;
  NetcfgAddr remote4, remote6;
  Ovpn3RouteBudget *budget;
};

NetcfgRoutePolicy *
netcfg_route_policy_new(NetcfgNetlink *nl, int ifindex, const NetcfgAddr *remote4,
                        const NetcfgAddr *remote6, gboolean reroute_ipv4, gboolean reroute_ipv6)
{
  NetcfgRoutePolicy *self = g_new0(NetcfgRoutePolicy, 1);

  self->nl = nl;
  self->ifindex = ifindex;
  if (remote4 != NULL)
    {
      self->remote4 = *remote4;
      self->has_remote4 = TRUE;
    }
  if (remote6 != NULL)
    {
      self->remote6 = *remote6;
      self->has_remote6 = TRUE;
    }
  self->budget = ovpn3_route_budget_new(reroute_ipv4, reroute_ipv6);
  return self;
}

void
netcfg_route_policy_free(NetcfgRoutePolicy *self)
{
  if (self == NULL)
    return;
  ovpn3_route_budget_free(self->budget);
  g_free(self);
}

/* docs/architecture.md §6: no route may cover the VPN server's own address more
 * specifically than the uplink does */
static gboolean
covers_server(NetcfgRoutePolicy *self, const NetcfgAddr *net, guint prefix)
{
  gboolean v6 = net->family == AF_INET6;
  const NetcfgAddr *remote = v6 ? &self->remote6 : &self->remote4;
  NetcfgRoute uplink;
  guint uplink_prefix = 0;

  if (!(v6 ? self->has_remote6 : self->has_remote4) || !netcfg_addr_in_network(remote, net, prefix))
    return FALSE;
  if (!netcfg_netlink_uplink_for(self->nl, remote, self->ifindex, &uplink, &uplink_prefix))
    return FALSE;
  return prefix > uplink_prefix;
}

gboolean
netcfg_route_policy_allows(NetcfgRoutePolicy *self, const NetcfgAddr *net, guint prefix, char **why)
{
  /* a parsed address: its text has nothing to escape */
  g_autofree char *shown = netcfg_addr_to_string(net);

  if (covers_server(self, net, prefix))
    {
      *why = g_strdup_printf("%s/%u: it would take the VPN server's own address into the tunnel",
                             shown, prefix);
      return FALSE;
    }
  if (!ovpn3_route_budget_take(self->budget, net->family, net->bytes, prefix))
    {
      *why = g_strdup_printf("%s/%u: without redirect-gateway the pushed routes may cover at "
                             "most %s together",
                             shown, prefix, ovpn3_route_budget_describe(net->family));
      return FALSE;
    }
  return TRUE;
}
