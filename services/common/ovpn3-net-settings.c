#define G_LOG_DOMAIN "ovpn3-net-settings"

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "ovpn3-net-policy.h"
#include "ovpn3-net-settings-private.h"
#include "ovpn3-net-settings.h"
#include "ovpn3-route-budget.h"

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
  g_ptr_array_unref(settings->dns_routing);
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
  s->dns_routing = g_ptr_array_new_with_free_func(g_free);
  return s;
}

void
ovpn3_net_settings_refuse(GPtrArray *refusals, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  if (refusals == NULL)
    return;
  va_start(args, format);
  msg = g_strdup_vprintf(format, args);
  va_end(args);
  for (guint i = 0; i < refusals->len; i++)
    if (g_str_equal(g_ptr_array_index(refusals, i), msg))
      return;
  g_ptr_array_add(refusals, g_steal_pointer(&msg));
}

/* The VPN server's address, if known and of that family. */
static gboolean
remote_addr(const Ovpn3NetSettings *s, gboolean ipv6, Ovpn3NetAddr *out)
{
  return s->remote != NULL && s->remote_ipv6 == ipv6
         && ovpn3_net_parse_ip(s->remote, ipv6, out, NULL);
}

/* The client cannot see the routing table: it drops any route that covers the
 * VPN server; netcfg, which can, only those more specific than the uplink. */
static gboolean
covers_remote(const Ovpn3NetSettings *s, const Ovpn3NetAddr *net, guint prefix)
{
  Ovpn3NetAddr remote;

  return remote_addr(s, net->family == AF_INET6, &remote)
         && ovpn3_net_addr_in_network(&remote, net, prefix);
}

/* Part of a redirect-gateway ipv6 (taken: reroute_ipv6) or of a refused one. */
static gboolean
take_redirect_piece(Ovpn3NetSettings *s, const Ovpn3NetAddr *net, guint prefix,
                    const Ovpn3NetRedirect *redirect)
{
  if (!ovpn3_net_is_ipv6_redirect_piece(net, prefix))
    return FALSE;
  if (redirect->redirect_ipv6)
    s->reroute_ipv6 = TRUE; /* netcfg sets the IPv6 default route itself */
  return redirect->redirect_ipv6 || redirect->refused_ipv6;
}

static gboolean
route_refused(Ovpn3NetSettings *s, const Ovpn3NetAddr *net, guint prefix, const char *shown,
              GPtrArray *refusals)
{
  switch (ovpn3_net_route_verdict(net, prefix))
    {
      case OVPN3_NET_ROUTE_DEFAULT:
        ovpn3_net_settings_refuse(
            refusals,
            "Ignoring pushed route %s/%u: a default route only comes from redirect-gateway", shown,
            prefix);
        return TRUE;
      case OVPN3_NET_ROUTE_FORBIDDEN:
        ovpn3_net_settings_refuse(
            refusals,
            "Ignoring pushed route %s/%u: loopback, unspecified, broadcast or multicast target",
            shown, prefix);
        return TRUE;
      default:
        break;
    }
  if (covers_remote(s, net, prefix))
    {
      ovpn3_net_settings_refuse(refusals,
                                "Ignoring pushed route %s/%u: it covers the VPN server %s", shown,
                                prefix, s->remote);
      return TRUE;
    }
  if (s->routes->len >= OVPN3_NET_MAX_ROUTES)
    {
      ovpn3_net_settings_refuse(refusals, "Ignoring routes beyond the first %d",
                                OVPN3_NET_MAX_ROUTES);
      return TRUE;
    }
  return FALSE;
}

static void
add_route(Ovpn3NetSettings *s, const char *addr, guint prefix, gint metric, gboolean ipv6,
          const Ovpn3NetRedirect *redirect, GPtrArray *refusals)
{
  Ovpn3NetAddr net;
  g_autofree char *shown = NULL;
  Ovpn3NetRoute *r;

  if (!ovpn3_net_parse_ip(addr, ipv6, &net, NULL) || prefix > ovpn3_net_addr_max_prefix(&net))
    {
      g_autofree char *e = ovpn3_net_escape(addr);

      ovpn3_net_settings_refuse(refusals, "Ignoring invalid route '%s/%u'", e, prefix);
      return;
    }
  ovpn3_net_addr_mask(&net, prefix); /* openvpn's host bits go */
  if (take_redirect_piece(s, &net, prefix, redirect))
    return; /* a refused redirect-gateway was logged as a whole */
  shown = ovpn3_net_addr_to_string(&net);
  if (route_refused(s, &net, prefix, shown, refusals))
    return;
  for (guint i = 0; i < s->routes->len; i++)
    {
      Ovpn3NetRoute *o = g_ptr_array_index(s->routes, i);

      if (o->ipv6 == ipv6 && o->prefix == prefix && g_str_equal(o->address, shown))
        return;
    }
  r = g_new0(Ovpn3NetRoute, 1);
  r->address = g_steal_pointer(&shown);
  r->prefix = prefix;
  r->metric = metric;
  r->ipv6 = ipv6;
  g_ptr_array_add(s->routes, r);
}

