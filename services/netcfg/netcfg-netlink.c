#define G_LOG_DOMAIN "ovpn3-netcfg-netlink"

#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/route.h>

#include <gio/gio.h>

#include "netcfg-netlink.h"

struct _NetcfgNetlink
{
  struct nl_sock *sock;
};

static gboolean nl_fail(GError **error, int err, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
nl_fail(GError **error, int err, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start(args, format);
  what = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error(error, G_IO_ERROR, err == -NLE_EXIST ? G_IO_ERROR_EXISTS : G_IO_ERROR_FAILED,
              "%s: %s", what, nl_geterror(err));
  return FALSE;
}

NetcfgNetlink *
netcfg_netlink_new(GError **error)
{
  g_autoptr(NetcfgNetlink) self = g_new0(NetcfgNetlink, 1);
  int err;

  self->sock = nl_socket_alloc();
  if (self->sock == NULL)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot allocate a netlink socket");
      return NULL;
    }
  err = nl_connect(self->sock, NETLINK_ROUTE);
  if (err < 0)
    {
      nl_fail(error, err, "cannot connect to rtnetlink");
      return NULL;
    }
  return g_steal_pointer(&self);
}

void
netcfg_netlink_free(NetcfgNetlink *self)
{
  if (self == NULL)
    return;
  if (self->sock != NULL)
    nl_socket_free(self->sock);
  g_free(self);
}

static struct rtnl_link *
get_link(NetcfgNetlink *self, const char *name)
{
  struct rtnl_link *link = NULL;

  if (rtnl_link_get_kernel(self->sock, 0, name, &link) < 0)
    return NULL;
  return link;
}

int
netcfg_netlink_link_index(NetcfgNetlink *self, const char *name)
{
  struct rtnl_link *link = get_link(self, name);
  int index;

  if (link == NULL)
    return 0;
  index = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  return index;
}

gboolean
netcfg_netlink_link_is_tun(NetcfgNetlink *self, const char *name)
{
  struct rtnl_link *link = get_link(self, name);
  const char *type;
  gboolean is_tun;

  if (link == NULL)
    return FALSE;
  type = rtnl_link_get_type(link);
  is_tun = type != NULL && strcmp(type, "tun") == 0;
  rtnl_link_put(link);
  return is_tun;
}

gboolean
netcfg_netlink_link_delete(NetcfgNetlink *self, const char *name, GError **error)
{
  struct rtnl_link *link = rtnl_link_alloc();
  int err;

  rtnl_link_set_name(link, name);
  err = rtnl_link_delete(self->sock, link);
  rtnl_link_put(link);
  if (err < 0 && err != -NLE_OBJ_NOTFOUND && err != -NLE_NODEV)
    return nl_fail(error, err, "cannot remove %s", name);
  return TRUE;
}

gboolean
netcfg_netlink_link_state(NetcfgNetlink *self, int ifindex, NetcfgLinkState *out, GError **error)
{
  struct rtnl_link *link = NULL;
  uint8_t mode = 0;
  int err;

  err = rtnl_link_get_kernel(self->sock, ifindex, NULL, &link);
  if (err < 0)
    return nl_fail(error, err, "cannot read link %d", ifindex);
  out->up = (rtnl_link_get_flags(link) & IFF_UP) != 0;
  out->mtu = rtnl_link_get_mtu(link);
  /* absent when the device has no IPv6 state */
  out->has_addr_gen_mode = rtnl_link_inet6_get_addr_gen_mode(link, &mode) == 0;
  out->addr_gen_mode = mode;
  rtnl_link_put(link);
  return TRUE;
}

/* A change of link ifindex: the kernel's link and an empty one to fill. */
static gboolean
link_change_begin(NetcfgNetlink *self, int ifindex, struct rtnl_link **orig,
                  struct rtnl_link **change, GError **error)
{
  int err = rtnl_link_get_kernel(self->sock, ifindex, NULL, orig);

  if (err < 0)
    return nl_fail(error, err, "cannot read link %d", ifindex);
  *change = rtnl_link_alloc();
  return TRUE;
}

/* Sends the change unless err already says it failed; frees both links. */
static int
link_change_commit(NetcfgNetlink *self, struct rtnl_link *orig, struct rtnl_link *change, int err)
{
  if (err >= 0)
    err = rtnl_link_change(self->sock, orig, change, 0);
  rtnl_link_put(change);
  rtnl_link_put(orig);
  return err;
}

