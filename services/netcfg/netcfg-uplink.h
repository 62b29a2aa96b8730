/* netcfg-uplink.h — the uplink watch: one read-only rtnetlink socket (the route and link
 * multicast groups) that tells the session manager, with the unicast signal
 * OVPN3_NETCFG_SIGNAL_UPLINK, when a default route appears on a device that is not a tun
 * (docs/architecture.md §5). netcfg is the one service that sees the host's network (the
 * others run with PrivateNetwork=yes).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _Ovpn3UplinkWatch Ovpn3UplinkWatch;

/* How long the watch waits for the route changes of one event to settle (ms). */
#define OVPN3_UPLINK_SETTLE_MS 200

/* A default route that was not there before appeared (a new uplink, a new gateway, the same
 * uplink back): the session manager, if it runs, is told once per burst of changes. NULL if
 * the socket cannot be opened (the reason is logged). */
Ovpn3UplinkWatch *ovpn3_uplink_watch_new(GDBusConnection *connection);
void ovpn3_uplink_watch_free(Ovpn3UplinkWatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3UplinkWatch, ovpn3_uplink_watch_free)

G_END_DECLS
