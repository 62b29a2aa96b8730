/* client-stats.h — the session's `statistics` (docs/dbus-api.md §7.6, docs/architecture.md §5).
 *
 * BYTES_IN/BYTES_OUT are openvpn's link counters from >BYTECOUNT (asked for
 * every second). The TUN_* counters are the kernel's counters of the
 * session's tun/tap device, read from /proc/self/net/dev (the process's own
 * network namespace; no privilege needed) when the property is read. The direction is the
 * OpenVPN 3 core's: TUN_*_IN is what openvpn read from the device (the
 * kernel's tx counters), TUN_*_OUT what it wrote to it (the kernel's rx
 * counters). openvpn 2.6 counts no link packets: PACKETS_IN/PACKETS_OUT are
 * never reported. Only non-zero counters are in the dictionary.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A network device's counters as the kernel keeps them. */
typedef struct
{
  guint64 rx_bytes, tx_bytes;
  guint64 rx_packets, tx_packets;
} Ovpn3ClientLinkStats;

typedef struct
{
  guint64 bytes_in, bytes_out; /* openvpn's link counters (>BYTECOUNT) */
  Ovpn3ClientLinkStats tun;    /* the tun/tap device's kernel counters */
  guint64 n_reconnect, n_pause;
} Ovpn3ClientStats;

/* The a{sx} of the `statistics` property: non-zero counters only. */
GVariant *ovpn3_client_stats_to_variant(const Ovpn3ClientStats *stats);

/* openvpn's answer to `load-stats` ("nclients=0,bytesin=N,bytesout=M", the
 * text after "SUCCESS: "): the same link counters as >BYTECOUNT's. */
gboolean ovpn3_client_parse_load_stats(const char *status, guint64 *bytes_in, guint64 *bytes_out);

/* Reads the kernel's counters of device `name`. With *ifindex > 0 the device
 * is looked up by that index and must still be called `name` (a device of
 * the same name made later is not ours); otherwise by name, and *ifindex is
 * set. FALSE + error if there is no such device. */
gboolean ovpn3_client_link_stats_read(const char *name, gint *ifindex, Ovpn3ClientLinkStats *stats,
                                      GError **error);
/* The counters of device `name` in the text of /proc/net/dev; FALSE if it is
 * not there or its line is malformed. */
gboolean ovpn3_client_parse_net_dev(const char *contents, const char *name,
                                    Ovpn3ClientLinkStats *stats);

G_END_DECLS
