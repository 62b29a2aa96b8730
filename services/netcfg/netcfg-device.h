/* netcfg-device.h — one device object /net/openvpn/v3/netcfg/<pid>_<name>:
 * staged settings (addresses, routes, DNS), validated on arrival, applied
 * by Establish through netlink and resolved / resolv.conf, undone by
 * Destroy (docs/dbus-api.md §3.5, docs/architecture.md §6).
 *
 * Staging accumulates until Establish; the first staging call after a
 * successful Establish starts a new set (the backend hands over a complete
 * set each time, e.g. after a reconnect), so the next Establish applies
 * exactly that set and removes what is no longer in it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "netcfg-manager.h"
#include "ovpn3-credentials.h"

G_BEGIN_DECLS

#define NETCFG_TYPE_DEVICE (netcfg_device_get_type())
G_DECLARE_FINAL_TYPE(NetcfgDevice, netcfg_device, NETCFG, DEVICE, GObject)

NetcfgDevice *netcfg_device_new(NetcfgManager *manager, const char *name,
                                const Ovpn3Caller *creator);
gboolean netcfg_device_export(NetcfgDevice *self, GError **error);
void netcfg_device_unexport(NetcfgDevice *self);

const char *netcfg_device_get_path(NetcfgDevice *self);
const char *netcfg_device_get_name(NetcfgDevice *self);
const char *netcfg_device_get_creator(NetcfgDevice *self);
guint32 netcfg_device_get_creator_pid(NetcfgDevice *self);

/* At start-up, after netcfg's own crash (netcfg-device-adopt.c): adopts
 * each recorded device whose creator — unique name, PID and start time
 * (netcfg-creator.h) — is alive, re-exported at its path with its creator,
 * owner, properties and what was applied; removes the rest
 * (netcfg_state_recover); then resolv.conf: rewritten from the adopted
 * devices if one uses it, else restored as after any crash. */
void netcfg_device_adopt_recover(NetcfgManager *manager);

/* Records the VPN server's address (SetRemoteAddress, ProtectSocket). */
gboolean netcfg_device_set_remote(NetcfgDevice *self, const Ovpn3NetAddr *addr, GError **error);

/* Undoes everything applied (DNS, routes, addresses) and removes the
 * kernel device. Idempotent. */
void netcfg_device_teardown(NetcfgDevice *self);

/* What the state file records of this device (NULL when nothing of it is
 * in the kernel). */
JsonNode *netcfg_device_to_state(NetcfgDevice *self);

/* resolv.conf mode: appends this device's servers and domains; sets
 * *full_tunnel when its dns_scope is global. FALSE if it does not use
 * resolv.conf. */
gboolean netcfg_device_collect_resolvconf(NetcfgDevice *self, GPtrArray *servers,
                                          GPtrArray *domains, gboolean *full_tunnel);
/* Applied DNS of devices with dns_scope global (global_dns_* properties). */
void netcfg_device_collect_global_dns(NetcfgDevice *self, GPtrArray *servers, GPtrArray *domains);

G_END_DECLS
