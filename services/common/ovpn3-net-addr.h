/* ovpn3-net-addr.h — IP addresses as plain bytes, for the network-settings
 * policy of the backend client and netcfg: parsing (strict: inet_pton, no
 * scope id, no prefix, no spaces), masks and containment. Pure: no I/O, no
 * GObject.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int family; /* AF_INET or AF_INET6 */
  guint8 bytes[16];
} Ovpn3NetAddr;

/* Parses a plain IPv4 / IPv6 literal of the wanted family. The error
 * (G_DBUS_ERROR_INVALID_ARGS) quotes the text escaped. */
gboolean ovpn3_net_parse_ip(const char *text, gboolean ipv6, Ovpn3NetAddr *out, GError **error);
/* Same, guessing the family (a ':' means IPv6). */
gboolean ovpn3_net_parse_ip_any(const char *text, Ovpn3NetAddr *out, GError **error);
char *ovpn3_net_addr_to_string(const Ovpn3NetAddr *addr);
gboolean ovpn3_net_addr_equal(const Ovpn3NetAddr *a, const Ovpn3NetAddr *b);
/* 32 or 128. */
guint ovpn3_net_addr_max_prefix(const Ovpn3NetAddr *addr);
/* Clears the host bits of addr beyond prefix. */
void ovpn3_net_addr_mask(Ovpn3NetAddr *addr, guint prefix);
/* TRUE if addr lies in net/prefix (same family). */
gboolean ovpn3_net_addr_in_network(const Ovpn3NetAddr *addr, const Ovpn3NetAddr *net, guint prefix);
/* TRUE if the two prefixes share an address (the shorter contains the other). */
gboolean ovpn3_net_prefixes_overlap(const Ovpn3NetAddr *a, guint prefix_a, const Ovpn3NetAddr *b,
                                    guint prefix_b);

/* Netmask "255.255.255.0" -> 24; -1 if not a contiguous IPv4 netmask. */
gint ovpn3_net_netmask_to_prefix(const char *netmask);

/* Escaped, truncated copy of untrusted text for messages and logs. */
char *ovpn3_net_escape(const char *text);

G_END_DECLS
