#define G_LOG_DOMAIN "ovpn3-client-netcfg"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "client-netcfg.h"
#include "ovpn3-names.h"
#include "ovpn3-route-budget.h"

/* ---- settings --------------------------------------------------------------------- */

static void
net_address_free(gpointer data)
{
  Ovpn3NetAddress *a = data;

  g_free(a->address);
  g_free(a->gateway);
  g_free(a);
}

static void
net_route_free(gpointer data)
{
  Ovpn3NetRoute *r = data;

  g_free(r->address);
  g_free(r);
}

void
ovpn3_net_settings_free(Ovpn3NetSettings *settings)
{
  if (settings == NULL)
    return;
  g_ptr_array_unref(settings->addresses);
  g_ptr_array_unref(settings->routes);
  g_ptr_array_unref(settings->dns_servers);
  g_ptr_array_unref(settings->dns_search);
  g_free(settings->remote);
  g_free(settings);
}

static Ovpn3NetSettings *
net_settings_new(void)
{
  Ovpn3NetSettings *s = g_new0(Ovpn3NetSettings, 1);

  s->addresses = g_ptr_array_new_with_free_func(net_address_free);
  s->routes = g_ptr_array_new_with_free_func(net_route_free);
  s->dns_servers = g_ptr_array_new_with_free_func(g_free);
  s->dns_search = g_ptr_array_new_with_free_func(g_free);
  return s;
}

static void G_GNUC_PRINTF(2, 3) refuse(GPtrArray *refusals, const char *format, ...)
{
  va_list args;
  char *msg;

  va_start(args, format);
  msg = g_strdup_vprintf(format, args);
  va_end(args);
  if (refusals == NULL)
    {
      g_free(msg);
      return;
    }
  for (guint i = 0; i < refusals->len; i++)
    if (g_str_equal(g_ptr_array_index(refusals, i), msg))
      {
        g_free(msg);
        return;
      }
  g_ptr_array_add(refusals, msg);
}

/* For messages: the value with control and non-ASCII characters escaped. */
static char *
esc(const char *value)
{
  return g_strescape(value != NULL ? value : "", NULL);
}

gint
ovpn3_net_netmask_to_prefix(const char *netmask)
{
  g_autoptr(GInetAddress) a = NULL;
  const guint8 *b;
  guint32 v, inv;

  if (netmask == NULL)
    return -1;
  a = g_inet_address_new_from_string(netmask);
  if (a == NULL || g_inet_address_get_family(a) != G_SOCKET_FAMILY_IPV4)
    return -1;
  b = g_inet_address_to_bytes(a);
  v = ((guint32) b[0] << 24) | ((guint32) b[1] << 16) | ((guint32) b[2] << 8) | b[3];
  /* contiguous: the inverted mask is of the form 0…01…1 */
  inv = ~v;
  if ((inv & (inv + 1)) != 0)
    return -1;
  return __builtin_popcount(v);
}

gboolean
ovpn3_net_is_ldh_domain(const char *name)
{
  gsize len, label = 0;

  if (name == NULL)
    return FALSE;
  len = strlen(name);
  if (len == 0 || len > 253)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = name[i];

      if (c == '.')
        {
          if (label == 0 || name[i - 1] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum(c) && c != '-')
        return FALSE;
      if (c == '-' && label == 0)
        return FALSE;
      if (++label > 63)
        return FALSE;
    }
  return label > 0 && name[len - 1] != '-';
}

static GInetAddress *
parse_ip(const char *s, gboolean ipv6)
{
  GInetAddress *a;

  if (s == NULL || *s == '\0')
    return NULL;
  a = g_inet_address_new_from_string(s);
  if (a == NULL)
    return NULL;
  if ((g_inet_address_get_family(a) == G_SOCKET_FAMILY_IPV6) != ipv6)
    {
      g_object_unref(a);
      return NULL;
    }
  return a;
}

static gboolean
mask_contains(const char *net, guint prefix, const char *addr_s)
{
  g_autoptr(GInetAddress) n = g_inet_address_new_from_string(net);
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string(addr_s);
  g_autoptr(GInetAddressMask) m = NULL;

  if (n == NULL || a == NULL || g_inet_address_get_family(n) != g_inet_address_get_family(a))
    return FALSE;
  m = g_inet_address_mask_new(n, prefix, NULL);
  return m != NULL && g_inet_address_mask_matches(m, a);
}

