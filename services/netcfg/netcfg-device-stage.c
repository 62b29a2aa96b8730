#define G_LOG_DOMAIN "ovpn3-netcfg-device"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "netcfg-device-private.h"
#include "ovpn3-names.h"
#include "ovpn3-net-policy.h"

/* ---- staging (validated; nothing changes on error) --------------------- */

gboolean
netcfg_device_stage_address(NetcfgDevice *self, GVariant *params, GError **error)
{
  const char *ip, *gateway;
  guint32 prefix;
  gboolean ipv6;
  StagedAddress a = { 0 };
  const Ovpn3NetAddr *remote;

  g_variant_get(params, "(&su&sb)", &ip, &prefix, &gateway, &ipv6);
  if (!ovpn3_net_parse_ip(ip, ipv6, &a.addr, error)
      || !ovpn3_net_check_tunnel_address(&a.addr, prefix, error))
    return FALSE;
  a.prefix = prefix;
  if (*gateway != '\0')
    {
      if (!ovpn3_net_parse_ip(gateway, ipv6, &a.gateway, error))
        return FALSE;
      a.has_gateway = TRUE;
    }
  remote = netcfg_device_remote_of_family(self, a.addr.family);
  if (remote != NULL && ovpn3_net_addr_equal(remote, &a.addr))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Refusing tunnel address %s: it is the VPN server's address", ip);
      return FALSE;
    }
  for (guint i = 0; i < self->addresses->len; i++)
    {
      StagedAddress *b = &g_array_index(self->addresses, StagedAddress, i);

      if (ovpn3_net_addr_equal(&b->addr, &a.addr) && b->prefix == a.prefix)
        return TRUE; /* already staged */
    }
  if (self->addresses->len >= OVPN3_NET_MAX_ADDRESSES)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Too many IP addresses (at most %d)", OVPN3_NET_MAX_ADDRESSES);
      return FALSE;
    }
  g_array_append_val(self->addresses, a);
  return TRUE;
}

gboolean
netcfg_device_set_remote(NetcfgDevice *self, const Ovpn3NetAddr *addr, GError **error)
{
  if (ovpn3_net_addr_is_forbidden(addr))
    {
      g_autofree char *shown = ovpn3_net_addr_to_string(addr);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Refusing VPN server address '%s' (loopback, unspecified, broadcast or "
                  "multicast)",
                  shown);
      return FALSE;
    }
  if (addr->family == AF_INET6)
    {
      self->remote6 = *addr;
      self->has_remote6 = TRUE;
    }
  else
    {
      self->remote4 = *addr;
      self->has_remote4 = TRUE;
    }
  return TRUE;
}

gboolean
netcfg_device_stage_remote(NetcfgDevice *self, GVariant *params, GError **error)
{
  const char *ip;
  gboolean ipv6;
  Ovpn3NetAddr addr;

  g_variant_get(params, "(&sb)", &ip, &ipv6);
  if (!ovpn3_net_parse_ip(ip, ipv6, &addr, error))
    return FALSE;
  return netcfg_device_set_remote(self, &addr, error);
}

gboolean
netcfg_device_stage_networks(NetcfgDevice *self, GVariant *params, GError **error)
{
  g_autoptr(GVariant) list = g_variant_get_child_value(params, 0);
  g_autoptr(GArray) staged = NULL;
  gsize n = g_variant_n_children(list);
  GVariantIter iter;
  const char *address;
  guint32 prefix;
  gint32 metric;
  gboolean ipv6, exclude;

  if (n > OVPN3_NET_MAX_ROUTES || self->networks->len + n > OVPN3_NET_MAX_ROUTES)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Too many routes: %" G_GSIZE_FORMAT " given, %u staged, at most %d", n,
                  self->networks->len, OVPN3_NET_MAX_ROUTES);
      return FALSE;
    }
  staged = g_array_sized_new(FALSE, TRUE, sizeof(Ovpn3NetNetwork), (guint) n);
  g_variant_iter_init(&iter, list);
  while (g_variant_iter_next(&iter, "(&suibb)", &address, &prefix, &metric, &ipv6, &exclude))
    {
      Ovpn3NetNetwork s
          = { .prefix = prefix, .metric = metric < 0 ? -1 : metric, .exclude = exclude };

      if (!ovpn3_net_parse_ip(address, ipv6, &s.net, error)
          || !ovpn3_net_check_route(&s.net, prefix, error))
        return FALSE;
      g_array_append_val(staged, s);
    }
  for (guint i = 0; i < staged->len; i++)
    {
      Ovpn3NetNetwork *s = &g_array_index(staged, Ovpn3NetNetwork, i);
      gboolean dup = FALSE;

      for (guint j = 0; j < self->networks->len && !dup; j++)
        {
          Ovpn3NetNetwork *t = &g_array_index(self->networks, Ovpn3NetNetwork, j);

          dup = ovpn3_net_addr_equal(&s->net, &t->net) && s->prefix == t->prefix
                && s->exclude == t->exclude;
        }
      if (!dup)
        g_array_append_val(self->networks, *s);
    }
  return TRUE;
}

