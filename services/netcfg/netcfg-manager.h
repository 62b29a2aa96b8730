/* netcfg-manager.h — the manager object /net/openvpn/v3/netcfg: creates
 * devices, watches their creators, keeps the notification subscribers,
 * the state file and the shared resolv.conf (docs/dbus-api.md §3.5, docs/architecture.md §6).
 *
 * DcoAvailable answers false (no DCO in this build). ProtectSocket without
 * DCO: the backend's openvpn owns its UDP/TCP socket, so netcfg does not
 * touch the socket (one fd must be attached, outside the signature, as
 * upstream); it checks the arguments and records the remote address on
 * the caller's device like SetRemoteAddress, and the host route to the
 * server through the previous gateway that Establish adds with
 * reroute_ipv4/6 is what keeps that traffic out of the tunnel.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netcfg-netlink.h"
#include "ovpn3-manager.h"
#include "ovpn3-names.h"
#include "ovpn3-service.h"

G_BEGIN_DECLS

#define NETCFG_TYPE_MANAGER (netcfg_manager_get_type())
G_DECLARE_FINAL_TYPE(NetcfgManager, netcfg_manager, NETCFG, MANAGER, GObject)

typedef struct _NetcfgDevice NetcfgDevice;

NetcfgManager *netcfg_manager_new(Ovpn3ServiceContext *ctx, const char *state_dir, GError **error);

Ovpn3ServiceContext *netcfg_manager_get_context(NetcfgManager *self);
NetcfgNetlink *netcfg_manager_get_netlink(NetcfgManager *self);
const char *netcfg_manager_get_state_dir(NetcfgManager *self);

/* To the log service (ovpn3_manager_log()). */
#define netcfg_manager_log(self, ...) \
  ovpn3_manager_log(netcfg_manager_get_context(self), __VA_ARGS__)

/* Sends NetworkChange(type, device_name, details) from device_path to every
 * subscriber whose filter has `type`. details is an a{ss} (floating ok). */
void netcfg_manager_notify(NetcfgManager *self, const char *device_path, const char *device_name,
                           Ovpn3NetcfgChangeType type, GVariant *details);

/* Routes outside the tunnel can be shared by devices (two sessions to one
 * server): ref when a device adds one (or finds the one another device
 * added), unref when it goes; unref returns TRUE when the route should be
 * removed now. is_ours: another device holds it. */
void netcfg_manager_uplink_route_ref(NetcfgManager *self, const NetcfgRoute *route);
gboolean netcfg_manager_uplink_route_unref(NetcfgManager *self, const NetcfgRoute *route);
gboolean netcfg_manager_uplink_route_is_ours(NetcfgManager *self, const NetcfgRoute *route);
/* The table those three keep (netcfg-uplink-routes.c): route key → count. */
GHashTable *netcfg_manager_get_uplink_routes(NetcfgManager *self);

/* TRUE while org.freedesktop.resolve1 has an owner on the bus. */
gboolean netcfg_manager_resolved_present(NetcfgManager *self);
/* Whether the watch on systemd-resolved has reported (else present is
 * FALSE for now); the query finds out without blocking (NameHasOwner, at
 * most 5 s; no answer counts as absent). */
gboolean netcfg_manager_resolved_known(NetcfgManager *self);
void netcfg_manager_resolved_query_async(NetcfgManager *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean netcfg_manager_resolved_query_finish(NetcfgManager *self, GAsyncResult *result,
                                              GError **error);

/* Writes the state file (what is applied now). */
void netcfg_manager_save_state(NetcfgManager *self);

/* Rewrites (or restores) resolv.conf from every device in resolv.conf
 * mode. */
gboolean netcfg_manager_update_resolvconf(NetcfgManager *self, GError **error);

/* Exports a new device (CreateVirtualInterface, or adopted after a crash:
 * netcfg-device-adopt.c) and keeps it; its creator's name is watched (its
 * devices go when it vanishes), session_owner counts for the quota. FALSE
 * if the path is taken or cannot be exported. */
gboolean netcfg_manager_add_device(NetcfgManager *self, NetcfgDevice *device,
                                   guint32 session_owner);

/* Tears the device down and forgets it (Destroy, creator gone, Cleanup). */
void netcfg_manager_remove_device(NetcfgManager *self, NetcfgDevice *device);

G_END_DECLS