static gboolean
masks_overlap(const char *net, guint prefix, const char *net2, guint prefix2)
{
  /* two prefixes overlap iff the shorter one contains the other's network */
  if (prefix <= prefix2)
    return mask_contains(net, prefix, net2);
  return mask_contains(net2, prefix2, net);
}

/* The default route and its halves come only from redirect-gateway. */
static gboolean
is_default_or_half(const char *net, guint prefix, gboolean ipv6)
{
  if (prefix == 0)
    return TRUE;
  if (prefix != 1)
    return FALSE;
  return ipv6 ? (g_str_equal(net, "::") || g_str_equal(net, "8000::"))
              : (g_str_equal(net, "0.0.0.0") || g_str_equal(net, "128.0.0.0"));
}

/* The routes openvpn 2.6 puts in the ENV for `redirect-gateway ipv6`. */
static gboolean
is_ipv6_redirect_piece(const char *net, guint prefix)
{
  return (prefix == 3 && g_str_equal(net, "::")) || (prefix == 4 && g_str_equal(net, "2000::"))
         || (prefix == 4 && g_str_equal(net, "3000::"))
         || (prefix == 7 && g_str_equal(net, "fc00::"));
}

/* Route targets nobody may push: loopback, unspecified, broadcast, multicast. */
static gboolean
is_forbidden_target(const char *net, guint prefix, gboolean ipv6)
{
  if (ipv6)
    return mask_contains(net, prefix, "::1") || mask_contains(net, prefix, "::")
           || masks_overlap(net, prefix, "ff00::", 8);
  return masks_overlap(net, prefix, "127.0.0.0", 8) || masks_overlap(net, prefix, "0.0.0.0", 8)
         || mask_contains(net, prefix, "255.255.255.255")
         || masks_overlap(net, prefix, "224.0.0.0", 4);
}