const char *
ovpn3_net_settings_env_get(GHashTable *env, const char *key)
{
  const char *v = g_hash_table_lookup(env, key);

  return v != NULL && *v != '\0' ? v : NULL;
}

const char *
ovpn3_net_settings_env_getf(GHashTable *env, const char *format, ...)
{
  va_list args;
  g_autofree char *key = NULL;

  va_start(args, format);
  key = g_strdup_vprintf(format, args);
  va_end(args);
  return ovpn3_net_settings_env_get(env, key);
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

/* A tunnel address is unusable if it is forbidden (ovpn3-net-policy.h) or
 * the server's own. */
static gboolean
check_tunnel_address(Ovpn3NetSettings *s, const char *addr, gboolean ipv6, GError **error)
{
  g_autofree char *e = ovpn3_net_escape(addr);
  Ovpn3NetAddr a, r;

  if (!ovpn3_net_parse_ip(addr, ipv6, &a, NULL) || ovpn3_net_addr_is_forbidden(&a))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "Server pushed an unusable tunnel address '%s'", e);
      return FALSE;
    }
  if (remote_addr(s, ipv6, &r) && ovpn3_net_addr_equal(&a, &r))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "Server pushed its own address '%s' as the tunnel address", e);
      return FALSE;
    }
  return TRUE;
}

static Ovpn3NetAddress *
net_address_new(const char *address, guint prefix, gboolean ipv6)
{
  Ovpn3NetAddress *a = g_new0(Ovpn3NetAddress, 1);

  a->address = g_strdup(address);
  a->prefix = prefix;
  a->gateway = g_strdup("");
  a->ipv6 = ipv6;
  return a;
}

static gboolean
add_ipv4_address(Ovpn3NetSettings *s, GHashTable *env, GError **error)
{
  const char *local = ovpn3_net_settings_env_get(env, "ifconfig_local");
  const char *netmask = ovpn3_net_settings_env_get(env, "ifconfig_netmask");
  const char *remote = ovpn3_net_settings_env_get(env, "ifconfig_remote");
  Ovpn3NetAddress *a;
  Ovpn3NetAddr r;
  gint prefix = 32;

  if (local == NULL)
    return TRUE;
  if (!check_tunnel_address(s, local, FALSE, error))
    return FALSE;
  /* a tunnel needs a prefix of at least 1 (ovpn3_net_check_tunnel_address) */
  if (netmask != NULL && (prefix = ovpn3_net_netmask_to_prefix(netmask)) < 1)
    {
      g_autofree char *e = ovpn3_net_escape(netmask);

      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "Server pushed an invalid netmask '%s'", e);
      return FALSE;
    }
  a = net_address_new(local, prefix, FALSE);
  if (netmask == NULL && remote != NULL && ovpn3_net_parse_ip(remote, FALSE, &r, NULL))
    {
      g_free(a->gateway);
      a->gateway = ovpn3_net_addr_to_string(&r);
    }
  g_ptr_array_add(s->addresses, a);
  return TRUE;
}

static gboolean
add_ipv6_address(Ovpn3NetSettings *s, GHashTable *env, GError **error)
{
  const char *local = ovpn3_net_settings_env_get(env, "ifconfig_ipv6_local");
  const char *bits = ovpn3_net_settings_env_get(env, "ifconfig_ipv6_netbits");
  guint prefix = 128;

  if (local == NULL)
    return TRUE;
  if (!check_tunnel_address(s, local, TRUE, error))
    return FALSE;
  if (bits != NULL && (!parse_uint(bits, 128, &prefix) || prefix < 1))
    {
      g_autofree char *e = ovpn3_net_escape(bits);

      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "Server pushed an invalid IPv6 prefix length '%s'", e);
      return FALSE;
    }
  g_ptr_array_add(s->addresses, net_address_new(local, prefix, TRUE));
  return TRUE;
}

