/* client-netcfg.h — what the backend hands to net.openvpn.v3.netcfg.
 *
 * The settings come from the common network-settings policy, shared with
 * netcfg (docs/architecture.md §6): ovpn3-net-settings.h turns openvpn's
 * >UPDOWN:UP environment into Ovpn3NetSettings, ovpn3-net-redirect.h reads
 * redirect-gateway, ovpn3-net-policy.h decides what is refused.
 *
 * Ovpn3ClientNetcfg is the D-Bus side: one device per session
 * (CreateVirtualInterface, layer, …, Establish, Destroy), a GTask chain of
 * calls sent without waiting for each answer (two round trips to create a
 * device, two to apply the settings: Establish waits for the rest).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-net-policy.h"
#include "ovpn3-net-redirect.h"
#include "ovpn3-net-settings.h"

G_BEGIN_DECLS

/* ---- D-Bus side ----------------------------------------------------------------- */

#define OVPN3_TYPE_CLIENT_NETCFG (ovpn3_client_netcfg_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ClientNetcfg, ovpn3_client_netcfg, OVPN3, CLIENT_NETCFG, GObject)

Ovpn3ClientNetcfg *ovpn3_client_netcfg_new(GDBusConnection *connection);

/* CreateVirtualInterface(prefix), then engine_uid (the tun's owner;
 * G_MAXUINT32 = leave it to netcfg: the caller), layer (2 tap / 3 tun) and
 * dns_scope (NULL = leave), then reads device_name. */
void ovpn3_client_netcfg_create_async(Ovpn3ClientNetcfg *self, const char *prefix, guint layer,
                                      guint32 engine_uid, const char *dns_scope,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean ovpn3_client_netcfg_create_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result,
                                           GError **error);
/* Stages settings (addresses, routes, DNS, MTU, reroute) and Establishes. */
void ovpn3_client_netcfg_apply_async(Ovpn3ClientNetcfg *self, const Ovpn3NetSettings *settings,
                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean ovpn3_client_netcfg_apply_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result,
                                          GError **error);
/* Destroy (no-op without a device). */
void ovpn3_client_netcfg_destroy_async(Ovpn3ClientNetcfg *self, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean ovpn3_client_netcfg_destroy_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result,
                                            GError **error);

const char *ovpn3_client_netcfg_get_device_path(Ovpn3ClientNetcfg *self); /* "/" if none */
const char *ovpn3_client_netcfg_get_device_name(Ovpn3ClientNetcfg *self); /* "" if none */

G_END_DECLS
