/* netcfg-netlink.h — links, addresses and routes through libnl-route-3
 * (never by running `ip`).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "ovpn3-net-addr.h"

G_BEGIN_DECLS

typedef struct _NetcfgNetlink NetcfgNetlink;

typedef struct
{
  Ovpn3NetAddr dst;
  guint prefix;
  gboolean has_gateway;
  Ovpn3NetAddr gateway;
  int oif;
  gint metric; /* -1 = kernel default */
} NetcfgRoute;

NetcfgNetlink *netcfg_netlink_new(GError **error);
void netcfg_netlink_free(NetcfgNetlink *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NetcfgNetlink, netcfg_netlink_free)

/* ifindex of a link, 0 if there is none. */
int netcfg_netlink_link_index(NetcfgNetlink *self, const char *name);
/* TRUE if `name` exists and is a tun/tap device. */
gboolean netcfg_netlink_link_is_tun(NetcfgNetlink *self, const char *name);
/* Removes a link by name; a missing link is not an error. */
gboolean netcfg_netlink_link_delete(NetcfgNetlink *self, const char *name, GError **error);
typedef enum
{
  NETCFG_LINK_LEAVE = 0,
  NETCFG_LINK_DOWN,
  NETCFG_LINK_UP,
} NetcfgLinkUp;

typedef struct
{
  gboolean up;
  guint mtu;
  gboolean has_addr_gen_mode; /* FALSE: the device has no IPv6 state */
  guint8 addr_gen_mode;       /* IN6_ADDR_GEN_MODE_* */
} NetcfgLinkState;

gboolean netcfg_netlink_link_state(NetcfgNetlink *self, int ifindex, NetcfgLinkState *out,
                                   GError **error);
/* mtu / txqlen 0 = leave as is; up: the link's state afterwards. */
gboolean netcfg_netlink_link_set(NetcfgNetlink *self, int ifindex, guint mtu, guint txqlen,
                                 NetcfgLinkUp up, GError **error);
/* The IPv6 address generation mode (IN6_ADDR_GEN_MODE_*); the device must
 * have IPv6 state. */
gboolean netcfg_netlink_link_set_addr_gen_mode(NetcfgNetlink *self, int ifindex, guint8 mode,
                                               GError **error);

gboolean netcfg_netlink_address(NetcfgNetlink *self, gboolean add, int ifindex,
                                const Ovpn3NetAddr *addr, guint prefix, GError **error);
/* Adds next to routes to the same network through other devices (newest
 * first for IPv4); adding the very same route again fails with
 * G_IO_ERROR_EXISTS. Removing a route that is already gone is not an
 * error. */
gboolean netcfg_netlink_route(NetcfgNetlink *self, gboolean add, const NetcfgRoute *route,
                              GError **error);

/* The main-table route the kernel would use for dst (longest prefix, then
 * lowest metric), ignoring routes through ignore_ifindex: fills
 * out->oif, out->gateway/has_gateway and returns the matched prefix in
 * *matched_prefix. FALSE if there is none. */
gboolean netcfg_netlink_uplink_for(NetcfgNetlink *self, const Ovpn3NetAddr *dst, int ignore_ifindex,
                                   NetcfgRoute *out, guint *matched_prefix);

char *netcfg_route_to_string(const NetcfgRoute *route);

G_END_DECLS
