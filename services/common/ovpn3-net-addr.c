#define G_LOG_DOMAIN "ovpn3-net-addr"

#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gio.h>

#include "ovpn3-escape.h"
#include "ovpn3-net-addr.h"
#include "ovpn3-net-limits.h"

char *
ovpn3_net_escape(const char *text)
{
  return ovpn3_escape_cut(text, OVPN3_NET_ESCAPE_MAX);
}

gboolean
ovpn3_net_parse_ip(const char *text, gboolean ipv6, Ovpn3NetAddr *out, GError **error)
{
  Ovpn3NetAddr addr = { 0 };
  gsize len = text != NULL ? strlen(text) : 0;

  addr.family = ipv6 ? AF_INET6 : AF_INET;
  /* inet_pton accepts neither spaces, scope ids, prefixes nor leading
   * zeros in IPv4 quads; the length check is belt and braces */
  if (len == 0 || len >= OVPN3_NET_IP_STRING_MAX || inet_pton(addr.family, text, addr.bytes) != 1)
    {
      g_autofree char *shown = ovpn3_net_escape(text);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid %s address '%s'",
                  ipv6 ? "IPv6" : "IPv4", shown);
      return FALSE;
    }
  *out = addr;
  return TRUE;
}

gboolean
ovpn3_net_parse_ip_any(const char *text, Ovpn3NetAddr *out, GError **error)
{
  return ovpn3_net_parse_ip(text, text != NULL && strchr(text, ':') != NULL, out, error);
}

char *
ovpn3_net_addr_to_string(const Ovpn3NetAddr *addr)
{
  char buf[INET6_ADDRSTRLEN];

  if (inet_ntop(addr->family, addr->bytes, buf, sizeof buf) == NULL)
    return g_strdup("?");
  return g_strdup(buf);
}

gboolean
ovpn3_net_addr_equal(const Ovpn3NetAddr *a, const Ovpn3NetAddr *b)
{
  return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == AF_INET6 ? 16 : 4) == 0;
}

guint
ovpn3_net_addr_max_prefix(const Ovpn3NetAddr *addr)
{
  return addr->family == AF_INET6 ? 128 : 32;
}

void
ovpn3_net_addr_mask(Ovpn3NetAddr *addr, guint prefix)
{
  guint max = ovpn3_net_addr_max_prefix(addr);

  for (guint bit = prefix; bit < max; bit++)
    addr->bytes[bit / 8] &= (guint8) ~(0x80u >> (bit % 8));
}

gboolean
ovpn3_net_addr_in_network(const Ovpn3NetAddr *addr, const Ovpn3NetAddr *net, guint prefix)
{
  Ovpn3NetAddr a = *addr, n = *net;

  if (addr->family != net->family || prefix > ovpn3_net_addr_max_prefix(addr))
    return FALSE;
  ovpn3_net_addr_mask(&a, prefix);
  ovpn3_net_addr_mask(&n, prefix);
  return ovpn3_net_addr_equal(&a, &n);
}

gboolean
ovpn3_net_prefixes_overlap(const Ovpn3NetAddr *a, guint prefix_a, const Ovpn3NetAddr *b,
                           guint prefix_b)
{
  /* two prefixes overlap iff the shorter one contains the other's network */
  if (prefix_a <= prefix_b)
    return ovpn3_net_addr_in_network(b, a, prefix_a);
  return ovpn3_net_addr_in_network(a, b, prefix_b);
}

gint
ovpn3_net_netmask_to_prefix(const char *netmask)
{
  Ovpn3NetAddr a;
  guint32 v, inv;

  if (!ovpn3_net_parse_ip(netmask, FALSE, &a, NULL))
    return -1;
  v = ((guint32) a.bytes[0] << 24) | ((guint32) a.bytes[1] << 16) | ((guint32) a.bytes[2] << 8)
      | a.bytes[3];
  /* contiguous: the inverted mask is of the form 0…01…1 */
  inv = ~v;
  if ((inv & (inv + 1)) != 0)
    return -1;
  return __builtin_popcount(v);
}