gboolean
netcfg_device_stage_strings(GPtrArray *into, GVariant *params, guint max, gboolean dns_server,
                            GError **error)
{
  g_autofree const char **items = NULL;
  gsize n = 0;
  g_autoptr(GPtrArray) add = g_ptr_array_new_with_free_func(g_free);

  g_variant_get(params, "(^a&s)", &items);
  n = items != NULL ? g_strv_length((char **) items) : 0;
  if (n > max)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Too many %s (at most %u)",
                  dns_server ? "DNS servers" : "DNS search domains", max);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      gboolean dup = FALSE;
      char *value;

      if (dns_server)
        {
          Ovpn3NetAddr addr;

          if (!ovpn3_net_check_dns_server(items[i], &addr, error))
            {
              g_prefix_error(error, "DNS server: ");
              return FALSE;
            }
          value = ovpn3_net_addr_to_string(&addr);
        }
      else
        {
          /* "~name": routing-only (OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX) */
          gsize skip = g_str_has_prefix(items[i], OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX)
                           ? strlen(OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX)
                           : 0;

          if (!ovpn3_net_check_domain(items[i] + skip, error))
            return FALSE;
          value = g_ascii_strdown(items[i], -1);
        }
      for (guint j = 0; j < into->len && !dup; j++)
        dup = g_str_equal(into->pdata[j], value);
      for (guint j = 0; j < add->len && !dup; j++)
        dup = g_str_equal(add->pdata[j], value);
      if (dup)
        g_free(value);
      else
        g_ptr_array_add(add, value);
    }
  if (into->len + add->len > max)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Too many %s (at most %u)",
                  dns_server ? "DNS servers" : "DNS search domains", max);
      return FALSE;
    }
  for (guint i = 0; i < add->len; i++)
    g_ptr_array_add(into, g_steal_pointer(&add->pdata[i]));
  return TRUE;
}

gboolean
netcfg_device_stage_mode(char **field, GVariant *params, const char *const *allowed,
                         const char *what, GError **error)
{
  const char *mode;

  g_variant_get(params, "(&s)", &mode);
  if (!g_strv_contains(allowed, mode))
    {
      g_autofree char *shown = ovpn3_net_escape(mode);
      g_autofree char *list = g_strjoinv("', '", (char **) allowed);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid %s '%s' (one of '%s')",
                  what, shown, list);
      return FALSE;
    }
  g_free(*field);
  *field = g_strdup(mode);
  return TRUE;
}

/* After an Establish, the backend hands over a complete new set of
 * settings (e.g. after a reconnect with a new address): the first staging
 * call of that set drops the previous one, so the next Establish applies
 * exactly the new set. Properties (mtu, reroute_*, dns_scope…) stay. */
void
netcfg_device_start_new_round(NetcfgDevice *self)
{
  self->new_round = FALSE;
  g_array_set_size(self->addresses, 0);
  g_array_set_size(self->networks, 0);
  g_ptr_array_set_size(self->dns_servers, 0);
  g_ptr_array_set_size(self->dns_domains, 0);
  self->has_remote4 = self->has_remote6 = FALSE;
}
