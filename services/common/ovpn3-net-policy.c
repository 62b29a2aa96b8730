#define G_LOG_DOMAIN "ovpn3-net-policy"

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "ovpn3-net-policy.h"

typedef struct
{
  Ovpn3NetAddr net;
  guint prefix;
} Range;

/* docs/architecture.md §6: the targets nobody may push */
static const Range forbidden[] = {
  { { AF_INET, { 0 } }, 8 },                   /* 0.0.0.0/8, "this network" */
  { { AF_INET, { 127 } }, 8 },                 /* loopback */
  { { AF_INET, { 224 } }, 4 },                 /* multicast */
  { { AF_INET, { 255, 255, 255, 255 } }, 32 }, /* broadcast */
  { { AF_INET6, { 0 } }, 128 },                /* :: */
  { { AF_INET6, { [15] = 1 } }, 128 },         /* ::1 */
  { { AF_INET6, { 0xff } }, 8 },               /* multicast */
};

gboolean
ovpn3_net_addr_is_forbidden(const Ovpn3NetAddr *addr)
{
  for (guint i = 0; i < G_N_ELEMENTS(forbidden); i++)
    {
      if (ovpn3_net_addr_in_network(addr, &forbidden[i].net, forbidden[i].prefix))
        return TRUE;
    }
  return FALSE;
}

gboolean
ovpn3_net_route_is_forbidden(const Ovpn3NetAddr *net, guint prefix)
{
  for (guint i = 0; i < G_N_ELEMENTS(forbidden); i++)
    {
      const Range *r = &forbidden[i];

      if (r->net.family == net->family
          && ovpn3_net_prefixes_overlap(net, prefix, &r->net, r->prefix))
        return TRUE;
    }
  return FALSE;
}

Ovpn3NetRouteVerdict
ovpn3_net_route_verdict(const Ovpn3NetAddr *net, guint prefix)
{
  Ovpn3NetAddr masked = *net;

  if (prefix > ovpn3_net_addr_max_prefix(net))
    return OVPN3_NET_ROUTE_BAD_PREFIX;
  /* the default route and its halves come only from redirect-gateway */
  if (prefix < 2)
    return OVPN3_NET_ROUTE_DEFAULT;
  ovpn3_net_addr_mask(&masked, prefix);
  if (!ovpn3_net_addr_equal(&masked, net))
    return OVPN3_NET_ROUTE_HOST_BITS;
  if (ovpn3_net_route_is_forbidden(net, prefix))
    return OVPN3_NET_ROUTE_FORBIDDEN;
  return OVPN3_NET_ROUTE_OK;
}

static const char *
family_name(const Ovpn3NetAddr *addr)
{
  return addr->family == AF_INET6 ? "IPv6" : "IPv4";
}

gboolean
ovpn3_net_check_route(const Ovpn3NetAddr *net, guint prefix, GError **error)
{
  g_autofree char *shown = ovpn3_net_addr_to_string(net);
  GQuark d = G_DBUS_ERROR;
  gint c = G_DBUS_ERROR_INVALID_ARGS;

  switch (ovpn3_net_route_verdict(net, prefix))
    {
      case OVPN3_NET_ROUTE_OK:
        return TRUE;
      case OVPN3_NET_ROUTE_BAD_PREFIX:
        g_set_error(error, d, c, "Invalid %s prefix size %u for '%s'", family_name(net), prefix,
                    shown);
        return FALSE;
      case OVPN3_NET_ROUTE_DEFAULT:
        g_set_error(error, d, c,
                    "Refusing route %s/%u: the default route comes only from "
                    "reroute_ipv4/reroute_ipv6",
                    shown, prefix);
        return FALSE;
      case OVPN3_NET_ROUTE_HOST_BITS:
        g_set_error(error, d, c, "Invalid route %s/%u: host bits set", shown, prefix);
        return FALSE;
      case OVPN3_NET_ROUTE_FORBIDDEN:
      default:
        g_set_error(error, d, c,
                    "Refusing route %s/%u (loopback, unspecified, broadcast or multicast)", shown,
                    prefix);
        return FALSE;
    }
}

gboolean
ovpn3_net_is_ipv6_redirect_piece(const Ovpn3NetAddr *net, guint prefix)
{
  const guint8 *b = net->bytes;
  static const guint8 zero[16] = { 0 };

  if (net->family != AF_INET6 || memcmp(b + 1, zero, 15) != 0)
    return FALSE;
  return (prefix == 3 && b[0] == 0) || (prefix == 4 && (b[0] == 0x20 || b[0] == 0x30))
         || (prefix == 7 && b[0] == 0xfc);
}

gboolean
ovpn3_net_check_tunnel_address(const Ovpn3NetAddr *addr, guint prefix, GError **error)
{
  g_autofree char *shown = ovpn3_net_addr_to_string(addr);

  if (prefix < 1 || prefix > ovpn3_net_addr_max_prefix(addr))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Invalid %s prefix size %u for '%s'", family_name(addr), prefix, shown);
      return FALSE;
    }
  if (ovpn3_net_addr_is_forbidden(addr))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Refusing %s tunnel address '%s' (loopback, unspecified, broadcast "
                  "or multicast)",
                  family_name(addr), shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
ovpn3_net_dns_server_usable(const Ovpn3NetAddr *addr)
{
  static const guint8 zero[16] = { 0 };

  if (addr->family == AF_INET6)
    return memcmp(addr->bytes, zero, 16) != 0 && addr->bytes[0] != 0xff;
  return memcmp(addr->bytes, zero, 4) != 0 && (addr->bytes[0] & 0xf0) != 0xe0;
}

gboolean
ovpn3_net_check_dns_server(const char *text, Ovpn3NetAddr *out, GError **error)
{
  if (!ovpn3_net_parse_ip_any(text, out, error))
    return FALSE;
  if (!ovpn3_net_dns_server_usable(out))
    {
      g_autofree char *shown = ovpn3_net_addr_to_string(out);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Refusing DNS server '%s' (unspecified or multicast)", shown);
      return FALSE;
    }
  return TRUE;
}

gboolean
ovpn3_net_is_ldh_domain(const char *name)
{
  gsize len = name != NULL ? strlen(name) : 0, label = 0;

  /* no trailing dot: see the decision in ovpn3-net-policy.h */
  if (len == 0 || len > OVPN3_NET_DOMAIN_MAX)
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
      if ((!g_ascii_isalnum(c) && c != '-') || (c == '-' && label == 0))
        return FALSE;
      if (++label > OVPN3_NET_LABEL_MAX)
        return FALSE;
    }
  return label > 0 && name[len - 1] != '-';
}

gboolean
ovpn3_net_check_domain(const char *name, GError **error)
{
  g_autofree char *shown = NULL;

  if (ovpn3_net_is_ldh_domain(name))
    return TRUE;
  shown = ovpn3_net_escape(name);
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
              "Invalid DNS search domain '%s' (letters, digits and '-' in dot-separated "
              "labels of at most %d bytes, at most %d bytes in all, no final dot)",
              shown, OVPN3_NET_LABEL_MAX, OVPN3_NET_DOMAIN_MAX);
  return FALSE;
}
