/* netcfg-validate.h — checks for everything netcfg is asked to apply.
 *
 * Everything that reaches netcfg is untrusted: it was pushed by a VPN
 * server and handed over by the backend (docs/architecture.md §6, "Server-pushed
 * settings are untrusted"). These functions are pure (no I/O) so the unit
 * tests cover them directly. Each refusal is a G_DBUS_ERROR_INVALID_ARGS
 * with a clear message quoting the offending value escaped and truncated.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* List caps (docs/architecture.md §6). */
#define NETCFG_MAX_DNS_SERVERS 32
#define NETCFG_MAX_DNS_DOMAINS 64
#define NETCFG_MAX_ROUTES      1000
#define NETCFG_MAX_ADDRESSES   32
/* devices: OVPN3_QUOTA_DEVICES_PER_USER and _TOTAL (ovpn3-quota.h) */
#define NETCFG_MTU_MIN           576
#define NETCFG_MTU_MAX           65535
#define NETCFG_IFNAME_PREFIX_MAX 12 /* IFNAMSIZ 16 - NUL - room for the index */
#define NETCFG_DOMAIN_MAX        253
#define NETCFG_LABEL_MAX         63
#define NETCFG_IP_STRING_MAX     64

typedef struct
{
  int family; /* AF_INET or AF_INET6 */
  guint8 bytes[16];
} NetcfgAddr;

/* Parses a plain IPv4 / IPv6 literal of the wanted family (no scope id,
 * no prefix, no spaces). */
gboolean netcfg_parse_ip(const char *text, gboolean ipv6, NetcfgAddr *out, GError **error);
/* Same, guessing the family. */
gboolean netcfg_parse_ip_any(const char *text, NetcfgAddr *out, GError **error);
char *netcfg_addr_to_string(const NetcfgAddr *addr);
gboolean netcfg_addr_equal(const NetcfgAddr *a, const NetcfgAddr *b);
guint netcfg_addr_max_prefix(const NetcfgAddr *addr);
/* TRUE if addr lies in net/prefix (same family). */
gboolean netcfg_addr_in_network(const NetcfgAddr *addr, const NetcfgAddr *net, guint prefix);
/* Clears the host bits of addr beyond prefix. */
void netcfg_addr_mask(NetcfgAddr *addr, guint prefix);

/* Loopback, unspecified, 0.0.0.0/8, broadcast, multicast. */
gboolean netcfg_addr_is_forbidden(const NetcfgAddr *addr);

/* A tunnel address: prefix 1..32 / 1..128, not forbidden. */
gboolean netcfg_check_tunnel_address(const NetcfgAddr *addr, guint prefix, GError **error);
/* A route: prefix 2..32 / 2..128 (the default route and its /1 halves come
 * only from reroute_ipv4/6), no host bits, network not forbidden. */
gboolean netcfg_check_route(const NetcfgAddr *net, guint prefix, GError **error);

/* A whole LDH domain name: labels 1..63 bytes of [A-Za-z0-9-] not starting
 * or ending with '-', name ≤ 253 bytes, an optional final dot. */
gboolean netcfg_check_domain(const char *name, GError **error);

/* The CreateVirtualInterface prefix: 1..12 of [A-Za-z0-9_] (the device
 * name becomes part of an object path). */
gboolean netcfg_check_ifname_prefix(const char *prefix, GError **error);

/* Escaped, truncated copy of untrusted text for messages and logs. */
char *netcfg_escape(const char *text);

G_END_DECLS