/* Normalises "a.b.c.d" + prefix to its network address; NULL if invalid. */
static char *
network_address(const char *addr, guint prefix, gboolean ipv6)
{
  g_autoptr(GInetAddress) a = parse_ip(addr, ipv6);
  guint8 bytes[16];
  gsize n = ipv6 ? 16 : 4;
  g_autoptr(GInetAddress) out = NULL;

  if (a == NULL || prefix > n * 8)
    return NULL;
  memcpy(bytes, g_inet_address_to_bytes(a), n);
  for (gsize i = 0; i < n; i++)
    {
      guint bits = prefix > i * 8 ? MIN(8, prefix - i * 8) : 0;

      bytes[i] &= (guint8) (0xff00 >> bits);
    }
  out = g_inet_address_new_from_bytes(bytes, ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
  return g_inet_address_to_string(out);
}

static void
add_route(Ovpn3NetSettings *s, const char *addr, guint prefix, gint metric, gboolean ipv6,
          const Ovpn3NetRedirect *redirect, GPtrArray *refusals)
{
  g_autofree char *net = network_address(addr, prefix, ipv6);
  g_autofree char *e = esc(addr);
  Ovpn3NetRoute *r;

  if (net == NULL)
    {
      refuse(refusals, "Ignoring invalid route '%s/%u'", e, prefix);
      return;
    }
  if (ipv6 && is_ipv6_redirect_piece(net, prefix) && redirect->redirect_ipv6)
    {
      s->reroute_ipv6 = TRUE; /* netcfg sets the IPv6 default route itself */
      return;
    }
  if (ipv6 && is_ipv6_redirect_piece(net, prefix) && redirect->refused_ipv6)
    return; /* part of a refused redirect-gateway, which was logged */
  if (is_default_or_half(net, prefix, ipv6))
    {
      refuse(refusals,
             "Ignoring pushed route %s/%u: a default route only comes from "
             "redirect-gateway",
             net, prefix);
      return;
    }
  if (is_forbidden_target(net, prefix, ipv6))
    {
      refuse(refusals,
             "Ignoring pushed route %s/%u: loopback, unspecified, broadcast or "
             "multicast target",
             net, prefix);
      return;
    }
  if (s->remote != NULL && s->remote_ipv6 == ipv6 && mask_contains(net, prefix, s->remote))
    {
      refuse(refusals, "Ignoring pushed route %s/%u: it covers the VPN server %s", net, prefix,
             s->remote);
      return;
    }
  if (s->routes->len >= OVPN3_NET_MAX_ROUTES)
    {
      refuse(refusals, "Ignoring routes beyond the first %d", OVPN3_NET_MAX_ROUTES);
      return;
    }
  for (guint i = 0; i < s->routes->len; i++)
    {
      Ovpn3NetRoute *o = g_ptr_array_index(s->routes, i);

      if (o->ipv6 == ipv6 && o->prefix == prefix && g_str_equal(o->address, net))
        return;
    }
  r = g_new0(Ovpn3NetRoute, 1);
  r->address = g_steal_pointer(&net);
  r->prefix = prefix;
  r->metric = metric;
  r->ipv6 = ipv6;
  g_ptr_array_add(s->routes, r);
}

static void
add_dns_server(Ovpn3NetSettings *s, const char *value, GPtrArray *refusals)
{
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string(value);
  g_autofree char *e = esc(value);
  g_autofree char *norm = NULL;

  if (a == NULL)
    {
      refuse(refusals, "Ignoring DNS server '%s': not an IP address", e);
      return;
    }
  if (g_inet_address_get_is_any(a) || g_inet_address_get_is_multicast(a))
    {
      refuse(refusals, "Ignoring DNS server '%s'", e);
      return;
    }
  norm = g_inet_address_to_string(a);
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

static void
add_dns_search(Ovpn3NetSettings *s, const char *value, GPtrArray *refusals)
{
  g_autofree char *e = esc(value);

  if (!ovpn3_net_is_ldh_domain(value))
    {
      refuse(refusals, "Ignoring search domain '%s': not a valid domain name", e);
      return;
    }
  for (guint i = 0; i < s->dns_search->len; i++)
    if (g_ascii_strcasecmp(g_ptr_array_index(s->dns_search, i), value) == 0)
      return;
  if (s->dns_search->len >= OVPN3_NET_MAX_DNS_SEARCH)
    {
      refuse(refusals, "Ignoring search domains beyond the first %d", OVPN3_NET_MAX_DNS_SEARCH);
      return;
    }
  g_ptr_array_add(s->dns_search, g_strdup(value));
}

static const char *
env_get(GHashTable *env, const char *key)
{
  const char *v = g_hash_table_lookup(env, key);

  return v != NULL && *v != '\0' ? v : NULL;
}

static const char *env_getf(GHashTable *env, const char *format, ...) G_GNUC_PRINTF(2, 3);

static const char *
env_getf(GHashTable *env, const char *format, ...)
{
  va_list args;
  g_autofree char *key = NULL;

  va_start(args, format);
  key = g_strdup_vprintf(format, args);
  va_end(args);
  return env_get(env, key);
}

static gboolean
parse_uint(const char *s, guint max, guint *out)
{
  guint64 v;

  if (s == NULL || !g_ascii_string_to_unsigned(s, 10, 0, max, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* A tunnel address is unusable if it is the server's, loopback or unspecified. */
static gboolean
check_tunnel_address(Ovpn3NetSettings *s, const char *addr, gboolean ipv6, GError **error)
{
  g_autoptr(GInetAddress) a = parse_ip(addr, ipv6);
  g_autofree char *e = esc(addr);

  if (a == NULL || g_inet_address_get_is_loopback(a) || g_inet_address_get_is_any(a)
      || g_inet_address_get_is_multicast(a))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "Server pushed an unusable tunnel address '%s'", e);
      return FALSE;
    }
  if (s->remote != NULL && s->remote_ipv6 == ipv6)
    {
      g_autoptr(GInetAddress) r = g_inet_address_new_from_string(s->remote);

      if (r != NULL && g_inet_address_equal(a, r))
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                      "Server pushed its own address '%s' as the tunnel address", e);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
add_ipv4_address(Ovpn3NetSettings *s, GHashTable *env, GError **error)
{
  const char *local = env_get(env, "ifconfig_local");
  const char *netmask = env_get(env, "ifconfig_netmask");
  const char *remote = env_get(env, "ifconfig_remote");
  Ovpn3NetAddress *a;
  gint prefix = 32;

  if (local == NULL)
    return TRUE;
  if (!check_tunnel_address(s, local, FALSE, error))
    return FALSE;
  if (netmask != NULL)
    {
      prefix = ovpn3_net_netmask_to_prefix(netmask);
      if (prefix < 0)
        {
          g_autofree char *e = esc(netmask);
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                      "Server pushed an invalid netmask '%s'", e);
          return FALSE;
        }
    }
  a = g_new0(Ovpn3NetAddress, 1);
  a->address = g_strdup(local);
  a->prefix = prefix;
  a->gateway = g_strdup("");
  if (netmask == NULL && remote != NULL)
    {
      g_autoptr(GInetAddress) r = parse_ip(remote, FALSE);

      if (r != NULL)
        {
          g_free(a->gateway);
          a->gateway = g_inet_address_to_string(r);
        }
    }
  g_ptr_array_add(s->addresses, a);
  return TRUE;
}

static gboolean
add_ipv6_address(Ovpn3NetSettings *s, GHashTable *env, GError **error)
{
  const char *local = env_get(env, "ifconfig_ipv6_local");
  const char *bits = env_get(env, "ifconfig_ipv6_netbits");
  Ovpn3NetAddress *a;
  guint prefix = 128;

  if (local == NULL)
    return TRUE;
  if (!check_tunnel_address(s, local, TRUE, error))
    return FALSE;
  if (bits != NULL && !parse_uint(bits, 128, &prefix))
    {
      g_autofree char *e = esc(bits);
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "Server pushed an invalid IPv6 prefix length '%s'", e);
      return FALSE;
    }
  a = g_new0(Ovpn3NetAddress, 1);
  a->address = g_strdup(local);
  a->prefix = prefix;
  a->gateway = g_strdup("");
  a->ipv6 = TRUE;
  g_ptr_array_add(s->addresses, a);
  return TRUE;
}

static void
add_routes(Ovpn3NetSettings *s, GHashTable *env, const Ovpn3NetRedirect *redirect,
           GPtrArray *refusals)
{
  for (guint i = 1; i <= OVPN3_NET_MAX_ROUTES + 1; i++)
    {
      const char *net = env_getf(env, "route_network_%u", i);
      const char *mask = env_getf(env, "route_netmask_%u", i);
      const char *metric_s = env_getf(env, "route_metric_%u", i);
      guint metric = 0;
      gint prefix;

      if (net == NULL)
        break;
      prefix = mask != NULL ? ovpn3_net_netmask_to_prefix(mask) : 32;
      if (prefix < 0)
        {
          g_autofree char *e = esc(mask);
          refuse(refusals, "Ignoring route with an invalid netmask '%s'", e);
          continue;
        }
      add_route(s, net, (guint) prefix,
                parse_uint(metric_s, G_MAXINT32, &metric) ? (gint) metric : -1, FALSE, redirect,
                refusals);
    }
  for (guint i = 1; i <= OVPN3_NET_MAX_ROUTES + 1; i++)
    {
      const char *net = env_getf(env, "route_ipv6_network_%u", i);
      g_auto(GStrv) parts = NULL;
      guint prefix = 128;

      if (net == NULL)
        break;
      parts = g_strsplit(net, "/", 2);
      if (parts[1] != NULL && !parse_uint(parts[1], 128, &prefix))
        {
          g_autofree char *e = esc(net);
          refuse(refusals, "Ignoring invalid IPv6 route '%s'", e);
          continue;
        }
      add_route(s, parts[0], prefix, -1, TRUE, redirect, refusals);
    }
}

/* docs/architecture.md §6: without redirect-gateway the routes together may cover only
 * so much, counted by the function netcfg uses too; those beyond it go. */
static void
apply_route_budget(Ovpn3NetSettings *s, GPtrArray *refusals)
{
  g_autoptr(Ovpn3RouteBudget) budget = ovpn3_route_budget_new(s->reroute_ipv4, s->reroute_ipv6);

  for (guint i = 0; i < s->routes->len;)
    {
      Ovpn3NetRoute *r = g_ptr_array_index(s->routes, i);
      g_autoptr(GInetAddress) a = g_inet_address_new_from_string(r->address);
      int family = r->ipv6 ? AF_INET6 : AF_INET;

      if (r->exclude
          || (a != NULL
              && ovpn3_route_budget_take(budget, family, g_inet_address_to_bytes(a), r->prefix)))
        {
          i++;
          continue;
        }
      refuse(refusals,
             "Ignoring pushed route %s/%u: without redirect-gateway the pushed routes may "
             "cover at most %s together",
             r->address, r->prefix, ovpn3_route_budget_describe(family));
      g_ptr_array_remove_index(s->routes, i);
    }
}

static void
add_dns(Ovpn3NetSettings *s, GHashTable *env, GPtrArray *refusals)
{
  /* 2.6 --dns options */
  for (guint n = 1; n <= 64; n++)
    for (guint m = 1; m <= 8; m++)
      {
        const char *v = env_getf(env, "dns_server_%u_address_%u", n, m);

        if (v != NULL)
          add_dns_server(s, v, refusals);
      }
  for (guint n = 1; n <= 128; n++)
    {
      const char *v = env_getf(env, "dns_search_domain_%u", n);

      if (v == NULL)
        break;
      add_dns_search(s, v, refusals);
    }
  /* dhcp-option */
  for (guint n = 1; n <= 1024; n++)
    {
      const char *v = env_getf(env, "foreign_option_%u", n);
      g_auto(GStrv) tok = NULL;

      if (v == NULL)
        break;
      tok = g_strsplit_set(v, " ", -1);
      if (g_strv_length(tok) != 3 || !g_str_equal(tok[0], "dhcp-option"))
        {
          if (g_strv_length(tok) >= 2 && g_str_equal(tok[0], "dhcp-option"))
            {
              g_autofree char *e = esc(v);
              refuse(refusals, "Ignoring malformed option '%s'", e);
            }
          continue;
        }
      if (g_str_equal(tok[1], "DNS") || g_str_equal(tok[1], "DNS6"))
        add_dns_server(s, tok[2], refusals);
      else if (g_str_equal(tok[1], "DOMAIN") || g_str_equal(tok[1], "DOMAIN-SEARCH")
               || g_str_equal(tok[1], "ADAPTER_DOMAIN_SUFFIX"))
        add_dns_search(s, tok[2], refusals);
    }
}

Ovpn3NetSettings *
ovpn3_net_settings_from_env(GHashTable *env, const Ovpn3NetRedirect *redirect,
                            gboolean dns_disabled, GPtrArray *refusals, GError **error)
{
  g_autoptr(Ovpn3NetSettings) s = net_settings_new();
  const char *remote4 = env_get(env, "trusted_ip");
  const char *remote6 = env_get(env, "trusted_ip6");
  const char *mtu_s = env_get(env, "tun_mtu");
  guint mtu;

  if (remote4 != NULL && g_hostname_is_ip_address(remote4))
    s->remote = g_strdup(remote4);
  else if (remote6 != NULL && g_hostname_is_ip_address(remote6))
    {
      s->remote = g_strdup(remote6);
      s->remote_ipv6 = TRUE;
    }

  if (!add_ipv4_address(s, env, error) || !add_ipv6_address(s, env, error))
    return NULL;
  if (s->addresses->len == 0)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                          "Server pushed no tunnel address");
      return NULL;
    }
  s->reroute_ipv4 = redirect->redirect_ipv4;
  if (redirect->redirect_ipv6)
    s->reroute_ipv6 = TRUE;
  add_routes(s, env, redirect, refusals);
  apply_route_budget(s, refusals);
  if (!dns_disabled)
    add_dns(s, env, refusals);

  if (mtu_s != NULL)
    {
      if (parse_uint(mtu_s, G_MAXUINT32, &mtu) && mtu >= OVPN3_NET_MTU_MIN
          && mtu <= OVPN3_NET_MTU_MAX)
        s->mtu = mtu;
      else
        {
          g_autofree char *e = esc(mtu_s);
          refuse(refusals, "Ignoring MTU '%s' (must be %d-%d)", e, OVPN3_NET_MTU_MIN,
                 OVPN3_NET_MTU_MAX);
        }
    }
  return g_steal_pointer(&s);
}