gboolean
netcfg_netlink_link_set(NetcfgNetlink *self, int ifindex, guint mtu, guint txqlen, NetcfgLinkUp up,
                        GError **error)
{
  struct rtnl_link *orig = NULL, *change = NULL;
  int err;

  if (!link_change_begin(self, ifindex, &orig, &change, error))
    return FALSE;
  if (mtu != 0)
    rtnl_link_set_mtu(change, mtu);
  if (txqlen != 0)
    rtnl_link_set_txqlen(change, txqlen);
  if (up == NETCFG_LINK_UP)
    rtnl_link_set_flags(change, IFF_UP);
  else if (up == NETCFG_LINK_DOWN)
    rtnl_link_unset_flags(change, IFF_UP);
  err = link_change_commit(self, orig, change, 0);
  if (err < 0)
    return nl_fail(error, err, "cannot configure link %d (mtu %u, txqueuelen %u%s)", ifindex, mtu,
                   txqlen,
                   up == NETCFG_LINK_UP     ? ", up"
                   : up == NETCFG_LINK_DOWN ? ", down"
                                            : "");
  return TRUE;
}

gboolean
netcfg_netlink_link_set_addr_gen_mode(NetcfgNetlink *self, int ifindex, guint8 mode, GError **error)
{
  struct rtnl_link *orig = NULL, *change = NULL;
  int err;

  if (!link_change_begin(self, ifindex, &orig, &change, error))
    return FALSE;
  err = rtnl_link_inet6_set_addr_gen_mode(change, mode);
  err = link_change_commit(self, orig, change, err);
  if (err < 0)
    return nl_fail(error, err, "cannot set the IPv6 address generation mode of link %d to %u",
                   ifindex, mode);
  return TRUE;
}

static struct nl_addr *
build_addr(const Ovpn3NetAddr *addr, guint prefix)
{
  struct nl_addr *a = nl_addr_build(addr->family, addr->bytes, addr->family == AF_INET6 ? 16 : 4);

  nl_addr_set_prefixlen(a, (int) prefix);
  return a;
}

gboolean
netcfg_netlink_address(NetcfgNetlink *self, gboolean add, int ifindex, const Ovpn3NetAddr *addr,
                       guint prefix, GError **error)
{
  struct rtnl_addr *ra = rtnl_addr_alloc();
  struct nl_addr *local = build_addr(addr, prefix);
  int err;

  rtnl_addr_set_ifindex(ra, ifindex);
  rtnl_addr_set_family(ra, addr->family);
  rtnl_addr_set_local(ra, local);
  rtnl_addr_set_prefixlen(ra, (int) prefix);
  err = add ? rtnl_addr_add(self->sock, ra, 0) : rtnl_addr_delete(self->sock, ra, 0);
  nl_addr_put(local);
  rtnl_addr_put(ra);
  if (err < 0 && !(!add && (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV || err == -NLE_NOADDR)))
    {
      g_autofree char *shown = ovpn3_net_addr_to_string(addr);

      return nl_fail(error, err, "cannot %s address %s/%u", add ? "add" : "remove", shown, prefix);
    }
  return TRUE;
}

char *
netcfg_route_to_string(const NetcfgRoute *route)
{
  g_autofree char *dst = ovpn3_net_addr_to_string(&route->dst);
  g_autofree char *gw = route->has_gateway ? ovpn3_net_addr_to_string(&route->gateway) : NULL;
  char ifname[IF_NAMESIZE] = "";

  if (if_indextoname((unsigned) route->oif, ifname) == NULL)
    g_snprintf(ifname, sizeof ifname, "#%d", route->oif);
  return g_strdup_printf("%s/%u%s%s dev %s", dst, route->prefix, gw ? " via " : "", gw ? gw : "",
                         ifname);
}

