/* ovpn3-net-policy.h — the one policy on server-pushed network settings
 * (docs/architecture.md §6, "Server-pushed settings are untrusted"), used by
 * the backend client before it hands anything over and by netcfg, which does
 * not trust the client. Pure: plain structs, no I/O; the GError checks give
 * G_DBUS_ERROR_INVALID_ARGS with the value quoted, for netcfg to return as
 * they are; the client words its refusals itself from the predicates.
 *
 * Forbidden targets: 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4, 255.255.255.255;
 * ::, ::1, ff00::/8. Link-local is not forbidden: some providers number
 * their tunnels in 169.254.0.0/16.
 *
 * Decisions where the two sides used to disagree (docs/architecture.md §6):
 *  - a route that merely overlaps a forbidden range (126.0.0.0/7 covers
 *    127.0.0.0/8) is refused like one inside it: pushed routes never cover
 *    loopback, multicast or the unspecified range; the default route and
 *    its /1 halves, which do, come only from redirect-gateway and are
 *    planned by ovpn3-net-route-plan.h, not pushed;
 *  - a search domain with a trailing dot ("example.com.") is refused: a
 *    search domain is a suffix, the root label adds nothing, and refusing
 *    keeps one spelling per domain in resolv.conf and systemd-resolved.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "ovpn3-net-addr.h"
#include "ovpn3-net-limits.h"

G_BEGIN_DECLS

/* The address lies in a forbidden range. */
gboolean ovpn3_net_addr_is_forbidden(const Ovpn3NetAddr *addr);
/* The prefix overlaps a forbidden range (inside it or covering it). */
gboolean ovpn3_net_route_is_forbidden(const Ovpn3NetAddr *net, guint prefix);

typedef enum
{
  OVPN3_NET_ROUTE_OK = 0,
  OVPN3_NET_ROUTE_BAD_PREFIX, /* longer than the family has */
  OVPN3_NET_ROUTE_DEFAULT,    /* the default route or a /1 half */
  OVPN3_NET_ROUTE_HOST_BITS,  /* bits set beyond the prefix */
  OVPN3_NET_ROUTE_FORBIDDEN,  /* overlaps a forbidden range */
} Ovpn3NetRouteVerdict;

/* What the policy says of a pushed route, in that order of checks. */
Ovpn3NetRouteVerdict ovpn3_net_route_verdict(const Ovpn3NetAddr *net, guint prefix);
/* The same as a GError for the verdicts other than OK. */
gboolean ovpn3_net_check_route(const Ovpn3NetAddr *net, guint prefix, GError **error);

/* The routes openvpn 2.6 puts in the ENV for `redirect-gateway ipv6`:
 * ::/3, 2000::/4, 3000::/4, fc00::/7 (net masked). */
gboolean ovpn3_net_is_ipv6_redirect_piece(const Ovpn3NetAddr *net, guint prefix);

/* A tunnel address: prefix 1..32 / 1..128, address not forbidden. */
gboolean ovpn3_net_check_tunnel_address(const Ovpn3NetAddr *addr, guint prefix, GError **error);

/* A DNS server: neither unspecified nor multicast. */
gboolean ovpn3_net_dns_server_usable(const Ovpn3NetAddr *addr);
/* Parses and checks a DNS server; *out gets it. */
gboolean ovpn3_net_check_dns_server(const char *text, Ovpn3NetAddr *out, GError **error);

/* A whole LDH domain name: labels 1..63 bytes of [A-Za-z0-9-] not starting
 * or ending with '-', name <= 253 bytes, no trailing dot. */
gboolean ovpn3_net_is_ldh_domain(const char *name);
gboolean ovpn3_net_check_domain(const char *name, GError **error);

G_END_DECLS