/* ---- redirect-gateway ------------------------------------------------------------- */

void
ovpn3_net_redirect_from_args(const char *const *args, Ovpn3NetRedirect *redirect)
{
  gboolean v4 = TRUE, v6 = FALSE;

  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    {
      if (g_str_equal(args[i], "!ipv4"))
        v4 = FALSE;
      else if (g_str_equal(args[i], "ipv6"))
        v6 = TRUE;
    }
  redirect->redirect_ipv4 |= v4;
  redirect->redirect_ipv6 |= v6;
}

/* pull-filter: the first rule whose text is a prefix of the option decides. */
static gboolean
pull_filter_accepts(const char *option, const char *const *pull_filters)
{
  for (guint i = 0; pull_filters != NULL && pull_filters[i] != NULL; i++)
    {
      g_auto(GStrv) rule = g_strsplit(pull_filters[i], "\t", 2);

      if (rule[0] == NULL || rule[1] == NULL)
        continue;
      if (!g_str_has_prefix(option, rule[1]))
        continue;
      return g_str_equal(rule[0], "accept");
    }
  return TRUE;
}

gboolean
ovpn3_net_parse_push_reply(const char *line, const char *const *pull_filters, gboolean route_nopull,
                           Ovpn3NetRedirect *redirect)
{
  static const char marker[] = "PUSH: Received control message: '";
  const char *start = strstr(line, marker);
  g_autofree char *body = NULL;
  g_auto(GStrv) options = NULL;
  gsize len;

  if (start == NULL)
    return FALSE;
  start += strlen(marker);
  if (!g_str_has_prefix(start, "PUSH_REPLY,"))
    return FALSE;
  body = g_strdup(start + strlen("PUSH_REPLY,"));
  len = strlen(body);
  if (len > 0 && body[len - 1] == '\'')
    body[len - 1] = '\0';
  options = g_strsplit(body, ",", -1);
  for (guint i = 0; options[i] != NULL; i++)
    {
      g_auto(GStrv) args = NULL;

      if (!g_str_has_prefix(options[i], "redirect-gateway"))
        continue;
      if (route_nopull || !pull_filter_accepts(options[i], pull_filters))
        continue;
      args = g_strsplit(options[i], " ", -1);
      if (!g_str_equal(args[0], "redirect-gateway"))
        continue;
      ovpn3_net_redirect_from_args((const char *const *) args + 1, redirect);
    }
  return TRUE;
}

