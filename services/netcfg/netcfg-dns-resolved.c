#define G_LOG_DOMAIN "ovpn3-netcfg-resolved"

#include "config.h"

#include <sys/socket.h>

#include "netcfg-dns-resolved.h"
#include "netcfg-validate.h"

#define RESOLVED_TIMEOUT_MS 5000

gboolean
netcfg_resolved_available(GDBusConnection *connection)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  reply = g_dbus_connection_call_sync(
      connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "NameHasOwner", g_variant_new("(s)", NETCFG_RESOLVED_BUS_NAME), G_VARIANT_TYPE("(b)"),
      G_DBUS_CALL_FLAGS_NONE, RESOLVED_TIMEOUT_MS, NULL, NULL);
  if (reply != NULL)
    g_variant_get(reply, "(b)", &has_owner);
  return has_owner;
}

static gboolean
call(GDBusConnection *connection, const char *method, GVariant *args, GError **error)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync(
      connection, NETCFG_RESOLVED_BUS_NAME, NETCFG_RESOLVED_PATH, NETCFG_RESOLVED_INTERFACE, method,
      args, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, RESOLVED_TIMEOUT_MS, NULL, error);
  if (reply == NULL)
    {
      g_prefix_error(error, "systemd-resolved %s: ", method);
      return FALSE;
    }
  return TRUE;
}

gboolean
netcfg_resolved_apply(GDBusConnection *connection, int ifindex, GPtrArray *servers,
                      GPtrArray *domains, gboolean full_tunnel, const char *dnssec,
                      const char *transport, GError **error)
{
  GVariantBuilder dns, doms;

  g_variant_builder_init(&dns, G_VARIANT_TYPE("a(iay)"));
  for (guint i = 0; i < servers->len; i++)
    {
      NetcfgAddr addr;

      if (!netcfg_parse_ip_any(servers->pdata[i], &addr, error))
        return FALSE;
      g_variant_builder_add(&dns, "(i@ay)", addr.family,
                            g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, addr.bytes,
                                                      addr.family == AF_INET6 ? 16 : 4, 1));
    }
  g_variant_builder_init(&doms, G_VARIANT_TYPE("a(sb)"));
  for (guint i = 0; i < domains->len; i++)
    g_variant_builder_add(&doms, "(sb)", (const char *) domains->pdata[i], !full_tunnel);
  if (full_tunnel)
    g_variant_builder_add(&doms, "(sb)", ".", TRUE);

  if (!call(connection, "SetLinkDNS", g_variant_new("(ia(iay))", ifindex, &dns), error))
    {
      g_variant_builder_clear(&doms);
      return FALSE;
    }
  if (!call(connection, "SetLinkDomains", g_variant_new("(ia(sb))", ifindex, &doms), error))
    return FALSE;
  if (!call(connection, "SetLinkDefaultRoute", g_variant_new("(ib)", ifindex, full_tunnel), error))
    return FALSE;
  if (g_strcmp0(dnssec, "unset") != 0)
    {
      const char *mode = g_str_equal(dnssec, "optional") ? "allow-downgrade" : dnssec;

      if (!call(connection, "SetLinkDNSSEC", g_variant_new("(is)", ifindex, mode), error))
        return FALSE;
    }
  if (g_strcmp0(transport, "unset") != 0)
    {
      const char *mode = g_str_equal(transport, "dot") ? "yes" : "no";

      if (!call(connection, "SetLinkDNSOverTLS", g_variant_new("(is)", ifindex, mode), error))
        return FALSE;
    }
  return TRUE;
}

gboolean
netcfg_resolved_revert(GDBusConnection *connection, int ifindex, GError **error)
{
  return call(connection, "RevertLink", g_variant_new("(i)", ifindex), error);
}
