#define G_LOG_DOMAIN "ovpn3-netcfg-validate"

#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "netcfg-validate.h"

#define ESCAPE_MAX 64

char *
netcfg_escape(const char *text)
{
  g_autofree char *cut = NULL;
  g_autofree char *escaped = NULL;
  gsize len;

  if (text == NULL)
    return g_strdup("(null)");
  len = strlen(text);
  cut = g_strndup(text, MIN(len, ESCAPE_MAX));
  escaped = g_strescape(cut, NULL);
  if (len > ESCAPE_MAX)
    return g_strconcat(escaped, "…", NULL);
  return g_steal_pointer(&escaped);
}

static gboolean invalid(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
invalid(GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, message);
  return FALSE;
}

gboolean
netcfg_parse_ip(const char *text, gboolean ipv6, NetcfgAddr *out, GError **error)
{
  NetcfgAddr addr = { 0 };
  gsize len = text != NULL ? strlen(text) : 0;

  addr.family = ipv6 ? AF_INET6 : AF_INET;
  /* inet_pton accepts neither spaces, scope ids, prefixes nor leading
   * zeros in IPv4 quads; the length check is belt and braces */
  if (len == 0 || len >= NETCFG_IP_STRING_MAX || inet_pton(addr.family, text, addr.bytes) != 1)
    {
      g_autofree char *shown = netcfg_escape(text);
      return invalid(error, "Invalid %s address '%s'", ipv6 ? "IPv6" : "IPv4", shown);
    }
  *out = addr;
  return TRUE;
}

gboolean
netcfg_parse_ip_any(const char *text, NetcfgAddr *out, GError **error)
{
  if (text != NULL && strchr(text, ':') != NULL)
    return netcfg_parse_ip(text, TRUE, out, error);
  return netcfg_parse_ip(text, FALSE, out, error);
}

char *
netcfg_addr_to_string(const NetcfgAddr *addr)
{
  char buf[INET6_ADDRSTRLEN];

  if (inet_ntop(addr->family, addr->bytes, buf, sizeof buf) == NULL)
    return g_strdup("?");
  return g_strdup(buf);
}

gboolean
netcfg_addr_equal(const NetcfgAddr *a, const NetcfgAddr *b)
{
  return a->family == b->family && memcmp(a->bytes, b->bytes, a->family == AF_INET6 ? 16 : 4) == 0;
}

guint
netcfg_addr_max_prefix(const NetcfgAddr *addr)
{
  return addr->family == AF_INET6 ? 128 : 32;
}

void
netcfg_addr_mask(NetcfgAddr *addr, guint prefix)
{
  guint max = netcfg_addr_max_prefix(addr);

  for (guint bit = prefix; bit < max; bit++)
    addr->bytes[bit / 8] &= (guint8) ~(0x80u >> (bit % 8));
}

gboolean
netcfg_addr_in_network(const NetcfgAddr *addr, const NetcfgAddr *net, guint prefix)
{
  NetcfgAddr a = *addr, n = *net;

  if (addr->family != net->family || prefix > netcfg_addr_max_prefix(addr))
    return FALSE;
  netcfg_addr_mask(&a, prefix);
  netcfg_addr_mask(&n, prefix);
  return netcfg_addr_equal(&a, &n);
}

gboolean
netcfg_addr_is_forbidden(const NetcfgAddr *addr)
{
  const guint8 *b = addr->bytes;

  if (addr->family == AF_INET)
    {
      return b[0] == 0                                                      /* 0.0.0.0/8 */
             || b[0] == 127                                                 /* loopback */
             || (b[0] & 0xf0) == 0xe0                                       /* multicast 224/4 */
             || (b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255); /* broadcast */
    }
  else
    {
      static const guint8 zero[16] = { 0 };

      if (memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
        return TRUE;       /* :: and ::1 */
      return b[0] == 0xff; /* multicast ff00::/8 */
    }
}

static const char *
family_name(const NetcfgAddr *addr)
{
  return addr->family == AF_INET6 ? "IPv6" : "IPv4";
}

gboolean
netcfg_check_tunnel_address(const NetcfgAddr *addr, guint prefix, GError **error)
{
  g_autofree char *shown = netcfg_addr_to_string(addr);

  if (prefix < 1 || prefix > netcfg_addr_max_prefix(addr))
    return invalid(error, "Invalid %s prefix size %u for '%s'", family_name(addr), prefix, shown);
  if (netcfg_addr_is_forbidden(addr))
    return invalid(error,
                   "Refusing %s tunnel address '%s' (loopback, unspecified, broadcast "
                   "or multicast)",
                   family_name(addr), shown);
  return TRUE;
}

gboolean
netcfg_check_route(const NetcfgAddr *net, guint prefix, GError **error)
{
  g_autofree char *shown = netcfg_addr_to_string(net);
  NetcfgAddr masked = *net;

  if (prefix > netcfg_addr_max_prefix(net))
    return invalid(error, "Invalid %s prefix size %u for '%s'", family_name(net), prefix, shown);
  if (prefix < 2)
    return invalid(error,
                   "Refusing route %s/%u: the default route comes only from "
                   "reroute_ipv4/reroute_ipv6",
                   shown, prefix);
  netcfg_addr_mask(&masked, prefix);
  if (!netcfg_addr_equal(&masked, net))
    return invalid(error, "Invalid route %s/%u: host bits set", shown, prefix);
  if (netcfg_addr_is_forbidden(net))
    return invalid(error, "Refusing route %s/%u (loopback, unspecified, broadcast or multicast)",
                   shown, prefix);
  return TRUE;
}

gboolean
netcfg_check_domain(const char *name, GError **error)
{
  gsize len = name != NULL ? strlen(name) : 0;
  gsize label = 0;
  g_autofree char *shown = NULL;

  if (len == 0 || len > NETCFG_DOMAIN_MAX + 1
      || (len == NETCFG_DOMAIN_MAX + 1 && name[len - 1] != '.'))
    goto bad;
  for (gsize i = 0; i < len; i++)
    {
      char c = name[i];

      if (c == '.')
        {
          /* empty label, or a label ending in '-' */
          if (label == 0 || name[i - 1] == '-')
            goto bad;
          label = 0;
          continue;
        }
      if (!g_ascii_isalnum(c) && c != '-')
        goto bad;
      if (c == '-' && label == 0)
        goto bad;
      if (++label > NETCFG_LABEL_MAX)
        goto bad;
    }
  if (name[len - 1] == '-')
    goto bad;
  return TRUE;

bad:
  shown = netcfg_escape(name);
  return invalid(error,
                 "Invalid DNS search domain '%s' (letters, digits and '-' in dot-separated "
                 "labels of at most %d bytes, at most %d bytes in all)",
                 shown, NETCFG_LABEL_MAX, NETCFG_DOMAIN_MAX);
}

gboolean
netcfg_check_ifname_prefix(const char *prefix, GError **error)
{
  gsize len = prefix != NULL ? strlen(prefix) : 0;

  if (len >= 1 && len <= NETCFG_IFNAME_PREFIX_MAX)
    {
      gsize i;

      for (i = 0; i < len; i++)
        if (!g_ascii_isalnum(prefix[i]) && prefix[i] != '_')
          break;
      if (i == len)
        return TRUE;
    }
  {
    g_autofree char *shown = netcfg_escape(prefix);

    return invalid(error,
                   "Invalid device name '%s' (1 to %d letters, digits or '_'; an index is "
                   "appended)",
                   shown, NETCFG_IFNAME_PREFIX_MAX);
  }
}