/* ---- D-Bus side ------------------------------------------------------------------- */

struct _Ovpn3ClientNetcfg
{
  GObject parent_instance;
  GDBusConnection *connection;
  char *device_path;
  char *device_name;
};

G_DEFINE_TYPE(Ovpn3ClientNetcfg, ovpn3_client_netcfg, G_TYPE_OBJECT)

static void
ovpn3_client_netcfg_finalize(GObject *object)
{
  Ovpn3ClientNetcfg *self = OVPN3_CLIENT_NETCFG(object);

  g_clear_object(&self->connection);
  g_free(self->device_path);
  g_free(self->device_name);
  G_OBJECT_CLASS(ovpn3_client_netcfg_parent_class)->finalize(object);
}

static void
ovpn3_client_netcfg_class_init(Ovpn3ClientNetcfgClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_client_netcfg_finalize;
}

static void
ovpn3_client_netcfg_init(Ovpn3ClientNetcfg *self)
{
}

Ovpn3ClientNetcfg *
ovpn3_client_netcfg_new(GDBusConnection *connection)
{
  Ovpn3ClientNetcfg *self = g_object_new(OVPN3_TYPE_CLIENT_NETCFG, NULL);

  self->connection = g_object_ref(connection);
  return self;
}

const char *
ovpn3_client_netcfg_get_device_path(Ovpn3ClientNetcfg *self)
{
  return self->device_path != NULL ? self->device_path : "/";
}

