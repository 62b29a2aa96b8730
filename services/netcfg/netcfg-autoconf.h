/* netcfg-autoconf.h — IPv6 autoconfiguration off on every device netcfg
 * creates (docs/architecture.md §6): a router advertisement sent down the tunnel must not
 * add a route or an address.
 *
 * accept_ra and autoconf have no netlink switch: they are written as 0 in
 * /proc/sys/net/ipv6/conf/<dev>/ (root-owned 0644 files; the kernel lets a
 * process with CAP_NET_ADMIN in the user namespace owning the device's
 * network namespace write them, so this works after the privilege drop;
 * the unit makes that directory writable under ProtectKernelTunables).
 * The address generation mode (netlink) is "none", so the device has no
 * link-local address either, unless netcfg was given an IPv6 address for
 * it: then the kernel's default mode (net.ipv6.conf.default.addr_gen_mode;
 * on tun the kernel turns eui64 into random) gives it its link-local
 * address as for any other device. The mode alone is not enough: with
 * accept_ra 1 an RA still installs a default route, and on tap autoconf
 * forms an address from the MAC address.
 *
 * The device's IPv6 state, and these settings with it, is dropped when its
 * MTU goes below 1280 and comes back with the kernel's defaults
 * (accept_ra 1) when it grows again: so every Establish writes them again,
 * after the MTU and before the link goes up, taking a link that is up down
 * first when that state would come back or the mode must change.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "netcfg-netlink.h"

G_BEGIN_DECLS

#define NETCFG_SYSCTL_IPV6_CONF "/proc/sys/net/ipv6/conf"
#define NETCFG_IPV6_MIN_MTU     1280

/* Writes 0 to accept_ra and autoconf of the device. *has_ipv6 is FALSE
 * (and the call succeeds) when the device has no IPv6 state (no such
 * directory: IPv6 disabled, or a MTU below 1280). */
gboolean netcfg_autoconf_sysctls_off(const char *ifname, gboolean *has_ipv6, GError **error);

/* Right after the device was created (link down): sysctls and mode none.
 * On failure the device is removed: it is never handed out with IPv6
 * autoconfiguration on. */
gboolean netcfg_autoconf_created(NetcfgNetlink *nl, const char *ifname, GError **error);

/* Establish: MTU and txqueuelen (0 = leave), autoconfiguration off, the
 * address generation mode for ipv6 (an IPv6 address is configured), link
 * up. */
gboolean netcfg_autoconf_link_up(NetcfgNetlink *nl, const char *ifname, int ifindex, guint mtu,
                                 guint txqlen, gboolean ipv6, GError **error);

G_END_DECLS