gboolean
netcfg_netlink_route(NetcfgNetlink *self, gboolean add, const NetcfgRoute *route, GError **error)
{
  struct rtnl_route *rr = rtnl_route_alloc();
  struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
  struct nl_addr *dst = build_addr(&route->dst, route->prefix);
  int err;

  rtnl_route_set_family(rr, (uint8_t) route->dst.family);
  rtnl_route_set_dst(rr, dst);
  rtnl_route_set_table(rr, RT_TABLE_MAIN);
  rtnl_route_set_type(rr, RTN_UNICAST);
  rtnl_route_set_protocol(rr, RTPROT_STATIC);
  if (route->metric >= 0)
    rtnl_route_set_priority(rr, (uint32_t) route->metric);
  rtnl_route_nh_set_ifindex(nh, route->oif);
  if (route->has_gateway)
    {
      struct nl_addr *gw = build_addr(&route->gateway, ovpn3_net_addr_max_prefix(&route->gateway));

      rtnl_route_nh_set_gateway(nh, gw);
      nl_addr_put(gw);
    }
  rtnl_route_add_nexthop(rr, nh); /* rr owns nh now */
  rtnl_route_set_scope(rr, (uint8_t) rtnl_route_guess_scope(rr));
  /* NLM_F_CREATE without NLM_F_EXCL ("ip route prepend"): a route to the
   * same network through another device (another session, the uplink) is
   * kept next to ours, and ours is found again by its device on removal */
  err = add ? rtnl_route_add(self->sock, rr, 0) : rtnl_route_delete(self->sock, rr, 0);
  nl_addr_put(dst);
  rtnl_route_put(rr);
  if (err < 0 && !(!add && (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)))
    {
      g_autofree char *shown = netcfg_route_to_string(route);

      return nl_fail(error, err, "cannot %s route %s", add ? "add" : "remove", shown);
    }
  return TRUE;
}

typedef struct
{
  const Ovpn3NetAddr *dst;
  int ignore_ifindex;
  gboolean found;
  guint best_prefix;
  guint32 best_metric;
  NetcfgRoute *out;
} UplinkSearch;

static void
consider_route(struct nl_object *obj, void *data)
{
  UplinkSearch *s = data;
  struct rtnl_route *rr = (struct rtnl_route *) obj;
  struct nl_addr *dst;
  struct rtnl_nexthop *nh;
  struct nl_addr *gw;
  Ovpn3NetAddr net = { .family = s->dst->family };
  guint prefix;
  guint32 metric;

  if (rtnl_route_get_table(rr) != RT_TABLE_MAIN || rtnl_route_get_type(rr) != RTN_UNICAST
      || rtnl_route_get_family(rr) != s->dst->family || rtnl_route_get_nnexthops(rr) < 1)
    return;
  nh = rtnl_route_nexthop_n(rr, 0);
  if (rtnl_route_nh_get_ifindex(nh) == s->ignore_ifindex)
    return;
  dst = rtnl_route_get_dst(rr);
  prefix = dst != NULL ? nl_addr_get_prefixlen(dst) : 0;
  if (prefix > 0)
    {
      gsize len = nl_addr_get_len(dst);

      if (len != (s->dst->family == AF_INET6 ? 16u : 4u))
        return;
      memcpy(net.bytes, nl_addr_get_binary_addr(dst), len);
      if (!ovpn3_net_addr_in_network(s->dst, &net, prefix))
        return;
    }
  metric = rtnl_route_get_priority(rr);
  if (s->found
      && (prefix < s->best_prefix || (prefix == s->best_prefix && metric >= s->best_metric)))
    return;
  s->found = TRUE;
  s->best_prefix = prefix;
  s->best_metric = metric;
  s->out->oif = rtnl_route_nh_get_ifindex(nh);
  gw = rtnl_route_nh_get_gateway(nh);
  s->out->has_gateway
      = gw != NULL && nl_addr_get_len(gw) == (s->dst->family == AF_INET6 ? 16u : 4u);
  if (s->out->has_gateway)
    {
      s->out->gateway.family = s->dst->family;
      memcpy(s->out->gateway.bytes, nl_addr_get_binary_addr(gw), nl_addr_get_len(gw));
    }
}

gboolean
netcfg_netlink_uplink_for(NetcfgNetlink *self, const Ovpn3NetAddr *dst, int ignore_ifindex,
                          NetcfgRoute *out, guint *matched_prefix)
{
  struct nl_cache *cache = NULL;
  UplinkSearch s = { .dst = dst, .ignore_ifindex = ignore_ifindex, .out = out };

  if (rtnl_route_alloc_cache(self->sock, dst->family, 0, &cache) < 0)
    return FALSE;
  nl_cache_foreach(cache, consider_route, &s);
  nl_cache_free(cache);
  if (s.found && matched_prefix != NULL)
    *matched_prefix = s.best_prefix;
  return s.found;
}