const char *
ovpn3_client_netcfg_get_device_name(Ovpn3ClientNetcfg *self)
{
  return self->device_name != NULL ? self->device_name : "";
}

/* A chain of calls run one after the other; the task fails at the first error. */
typedef struct
{
  char *path; /* NULL = the device */
  char *interface;
  char *method;
  GVariant *params;
  const GVariantType *reply_type;
} Step;

static void
step_free(gpointer data)
{
  Step *st = data;

  g_free(st->path);
  g_free(st->interface);
  g_free(st->method);
  if (st->params != NULL)
    g_variant_unref(st->params);
  g_free(st);
}

typedef struct
{
  GQueue steps;
  void (*on_reply)(Ovpn3ClientNetcfg *self, Step *step, GVariant *reply);
} Chain;

static void
chain_free(gpointer data)
{
  Chain *c = data;

  g_queue_clear_full(&c->steps, step_free);
  g_free(c);
}

static void
chain_add(Chain *c, const char *path, const char *interface, const char *method, GVariant *params,
          const GVariantType *reply_type)
{
  Step *st = g_new0(Step, 1);

  st->path = g_strdup(path);
  st->interface = g_strdup(interface);
  st->method = g_strdup(method);
  st->params = params != NULL ? g_variant_ref_sink(params) : NULL;
  st->reply_type = reply_type;
  g_queue_push_tail(&c->steps, st);
}

