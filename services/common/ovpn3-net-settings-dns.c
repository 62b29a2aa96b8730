#define G_LOG_DOMAIN "ovpn3-net-settings"

/* The DNS part of the pushed settings (docs/architecture.md §6): servers, search
 * domains and routing-only (split DNS) domains, DNSSEC and transport, from
 * openvpn 2.6's --dns options (dns_server_N_* and dns_search_domain_N in the
 * >UPDOWN:UP environment) and from the older dhcp-option form (foreign_option_N).
 * Every value is the VPN server's: what is not usable is refused with a message. */

#include "config.h"

#include <gio/gio.h>

#include "ovpn3-net-policy.h"
#include "ovpn3-net-settings-private.h"

#define refuse   ovpn3_net_settings_refuse
#define env_getf ovpn3_net_settings_env_getf

/* The bounds of openvpn 2.6's own numbering, so a hostile environment cannot
 * make the loops long: servers by priority, addresses and domains per server. */
#define DNS_MAX_SERVER_INDEX    64
#define DNS_MAX_ADDRESSES       8
#define DNS_MAX_DOMAINS         128
#define DNS_MAX_FOREIGN_OPTIONS 1024

static void
add_dns_server(Ovpn3NetSettings *s, const char *value, GPtrArray *refusals)
{
  g_autofree char *e = ovpn3_net_escape(value);
  g_autofree char *norm = NULL;
  Ovpn3NetAddr a;

  if (!ovpn3_net_parse_ip_any(value, &a, NULL))
    {
      refuse(refusals, "Ignoring DNS server '%s': not an IP address", e);
      return;
    }
  if (!ovpn3_net_dns_server_usable(&a))
    {
      refuse(refusals, "Ignoring DNS server '%s'", e);
      return;
    }
  norm = ovpn3_net_addr_to_string(&a);
  for (guint i = 0; i < s->dns_servers->len; i++)
    if (g_str_equal(g_ptr_array_index(s->dns_servers, i), norm))
      return;
  if (s->dns_servers->len >= OVPN3_NET_MAX_DNS_SERVERS)
    {
      refuse(refusals, "Ignoring DNS servers beyond the first %d", OVPN3_NET_MAX_DNS_SERVERS);
      return;
    }
  g_ptr_array_add(s->dns_servers, g_steal_pointer(&norm));
}

static gboolean
domain_listed(GPtrArray *list, const char *value)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp(g_ptr_array_index(list, i), value) == 0)
      return TRUE;
  return FALSE;
}

/* A search domain is also routed to the tunnel's servers, so a domain given both
 * ways is kept once, as a search domain. Both kinds share one limit, netcfg's. */
static void
add_domain(Ovpn3NetSettings *s, const char *value, gboolean routing_only, GPtrArray *refusals)
{
  g_autofree char *e = ovpn3_net_escape(value);

  if (!ovpn3_net_is_ldh_domain(value))
    {
      refuse(refusals, "Ignoring %s domain '%s': not a valid domain name",
             routing_only ? "DNS routing" : "search", e);
      return;
    }
  if (domain_listed(s->dns_search, value) || (routing_only && domain_listed(s->dns_routing, value)))
    return;
  if (s->dns_search->len + s->dns_routing->len >= OVPN3_NET_MAX_DNS_SEARCH)
    {
      refuse(refusals, "Ignoring DNS domains beyond the first %d", OVPN3_NET_MAX_DNS_SEARCH);
      return;
    }
  if (!routing_only)
    for (guint i = 0; i < s->dns_routing->len; i++)
      if (g_ascii_strcasecmp(g_ptr_array_index(s->dns_routing, i), value) == 0)
        g_ptr_array_remove_index(s->dns_routing, i--);
  g_ptr_array_add(routing_only ? s->dns_routing : s->dns_search, g_strdup(value));
}

/* dhcp-option DNS/DNS6/DOMAIN/DOMAIN-SEARCH/ADAPTER_DOMAIN_SUFFIX/DOMAIN-ROUTE. When the
 * server pushed --dns servers, openvpn 2.6 drops its dhcp-option DNS and lists the --dns
 * servers' addresses there instead (options.c, foreign_options_copy_dns()): those copies
 * are skipped (with_dns_servers), so a server refused above does not come back. */
static void
add_dhcp_option(Ovpn3NetSettings *s, const char *option, gboolean with_dns_servers,
                GPtrArray *refusals)
{
  g_auto(GStrv) tok = g_strsplit_set(option, " ", -1);
  guint n = g_strv_length(tok);

  if (n < 2 || !g_str_equal(tok[0], "dhcp-option"))
    return;
  if (n != 3)
    {
      g_autofree char *e = ovpn3_net_escape(option);

      refuse(refusals, "Ignoring malformed option '%s'", e);
      return;
    }
  if (g_str_equal(tok[1], "DNS") || g_str_equal(tok[1], "DNS6"))
    {
      if (!with_dns_servers)
        add_dns_server(s, tok[2], refusals);
    }
  else if (g_str_equal(tok[1], "DOMAIN") || g_str_equal(tok[1], "DOMAIN-SEARCH")
           || g_str_equal(tok[1], "ADAPTER_DOMAIN_SUFFIX"))
    add_domain(s, tok[2], FALSE, refusals);
  else if (g_str_equal(tok[1], "DOMAIN-ROUTE"))
    add_domain(s, tok[2], TRUE, refusals);
}

