#define G_LOG_DOMAIN "ovpn3-net-route-plan"

#include "config.h"

#include <sys/socket.h>

#include "ovpn3-net-route-plan.h"
#include "ovpn3-route-budget.h"

typedef struct
{
  const Ovpn3NetPlanInput *in;
  GArray *routes; /* Ovpn3NetPlannedRoute */
  GPtrArray *notes;
} Plan;

static void G_GNUC_PRINTF(2, 3) note(Plan *p, const char *format, ...)
{
  va_list args;

  if (p->notes == NULL)
    return;
  va_start(args, format);
  g_ptr_array_add(p->notes, g_strdup_vprintf(format, args));
  va_end(args);
}

static gboolean
is_uplink_kind(Ovpn3NetPlanKind kind)
{
  return kind == OVPN3_NET_PLAN_SERVER || kind == OVPN3_NET_PLAN_EXCLUDE;
}

/* The route outside the tunnel the kernel would use for dst once the routes
 * planned so far are in: the lookup's answer or a longer planned one. */
static gboolean
lookup(Plan *p, const Ovpn3NetAddr *dst, Ovpn3NetUplink *out)
{
  gboolean found = p->in->uplink != NULL && p->in->uplink(dst, out, p->in->uplink_data);

  for (guint i = 0; i < p->routes->len; i++)
    {
      const Ovpn3NetPlannedRoute *r = &g_array_index(p->routes, Ovpn3NetPlannedRoute, i);

      if (!is_uplink_kind(r->kind) || !ovpn3_net_addr_in_network(dst, &r->dst, r->prefix)
          || (found && r->prefix <= out->prefix))
        continue;
      *out = (Ovpn3NetUplink){
        .oif = r->oif, .has_gateway = r->has_gateway, .gateway = r->gateway, .prefix = r->prefix
      };
      found = TRUE;
    }
  return found;
}

static void
add(Plan *p, Ovpn3NetPlanKind kind, const Ovpn3NetAddr *dst, guint prefix, gint metric,
    const Ovpn3NetUplink *via)
{
  Ovpn3NetPlannedRoute r = { .kind = kind, .dst = *dst, .prefix = prefix, .metric = metric };
  const Ovpn3NetAddr *gw
      = dst->family == AF_INET6 ? p->in->tunnel_gateway6 : p->in->tunnel_gateway4;

  if (via != NULL)
    {
      r.oif = via->oif;
      r.has_gateway = via->has_gateway;
      r.gateway = via->gateway;
    }
  else if (gw != NULL)
    {
      r.has_gateway = TRUE;
      r.gateway = *gw;
    }
  g_array_append_val(p->routes, r);
}

static void
plan_server(Plan *p, const Ovpn3NetAddr *remote)
{
  Ovpn3NetUplink via;

  if (!lookup(p, remote, &via))
    {
      g_autofree char *shown = ovpn3_net_addr_to_string(remote);

      note(p, "no route to the VPN server %s outside the tunnel", shown);
      return;
    }
  add(p, OVPN3_NET_PLAN_SERVER, remote, ovpn3_net_addr_max_prefix(remote), -1, &via);
}

static void
plan_excludes(Plan *p)
{
  for (guint i = 0; i < p->in->n_networks; i++)
    {
      const Ovpn3NetNetwork *n = &p->in->networks[i];
      Ovpn3NetUplink via;

      if (!n->exclude)
        continue;
      if (!lookup(p, &n->net, &via))
        {
          g_autofree char *shown = ovpn3_net_addr_to_string(&n->net);

          note(p, "no route outside the tunnel for the excluded network %s/%u", shown, n->prefix);
          continue;
        }
      add(p, OVPN3_NET_PLAN_EXCLUDE, &n->net, n->prefix, n->metric, &via);
    }
}

/* docs/architecture.md §6: no route may cover the VPN server's own address more
 * specifically than the uplink does */
static gboolean
covers_server(Plan *p, const Ovpn3NetAddr *net, guint prefix)
{
  const Ovpn3NetAddr *remote = net->family == AF_INET6 ? p->in->remote6 : p->in->remote4;
  Ovpn3NetUplink via;

  if (remote == NULL || !ovpn3_net_addr_in_network(remote, net, prefix))
    return FALSE;
  if (!lookup(p, remote, &via))
    return FALSE;
  return prefix > via.prefix;
}

static void
plan_tunnel(Plan *p)
{
  g_autoptr(Ovpn3RouteBudget) budget
      = ovpn3_route_budget_new(p->in->reroute_ipv4, p->in->reroute_ipv6);

  for (guint i = 0; i < p->in->n_networks; i++)
    {
      const Ovpn3NetNetwork *n = &p->in->networks[i];
      g_autofree char *shown = NULL;

      if (n->exclude)
        continue;
      /* a parsed address: its text has nothing to escape */
      shown = ovpn3_net_addr_to_string(&n->net);
      if (covers_server(p, &n->net, n->prefix))
        note(p, "ignoring route %s/%u: it would take the VPN server's own address into the tunnel",
             shown, n->prefix);
      else if (!ovpn3_route_budget_take(budget, n->net.family, n->net.bytes, n->prefix))
        note(p,
             "ignoring route %s/%u: without redirect-gateway the pushed routes may cover at "
             "most %s together",
             shown, n->prefix, ovpn3_route_budget_describe(n->net.family));
      else
        add(p, OVPN3_NET_PLAN_TUNNEL, &n->net, n->prefix, n->metric, NULL);
    }
}

static void
plan_halves(Plan *p, int family)
{
  Ovpn3NetAddr low = { .family = family }, high = { .family = family };

  high.bytes[0] = 0x80;
  add(p, OVPN3_NET_PLAN_HALF, &low, 1, -1, NULL);
  add(p, OVPN3_NET_PLAN_HALF, &high, 1, -1, NULL);
}

GArray *
ovpn3_net_route_plan(const Ovpn3NetPlanInput *in, GPtrArray *notes)
{
  Plan p = { .in = in,
             .routes = g_array_new(FALSE, TRUE, sizeof(Ovpn3NetPlannedRoute)),
             .notes = notes };

  if ((in->reroute_ipv4 && in->remote4 == NULL) || (in->reroute_ipv6 && in->remote6 == NULL))
    note(&p, "redirect-gateway without the VPN server's address (SetRemoteAddress): "
             "no host route to the server is added");
  if (in->reroute_ipv4 && in->remote4 != NULL)
    plan_server(&p, in->remote4);
  if (in->reroute_ipv6 && in->remote6 != NULL)
    plan_server(&p, in->remote6);
  plan_excludes(&p);
  plan_tunnel(&p);
  if (in->reroute_ipv4)
    plan_halves(&p, AF_INET);
  if (in->reroute_ipv6)
    plan_halves(&p, AF_INET6);
  return p.routes;
}