static void
chain_set_prop(Chain *c, const char *name, GVariant *value)
{
  chain_add(c, NULL, DBUS_INTERFACE_PROPS, "Set",
            g_variant_new("(ssv)", OVPN3_NETCFG_INTERFACE, name, value), NULL);
}

static void chain_next(GTask *task);

static void
on_step(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Ovpn3ClientNetcfg *self = g_task_get_source_object(task);
  Chain *c = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  Step *st = g_queue_pop_head(&c->steps);

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error(error);
      g_prefix_error(&error, "netcfg %s: ", st->method);
      step_free(st);
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  if (c->on_reply != NULL)
    c->on_reply(self, st, reply);
  step_free(st);
  chain_next(g_steal_pointer(&task));
}

static void
chain_next(GTask *task)
{
  Ovpn3ClientNetcfg *self = g_task_get_source_object(task);
  Chain *c = g_task_get_task_data(task);
  Step *st = g_queue_peek_head(&c->steps);
  const char *path;

  if (st == NULL)
    {
      g_task_return_boolean(task, TRUE);
      g_object_unref(task);
      return;
    }
  path = st->path != NULL ? st->path : self->device_path;
  if (path == NULL)
    {
      g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, "no netcfg device");
      g_object_unref(task);
      return;
    }
  g_dbus_connection_call(self->connection, OVPN3_NETCFG_BUS_NAME, path, st->interface, st->method,
                         st->params, st->reply_type, G_DBUS_CALL_FLAGS_NONE, 30000,
                         g_task_get_cancellable(task), on_step, task);
}

static GTask *
chain_task(Ovpn3ClientNetcfg *self, gpointer tag, GAsyncReadyCallback callback, gpointer user_data,
           Chain **chain)
{
  GTask *task = g_task_new(self, NULL, callback, user_data);
  Chain *c = g_new0(Chain, 1);

  g_task_set_source_tag(task, tag);
  g_queue_init(&c->steps);
  g_task_set_task_data(task, c, chain_free);
  *chain = c;
  return task;
}

static void
on_create_reply(Ovpn3ClientNetcfg *self, Step *st, GVariant *reply)
{
  if (g_str_equal(st->method, "CreateVirtualInterface"))
    {
      const char *path;

      g_variant_get(reply, "(&o)", &path);
      g_free(self->device_path);
      self->device_path = g_strdup(path);
    }
  else if (g_str_equal(st->method, "Get"))
    {
      g_autoptr(GVariant) v = NULL;

      g_variant_get(reply, "(v)", &v);
      if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
        {
          g_free(self->device_name);
          self->device_name = g_variant_dup_string(v, NULL);
        }
    }
}

void
ovpn3_client_netcfg_create_async(Ovpn3ClientNetcfg *self, const char *prefix, guint layer,
                                 guint32 engine_uid, const char *dns_scope,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  Chain *c;
  GTask *task = chain_task(self, ovpn3_client_netcfg_create_async, callback, user_data, &c);

  c->on_reply = on_create_reply;
  chain_add(c, OVPN3_NETCFG_PATH, OVPN3_NETCFG_INTERFACE, "CreateVirtualInterface",
            g_variant_new("(s)", prefix), G_VARIANT_TYPE("(o)"));
  /* the tun belongs to the session's engine (docs/security.md §3) */
  if (engine_uid != G_MAXUINT32)
    chain_set_prop(c, "engine_uid", g_variant_new_uint32(engine_uid));
  chain_set_prop(c, "layer", g_variant_new_uint32(layer));
  if (dns_scope != NULL)
    chain_set_prop(c, "dns_scope", g_variant_new_string(dns_scope));
  chain_add(c, NULL, DBUS_INTERFACE_PROPS, "Get",
            g_variant_new("(ss)", OVPN3_NETCFG_INTERFACE, "device_name"), G_VARIANT_TYPE("(v)"));
  chain_next(task);
}

