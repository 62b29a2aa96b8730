/* netcfg-state.h — the state file <state dir>/netcfg-state.json: what
 * netcfg has applied right now (devices, routes outside the tunnel, DNS
 * mode), so that after netcfg itself was killed the next start removes
 * the leftovers (design §6 "Cleanup").
 *
 *   { "version": 1,
 *     "devices": [ { "name": "ovpn3t0", "path": "...", "ifindex": 7,
 *                    "dns": "resolved" | "resolvconf" | "none",
 *                    "uplink_routes": [ { "dst": "192.0.2.1", "prefix": 32,
 *                        "gateway": "198.51.100.1", "oif": 2, "metric": -1 } ] } ] }
 *
 * Routes through the tunnel and its addresses are not recorded: removing
 * the device removes them. A resolv.conf backup is restored on its own
 * (netcfg-dns-resolvconf.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "netcfg-netlink.h"

G_BEGIN_DECLS

#define NETCFG_STATE_FILE_NAME "netcfg-state.json"

/* devices: JsonNode* objects (netcfg_device_to_state). */
gboolean netcfg_state_save(const char *state_dir, GPtrArray *devices, GError **error);

typedef void (*NetcfgStateLogFunc)(gpointer user_data, gboolean error, const char *message);

/* Removes what a previous run left (devices that still exist with the
 * recorded name and index and are tun/tap devices, the recorded uplink routes; systemd-resolved forgets a
 * link when it goes away), then deletes the file. Returns how many devices
 * were removed. */
guint netcfg_state_recover(const char *state_dir, NetcfgNetlink *nl, NetcfgStateLogFunc log,
                           gpointer user_data);

G_END_DECLS