static void
add_ipv4_routes(Ovpn3NetSettings *s, GHashTable *env, const Ovpn3NetRedirect *redirect,
                GPtrArray *refusals)
{
  for (guint i = 1; i <= OVPN3_NET_MAX_ROUTES + 1; i++)
    {
      const char *net = ovpn3_net_settings_env_getf(env, "route_network_%u", i);
      const char *mask = ovpn3_net_settings_env_getf(env, "route_netmask_%u", i);
      const char *metric_s = ovpn3_net_settings_env_getf(env, "route_metric_%u", i);
      guint metric = 0;
      gint prefix;

      if (net == NULL)
        break;
      prefix = mask != NULL ? ovpn3_net_netmask_to_prefix(mask) : 32;
      if (prefix < 0)
        {
          g_autofree char *e = ovpn3_net_escape(mask);

          ovpn3_net_settings_refuse(refusals, "Ignoring route with an invalid netmask '%s'", e);
          continue;
        }
      add_route(s, net, (guint) prefix,
                parse_uint(metric_s, G_MAXINT32, &metric) ? (gint) metric : -1, FALSE, redirect,
                refusals);
    }
}

static void
add_ipv6_routes(Ovpn3NetSettings *s, GHashTable *env, const Ovpn3NetRedirect *redirect,
                GPtrArray *refusals)
{
  for (guint i = 1; i <= OVPN3_NET_MAX_ROUTES + 1; i++)
    {
      const char *net = ovpn3_net_settings_env_getf(env, "route_ipv6_network_%u", i);
      g_auto(GStrv) parts = NULL;
      guint prefix = 128;

      if (net == NULL)
        break;
      parts = g_strsplit(net, "/", 2);
      if (parts[1] != NULL && !parse_uint(parts[1], 128, &prefix))
        {
          g_autofree char *e = ovpn3_net_escape(net);

          ovpn3_net_settings_refuse(refusals, "Ignoring invalid IPv6 route '%s'", e);
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
      Ovpn3NetAddr a;

      if (r->exclude
          || (ovpn3_net_parse_ip(r->address, r->ipv6, &a, NULL)
              && ovpn3_route_budget_take(budget, a.family, a.bytes, r->prefix)))
        {
          i++;
          continue;
        }
      ovpn3_net_settings_refuse(
          refusals,
          "Ignoring pushed route %s/%u: without redirect-gateway the pushed routes may "
          "cover at most %s together",
          r->address, r->prefix, ovpn3_route_budget_describe(r->ipv6 ? AF_INET6 : AF_INET));
      g_ptr_array_remove_index(s->routes, i);
    }
}

static void
set_remote(Ovpn3NetSettings *s, GHashTable *env)
{
  Ovpn3NetAddr a;

  if (ovpn3_net_parse_ip(ovpn3_net_settings_env_get(env, "trusted_ip"), FALSE, &a, NULL))
    s->remote = ovpn3_net_addr_to_string(&a);
  else if (ovpn3_net_parse_ip(ovpn3_net_settings_env_get(env, "trusted_ip6"), TRUE, &a, NULL))
    {
      s->remote = ovpn3_net_addr_to_string(&a);
      s->remote_ipv6 = TRUE;
    }
}

static void
set_mtu(Ovpn3NetSettings *s, const char *mtu_s, GPtrArray *refusals)
{
  guint mtu;

  if (mtu_s == NULL)
    return;
  if (parse_uint(mtu_s, G_MAXUINT32, &mtu) && mtu >= OVPN3_NET_MTU_MIN && mtu <= OVPN3_NET_MTU_MAX)
    {
      s->mtu = mtu;
      return;
    }
  {
    g_autofree char *e = ovpn3_net_escape(mtu_s);

    ovpn3_net_settings_refuse(refusals, "Ignoring MTU '%s' (must be %d-%d)", e, OVPN3_NET_MTU_MIN,
                              OVPN3_NET_MTU_MAX);
  }
}

Ovpn3NetSettings *
ovpn3_net_settings_from_env(GHashTable *env, const Ovpn3NetRedirect *redirect,
                            gboolean dns_disabled, GPtrArray *refusals, GError **error)
{
  g_autoptr(Ovpn3NetSettings) s = net_settings_new();

  set_remote(s, env);
  if (!add_ipv4_address(s, env, error) || !add_ipv6_address(s, env, error))
    return NULL;
  if (s->addresses->len == 0)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                          "Server pushed no tunnel address");
      return NULL;
    }
  s->reroute_ipv4 = redirect->redirect_ipv4;
  s->reroute_ipv6 = redirect->redirect_ipv6;
  add_ipv4_routes(s, env, redirect, refusals);
  add_ipv6_routes(s, env, redirect, refusals);
  apply_route_budget(s, refusals);
  if (!dns_disabled)
    ovpn3_net_settings_add_dns(s, env, refusals);
  set_mtu(s, ovpn3_net_settings_env_get(env, "tun_mtu"), refusals);
  return g_steal_pointer(&s);
}