/* One DNSSEC mode and one transport per link (systemd-resolved's model): the first
 * server that sets one decides; a different value of a later server is refused. */
static void
set_link_mode(const char **into, const char *value, const char *what, guint server,
              GPtrArray *refusals)
{
  if (*into == NULL)
    *into = value;
  else if (!g_str_equal(*into, value))
    refuse(refusals,
           "Ignoring the %s '%s' of DNS server %u: the tunnel's resolver takes one %s for all "
           "its servers, '%s' from the first server that set one",
           what, value, server, what, *into);
}

static void
add_server_dnssec(Ovpn3NetSettings *s, GHashTable *env, guint n, GPtrArray *refusals)
{
  static const char *const modes[] = { "yes", "no", "optional", NULL };
  const char *v = env_getf(env, "dns_server_%u_dnssec", n);

  if (v == NULL || g_str_equal(v, "unset"))
    return;
  for (guint i = 0; modes[i] != NULL; i++)
    if (g_str_equal(v, modes[i]))
      {
        set_link_mode(&s->dnssec, modes[i], "DNSSEC mode", n, refusals);
        return;
      }
  {
    g_autofree char *e = ovpn3_net_escape(v);

    refuse(refusals, "Ignoring DNSSEC mode '%s' of DNS server %u: not yes, no or optional", e, n);
  }
}

static void
add_server_transport(Ovpn3NetSettings *s, GHashTable *env, guint n, GPtrArray *refusals)
{
  const char *v = env_getf(env, "dns_server_%u_transport", n);

  if (v == NULL || g_str_equal(v, "unset"))
    return;
  if (g_str_equal(v, "plain"))
    set_link_mode(&s->dns_transport, "plain", "DNS transport", n, refusals);
  else if (g_str_equal(v, "DoT"))
    set_link_mode(&s->dns_transport, "dot", "DNS transport", n, refusals);
  else if (g_str_equal(v, "DoH"))
    refuse(refusals,
           "Ignoring DNS transport DoH of DNS server %u: systemd-resolved has no DNS over HTTPS; "
           "its queries go over the tunnel in plain DNS",
           n);
  else
    {
      g_autofree char *e = ovpn3_net_escape(v);

      refuse(refusals, "Ignoring DNS transport '%s' of DNS server %u", e, n);
    }
  if (env_getf(env, "dns_server_%u_sni", n) != NULL)
    refuse(refusals, "Ignoring the TLS server name of DNS server %u: not supported", n);
}

/* The addresses of --dns server N; one on a port other than 53 is refused, as the
 * resolver is given addresses only. */
static gboolean
add_server_addresses(Ovpn3NetSettings *s, GHashTable *env, guint n, GPtrArray *refusals)
{
  gboolean any = FALSE;

  for (guint m = 1; m <= DNS_MAX_ADDRESSES; m++)
    {
      const char *v = env_getf(env, "dns_server_%u_address_%u", n, m);
      const char *port = env_getf(env, "dns_server_%u_port_%u", n, m);

      if (v == NULL)
        continue;
      any = TRUE;
      if (port != NULL && !g_str_equal(port, "53"))
        {
          g_autofree char *e = ovpn3_net_escape(v);
          g_autofree char *p = ovpn3_net_escape(port);

          refuse(refusals, "Ignoring DNS server '%s' port %s: DNS servers are used on port 53 only",
                 e, p);
          continue;
        }
      add_dns_server(s, v, refusals);
    }
  return any;
}

/* --dns server N; TRUE if it has an address */
static gboolean
add_dns_server_options(Ovpn3NetSettings *s, GHashTable *env, guint n, GPtrArray *refusals)
{
  gboolean any = add_server_addresses(s, env, n, refusals);

  for (guint m = 1; m <= DNS_MAX_DOMAINS; m++)
    {
      const char *v = env_getf(env, "dns_server_%u_resolve_domain_%u", n, m);

      if (v == NULL)
        break;
      add_domain(s, v, TRUE, refusals);
    }
  if (env_getf(env, "dns_server_%u_exclude_domain_1", n) != NULL)
    refuse(refusals,
           "Ignoring the exclude-domains of DNS server %u: the tunnel's resolver cannot exclude "
           "domains; the server answers every name the tunnel routes to it",
           n);
  add_server_dnssec(s, env, n, refusals);
  add_server_transport(s, env, n, refusals);
  return any;
}

void
ovpn3_net_settings_add_dns(Ovpn3NetSettings *s, GHashTable *env, GPtrArray *refusals)
{
  gboolean with_dns_servers = FALSE;

  for (guint n = 1; n <= DNS_MAX_SERVER_INDEX; n++)
    with_dns_servers |= add_dns_server_options(s, env, n, refusals);
  for (guint n = 1; n <= DNS_MAX_DOMAINS; n++)
    {
      const char *v = env_getf(env, "dns_search_domain_%u", n);

      if (v == NULL)
        break;
      add_domain(s, v, FALSE, refusals);
    }
  for (guint n = 1; n <= DNS_MAX_FOREIGN_OPTIONS; n++)
    {
      const char *v = env_getf(env, "foreign_option_%u", n);

      if (v == NULL)
        break;
      add_dhcp_option(s, v, with_dns_servers, refusals);
    }
}
