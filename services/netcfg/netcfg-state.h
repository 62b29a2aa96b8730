/* netcfg-state.h — the device record: what netcfg has applied right now
 * (devices, routes outside the tunnel, DNS mode), so that after netcfg
 * itself was killed the next start removes the leftovers (docs/architecture.md §6
 * "Cleanup"). It is the NETCFG_STORE_DEVICES record of the protected store
 * (netcfg-store.h: root's files, opened before the privilege drop); its
 * payload, empty when nothing is applied:
 *
 *   { "version": 1,
 *     "devices": [ { "name": "ovpn3t0", "path": "...", "ifindex": 7,
 *                    "dns": "resolved" | "resolvconf" | "none",
 *                    "uplink_routes": [ { "dst": "192.0.2.1", "prefix": 32,
 *                        "gateway": "198.51.100.1", "oif": 2, "metric": -1 } ],
 *                    // for adoption (netcfg-device-adopt.c):
 *                    "creator": ":1.42", "creator_pid": 1234, "creator_start": 56789,
 *                    "owner": 999, "session_owner": 1000, "engine_uid": 4294967295,
 *                    "layer": 3, "mtu": 1500, "txqueuelen": 0, "reroute_ipv4": true,
 *                    "reroute_ipv6": false, "dns_scope": "global", "established": true,
 *                    "addresses": [ { "addr": "10.8.0.2", "prefix": 24 } ],
 *                    "tunnel_routes": [ { "dst": "0.0.0.0", "prefix": 1, "metric": -1 } ],
 *                    "dns_servers": [ … ], "dns_domains": [ … ], "dns_global": true } ] }
 *
 * creator_start is the creator's start time (netcfg-creator.h); a record
 * without it (an older netcfg's) is not adoptable. Removing a device
 * removes its addresses and the routes through it. The resolv.conf backup
 * is a record of its own (netcfg-dns-resolvconf.h).
 *
 * Whatever is recovered is checked again before use, as if it came from a
 * stranger (docs/architecture.md §6): a device entry counts only with a name netcfg
 * makes (a CreateVirtualInterface prefix and the index it appends) and an
 * interface index; the device is removed only if a tun/tap device with
 * that name and that index exists now. A route counts only if it is one
 * netcfg adds outside a tunnel: a host route (the VPN server) or a route
 * CreateVirtualInterface's AddNetworks would accept (an excluded network),
 * through another interface than the device's own. Anything else is
 * logged once and ignored.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "netcfg-netlink.h"

G_BEGIN_DECLS

/* Entries recovery looks at, at most (a record is netcfg's own; these
 * only bound the work if it were not). */
#define NETCFG_STATE_MAX_DEVICES 1024
#define NETCFG_STATE_MAX_ROUTES  (OVPN3_NET_MAX_ROUTES + 2)

/* devices: JsonNode* objects (netcfg_device_to_state). Without a store
 * (netcfg_store_is_open() FALSE) there is nothing to save: TRUE. */
gboolean netcfg_state_save(GPtrArray *devices, GError **error);

typedef void (*NetcfgStateLogFunc)(gpointer user_data, gboolean error, const char *message);
/* Adopts the recorded device `name` (its tun/tap with that index is
 * there): TRUE when its creator is alive and the device is netcfg's again,
 * else FALSE and *why (then it is removed). */
typedef gboolean (*NetcfgStateAdoptFunc)(gpointer user_data, JsonObject *entry, const char *name,
                                         int ifindex, char **why);
/* log(user_data, error, the formatted message): for what recovery finds */
void netcfg_state_log(NetcfgStateLogFunc log, gpointer user_data, gboolean error,
                      const char *format, ...) G_GNUC_PRINTF(4, 5);

/* What a previous run left, as recorded and checked (above): first each
 * device adopt (may be NULL) takes — its routes stay —, then the rest is
 * removed (systemd-resolved forgets a link when it goes away). With
 * nothing adopted the record is emptied; else the caller saves what it
 * adopted. Returns how many devices were removed. */
guint netcfg_state_recover(NetcfgNetlink *nl, NetcfgStateAdoptFunc adopt, NetcfgStateLogFunc log,
                           gpointer user_data);

/* A device name netcfg makes: a CreateVirtualInterface prefix (1–12 of
 * [A-Za-z0-9_]) followed by the index it appends (0–999, no leading zero),
 * shorter than IFNAMSIZ. */
gboolean netcfg_state_device_name_is_ours(const char *name);
/* An integer member within [min, max]; absent is fine unless required. */
gboolean netcfg_state_member_int(JsonObject *o, const char *key, gboolean required, gint64 min,
                                 gint64 max, gint64 *out);
/* A string member, or NULL (absent or not a string). */
const char *netcfg_state_member_string(JsonObject *o, const char *key);
/* A recorded route outside the tunnel of the device with index
 * device_ifindex, checked as above; *why says what is wrong. */
gboolean netcfg_state_parse_uplink_route(JsonNode *node, int device_ifindex, NetcfgRoute *out,
                                         char **why);

G_END_DECLS