gboolean
ovpn3_client_netcfg_create_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result, GError **error)
{
  if (!g_task_propagate_boolean(G_TASK(result), error))
    return FALSE;
  if (self->device_name == NULL || *self->device_name == '\0')
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED,
                          "netcfg did not report a device name");
      return FALSE;
    }
  return TRUE;
}

void
ovpn3_client_netcfg_apply_async(Ovpn3ClientNetcfg *self, const Ovpn3NetSettings *s,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  Chain *c;
  GTask *task = chain_task(self, ovpn3_client_netcfg_apply_async, callback, user_data, &c);
  GVariantBuilder routes, dns, search;

  if (s->remote != NULL)
    chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "SetRemoteAddress",
              g_variant_new("(sb)", s->remote, s->remote_ipv6), NULL);
  for (guint i = 0; i < s->addresses->len; i++)
    {
      Ovpn3NetAddress *a = g_ptr_array_index(s->addresses, i);

      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddIPAddress",
                g_variant_new("(susb)", a->address, a->prefix, a->gateway, a->ipv6), NULL);
    }
  if (s->routes->len > 0)
    {
      g_variant_builder_init(&routes, G_VARIANT_TYPE("a(suibb)"));
      for (guint i = 0; i < s->routes->len; i++)
        {
          Ovpn3NetRoute *r = g_ptr_array_index(s->routes, i);

          g_variant_builder_add(&routes, "(suibb)", r->address, r->prefix, r->metric, r->ipv6,
                                r->exclude);
        }
      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddNetworks",
                g_variant_new("(a(suibb))", &routes), NULL);
    }
  if (s->dns_servers->len > 0)
    {
      g_variant_builder_init(&dns, G_VARIANT_TYPE("as"));
      for (guint i = 0; i < s->dns_servers->len; i++)
        g_variant_builder_add(&dns, "s", (const char *) g_ptr_array_index(s->dns_servers, i));
      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddDNS", g_variant_new("(as)", &dns), NULL);
    }
  if (s->dns_search->len > 0)
    {
      g_variant_builder_init(&search, G_VARIANT_TYPE("as"));
      for (guint i = 0; i < s->dns_search->len; i++)
        g_variant_builder_add(&search, "s", (const char *) g_ptr_array_index(s->dns_search, i));
      chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "AddDNSSearch", g_variant_new("(as)", &search),
                NULL);
    }
  if (s->mtu != 0)
    chain_set_prop(c, "mtu", g_variant_new_uint16((guint16) s->mtu));
  chain_set_prop(c, "reroute_ipv4", g_variant_new_boolean(s->reroute_ipv4));
  chain_set_prop(c, "reroute_ipv6", g_variant_new_boolean(s->reroute_ipv6));
  chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "Establish", NULL, NULL);
  chain_next(task);
}

gboolean
ovpn3_client_netcfg_apply_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

static void
on_destroy_reply(Ovpn3ClientNetcfg *self, Step *st, GVariant *reply)
{
  g_clear_pointer(&self->device_path, g_free);
}

void
ovpn3_client_netcfg_destroy_async(Ovpn3ClientNetcfg *self, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  Chain *c;
  GTask *task = chain_task(self, ovpn3_client_netcfg_destroy_async, callback, user_data, &c);

  if (self->device_path == NULL)
    {
      g_task_return_boolean(task, TRUE);
      g_object_unref(task);
      return;
    }
  c->on_reply = on_destroy_reply;
  chain_add(c, NULL, OVPN3_NETCFG_INTERFACE, "Destroy", NULL, NULL);
  chain_next(task);
}

gboolean
ovpn3_client_netcfg_destroy_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}
