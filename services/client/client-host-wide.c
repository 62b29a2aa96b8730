#define G_LOG_DOMAIN "ovpn3-client-host-wide"

/* client-host-wide.c — a session whose owner may not reroute the host (docs/security.md §6).
 *
 * The session manager asks polkit net.openvpn.v3.session.start-host-wide at NewTunnel and
 * sets the backend's `host_wide` property before RegistrationConfirmation (FALSE until then).
 * A profile that configures redirect-gateway or dns-scope global only starts when the answer
 * was yes, so here only what the server pushes is at stake: without `host_wide`,
 *  - a pushed redirect-gateway (IPv4 and IPv6) is not honoured: no reroute, no /1 pair, and
 *    the IPv6 pieces openvpn puts in the ENV for it are dropped too;
 *  - pushed DNS servers and domains are not applied when the session's DNS scope is global
 *    (netcfg's default when the profile sets no dns-scope): they would serve every lookup of
 *    the host (dns-scope tunnel keeps them to the tunnel's domains and needs nothing).
 * Each is logged once per session and said once in the message of the next
 * StatusChange(2 CONNECTION, 7 CONN_CONNECTED).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "config.h"

#include "client-backend-private.h"

#define TEXT_HOST_WIDE_HINT                                           \
  "a session that changes the whole host's network needs the polkit " \
  "authorization " OVPN3_POLKIT_START_HOST_WIDE

static void
add_notice(Ovpn3ClientBackend *self, const char *text)
{
  char *notice = self->host_wide_notice == NULL
                     ? g_strdup(text)
                     : g_strdup_printf("%s; %s", self->host_wide_notice, text);

  g_free(self->host_wide_notice);
  self->host_wide_notice = notice;
}

void
client_host_wide_push_reply(Ovpn3ClientBackend *self, const char *line)
{
  Ovpn3NetRedirect pushed = { 0 };
  gboolean v4, v6;

  if (!ovpn3_net_parse_push_reply(line, (const char *const *) self->pull_filters,
                                  self->route_nopull, &pushed))
    return;
  if (self->host_wide)
    {
      self->redirect.redirect_ipv4 |= pushed.redirect_ipv4;
      self->redirect.redirect_ipv6 |= pushed.redirect_ipv6;
      return;
    }
  /* what the profile configures itself was authorised at NewTunnel */
  v4 = pushed.redirect_ipv4 && !self->redirect.redirect_ipv4;
  v6 = pushed.redirect_ipv6 && !self->redirect.redirect_ipv6;
  if (v6)
    self->redirect.refused_ipv6 = TRUE;
  if ((!v4 && !v6) || self->host_wide_redirect_noted)
    return;
  self->host_wide_redirect_noted = TRUE;
  client_log(self, OVPN3_LOG_CATEGORY_WARN,
             "Ignoring the server's redirect-gateway (%s): this session may not take the host's "
             "default route; " TEXT_HOST_WIDE_HINT,
             v4 && v6 ? "IPv4 and IPv6"
             : v4     ? "IPv4"
                      : "IPv6");
  add_notice(self, "the server's redirect-gateway was ignored (not authorised to take the "
                   "host's default route)");
}

void
client_host_wide_filter(Ovpn3ClientBackend *self, Ovpn3NetSettings *settings)
{
  guint servers = settings->dns_servers->len;
  guint domains = settings->dns_search->len + settings->dns_routing->len;

  if (self->host_wide || (servers == 0 && domains == 0))
    return;
  if (self->dns_scope != NULL && !g_str_equal(self->dns_scope, OVPN3_DNS_SCOPE_GLOBAL))
    return;
  g_ptr_array_set_size(settings->dns_servers, 0);
  g_ptr_array_set_size(settings->dns_search, 0);
  g_ptr_array_set_size(settings->dns_routing, 0);
  if (self->host_wide_dns_noted)
    return;
  self->host_wide_dns_noted = TRUE;
  client_log(self, OVPN3_LOG_CATEGORY_WARN,
             "Ignoring the server's DNS settings (%u server(s), %u domain(s)): with DNS scope "
             "global they would serve every lookup of the host; set the dns-scope override to "
             "tunnel to use them for the tunnel's domains only, or: " TEXT_HOST_WIDE_HINT,
             servers, domains);
  add_notice(self, "the server's DNS settings were ignored (not authorised to set the host's "
                   "global DNS)");
}

void
client_status_connected(Ovpn3ClientBackend *self)
{
  g_autofree char *notice = g_steal_pointer(&self->host_wide_notice);

  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTED, notice != NULL ? notice : "");
}
