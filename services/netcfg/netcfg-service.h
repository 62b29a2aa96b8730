/* netcfg-service.h — how ovpn3-service-netcfg starts: privileges first,
 * then the common service scaffold.
 *
 * netcfg is started as root (D-Bus activation / its systemd unit).
 * netcfg_service_prepare(), called by main() before anything else and
 * before the bus connection (so that the bus, systemd-resolved and polkit
 * see the service user, not root):
 *   1. opens /etc/resolv.conf read-write for the resolv.conf fallback;
 *   2. opens netcfg's own state (netcfg-store.h): the state directory
 *      (root's, 0700) and its files, kept open, so that the service
 *      user's other processes can neither read nor change them;
 *   3. changes to the service user (uid, gid, no supplementary groups)
 *      keeping only CAP_NET_ADMIN in its effective and permitted sets and
 *      clearing the bounding and ambient sets (libcap-ng);
 *   4. checks the result and refuses to run (exit 1) as root, with any
 *      capability besides CAP_NET_ADMIN, or without CAP_NET_ADMIN.
 * CAP_NET_ADMIN is all netcfg needs: creating persistent tun/tap devices
 * and setting their owner, links, addresses and routes over rtnetlink.
 * /dev/net/tun is opened through its 0666 mode, resolv.conf through the
 * descriptor of step 1, systemd-resolved is authorised by polkit.
 *
 * Test switch: --keep-privileges skips steps 3 and 4 and runs with the
 * privileges the process was started with (e.g. root inside a throw-away
 * namespace, or under a debugger). It is for tests and debugging only;
 * it is logged loudly and never used by the shipped activation file or
 * unit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-service.h"

G_BEGIN_DECLS

#define NETCFG_OPTION_KEEP_PRIVILEGES "--keep-privileges"

extern const Ovpn3ServiceDesc ovpn3_netcfg_service;

/* Returns 0 to go on, or the exit status. */
int netcfg_service_prepare(int argc, char **argv);

G_END_DECLS
