/* netcfg-dns-resolved.h — per-link DNS through systemd-resolved's D-Bus
 * API (org.freedesktop.resolve1.Manager: SetLinkDNS, SetLinkDomains,
 * SetLinkDefaultRoute, SetLinkDNSSEC, SetLinkDNSOverTLS, RevertLink).
 *
 * Split DNS (dns_scope "tunnel"): the pushed domains as routing-only
 * domains (~example.com) and no default route. Full-tunnel DNS
 * (dns_scope "global"): the domains as search domains plus "~." and the
 * link as DNS default route.
 *
 * Every call is asynchronous: a slow or hung resolved never blocks netcfg
 * (other sessions' cleanup goes on meanwhile).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-names.h"

G_BEGIN_DECLS

/* servers: IP literal strings (already validated); domains: validated
 * names. dnssec: "yes" "no" "optional" "unset"; transport: "plain" "dot"
 * "unset". The calls go one after the other; the first error ends it. */
void netcfg_resolved_apply_async(GDBusConnection *connection, int ifindex, GPtrArray *servers,
                                 GPtrArray *domains, gboolean full_tunnel, const char *dnssec,
                                 const char *transport, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean netcfg_resolved_apply_finish(GAsyncResult *result, GError **error);

/* RevertLink, not waiting for the answer (a failure is logged). */
void netcfg_resolved_revert(GDBusConnection *connection, int ifindex);

G_END_DECLS
