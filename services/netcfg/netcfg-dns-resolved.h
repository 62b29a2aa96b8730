/* netcfg-dns-resolved.h — per-link DNS through systemd-resolved's D-Bus
 * API (org.freedesktop.resolve1.Manager: SetLinkDNS, SetLinkDomains,
 * SetLinkDefaultRoute, SetLinkDNSSEC, SetLinkDNSOverTLS, RevertLink).
 *
 * Split DNS (dns_scope "tunnel"): the pushed domains as routing-only
 * domains (~example.com) and no default route. Full-tunnel DNS
 * (dns_scope "global"): the domains as search domains plus "~." and the
 * link as DNS default route.
 *
 * The calls are synchronous with a short timeout; resolved answers in
 * milliseconds and netcfg serves one backend at a time.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define NETCFG_RESOLVED_BUS_NAME  "org.freedesktop.resolve1"
#define NETCFG_RESOLVED_PATH      "/org/freedesktop/resolve1"
#define NETCFG_RESOLVED_INTERFACE "org.freedesktop.resolve1.Manager"

/* TRUE when org.freedesktop.resolve1 has an owner on the bus. */
gboolean netcfg_resolved_available(GDBusConnection *connection);

/* servers: IP literal strings (already validated); domains: validated
 * names. dnssec: "yes" "no" "optional" "unset"; transport: "plain" "dot"
 * "unset". */
gboolean netcfg_resolved_apply(GDBusConnection *connection, int ifindex, GPtrArray *servers,
                               GPtrArray *domains, gboolean full_tunnel, const char *dnssec,
                               const char *transport, GError **error);
gboolean netcfg_resolved_revert(GDBusConnection *connection, int ifindex, GError **error);

G_END_DECLS
