/* netcfg-tun.h — persistent tun/tap devices owned by a UID.
 *
 * The right tool for a persistent tun/tap is the tun driver's own ioctl
 * interface on /dev/net/tun (TUNSETIFF, TUNSETOWNER, TUNSETPERSIST): it is
 * how the owner is recorded, so that the owner (openvpn, unprivileged)
 * can later open the device by name with TUNSETIFF and no capabilities.
 * Everything else (link state, MTU, addresses, routes, removal) goes
 * through netlink (netcfg-netlink.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

#define NETCFG_LAYER_UNSET 0
#define NETCFG_LAYER_TAP   2
#define NETCFG_LAYER_TUN   3

/* Creates the device `name` (layer 3 = tun, 2 = tap) owned by owner, not
 * persistent yet: it lives while the returned descriptor is open, so a
 * netcfg that dies before netcfg_tun_persist() (before it recorded the
 * device in its state) leaves nothing behind. Fails (-1) if the name is
 * taken. */
int netcfg_tun_open(const char *name, guint layer, uid_t owner, GError **error);
/* Makes the device persistent and closes fd, also on error (the device is
 * then gone with it). */
gboolean netcfg_tun_persist(int fd, const char *name, GError **error);

G_END_DECLS
