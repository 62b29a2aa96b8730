#define G_LOG_DOMAIN "ovpn3-netcfg-device"

#include "config.h"

#include <sys/socket.h>

#include "netcfg-device-private.h"
#include "ovpn3-names.h"

/* ---- NetworkChange notifications --------------------------------------- */

static const char *
ip_version(const Ovpn3NetAddr *addr)
{
  return addr->family == AF_INET6 ? "6" : "4";
}

void
netcfg_device_notify_address(NetcfgDevice *self, const StagedAddress *a, gboolean added)
{
  g_autofree char *ip = ovpn3_net_addr_to_string(&a->addr);
  g_autofree char *prefix = g_strdup_printf("%u", a->prefix);
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&b, "{ss}", "ip_version", ip_version(&a->addr));
  g_variant_builder_add(&b, "{ss}", "ip_address", ip);
  g_variant_builder_add(&b, "{ss}", "prefix", prefix);
  g_variant_builder_add(&b, "{ss}", "prefix_size", prefix);
  netcfg_manager_notify(self->manager, self->path, self->name,
                        added ? OVPN3_NETCFG_CHANGE_IPADDR_ADDED
                              : OVPN3_NETCFG_CHANGE_IPADDR_REMOVED,
                        g_variant_builder_end(&b));
}

void
netcfg_device_notify_route(NetcfgDevice *self, const AppliedRoute *r, gboolean added)
{
  g_autofree char *subnet = ovpn3_net_addr_to_string(&r->route.dst);
  g_autofree char *prefix = g_strdup_printf("%u", r->route.prefix);
  g_autofree char *gw
      = r->route.has_gateway ? ovpn3_net_addr_to_string(&r->route.gateway) : g_strdup("");
  GVariantBuilder b;
  Ovpn3NetcfgChangeType type;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&b, "{ss}", "ip_version", ip_version(&r->route.dst));
  g_variant_builder_add(&b, "{ss}", "subnet", subnet);
  g_variant_builder_add(&b, "{ss}", "prefix", prefix);
  g_variant_builder_add(&b, "{ss}", "prefix_size", prefix);
  if (added)
    g_variant_builder_add(&b, "{ss}", "gateway", gw);
  if (!added)
    type = OVPN3_NETCFG_CHANGE_ROUTE_REMOVED;
  else if (r->exclude)
    type = OVPN3_NETCFG_CHANGE_ROUTE_EXCLUDED;
  else
    type = OVPN3_NETCFG_CHANGE_ROUTE_ADDED;
  netcfg_manager_notify(self->manager, self->path, self->name, type, g_variant_builder_end(&b));
}

void
netcfg_device_notify_dns(NetcfgDevice *self, gboolean added)
{
  for (guint i = 0; i < self->applied_servers->len; i++)
    {
      GVariantBuilder b;

      g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
      g_variant_builder_add(&b, "{ss}", "dns_server",
                            (const char *) self->applied_servers->pdata[i]);
      netcfg_manager_notify(self->manager, self->path, self->name,
                            added ? OVPN3_NETCFG_CHANGE_DNS_SERVER_ADDED
                                  : OVPN3_NETCFG_CHANGE_DNS_SERVER_REMOVED,
                            g_variant_builder_end(&b));
    }
  for (guint i = 0; i < self->applied_domains->len; i++)
    {
      GVariantBuilder b;

      g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
      g_variant_builder_add(&b, "{ss}", "search_domain",
                            (const char *) self->applied_domains->pdata[i]);
      netcfg_manager_notify(self->manager, self->path, self->name,
                            added ? OVPN3_NETCFG_CHANGE_DNS_SEARCH_ADDED
                                  : OVPN3_NETCFG_CHANGE_DNS_SEARCH_REMOVED,
                            g_variant_builder_end(&b));
    }
}

void
netcfg_device_notify_device(NetcfgDevice *self, gboolean added)
{
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  netcfg_manager_notify(self->manager, self->path, self->name,
                        added ? OVPN3_NETCFG_CHANGE_DEVICE_ADDED
                              : OVPN3_NETCFG_CHANGE_DEVICE_REMOVED,
                        g_variant_builder_end(&b));
}

/* ---- state and DNS aggregation ----------------------------------------- */

JsonNode *
netcfg_device_to_state(NetcfgDevice *self)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->ifindex <= 0)
    return NULL;
  b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, self->name);
  json_builder_set_member_name(b, "path");
  json_builder_add_string_value(b, self->path);
  json_builder_set_member_name(b, "ifindex");
  json_builder_add_int_value(b, self->ifindex);
  json_builder_set_member_name(b, "dns");
  json_builder_add_string_value(b, self->dns_mode == DNS_RESOLVED     ? "resolved"
                                   : self->dns_mode == DNS_RESOLVCONF ? "resolvconf"
                                                                      : "none");
  json_builder_set_member_name(b, "uplink_routes");
  json_builder_begin_array(b);
  for (guint i = 0; i < self->applied_routes->len; i++)
    {
      AppliedRoute *r = &g_array_index(self->applied_routes, AppliedRoute, i);
      g_autofree char *dst = NULL;

      if (!r->uplink)
        continue;
      dst = ovpn3_net_addr_to_string(&r->route.dst);
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "dst");
      json_builder_add_string_value(b, dst);
      json_builder_set_member_name(b, "prefix");
      json_builder_add_int_value(b, r->route.prefix);
      if (r->route.has_gateway)
        {
          g_autofree char *gw = ovpn3_net_addr_to_string(&r->route.gateway);

          json_builder_set_member_name(b, "gateway");
          json_builder_add_string_value(b, gw);
        }
      json_builder_set_member_name(b, "oif");
      json_builder_add_int_value(b, r->route.oif);
      json_builder_set_member_name(b, "metric");
      json_builder_add_int_value(b, r->route.metric);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

gboolean
netcfg_device_collect_resolvconf(NetcfgDevice *self, GPtrArray *servers, GPtrArray *domains,
                                 gboolean *full_tunnel)
{
  if (self->dns_mode != DNS_RESOLVCONF)
    return FALSE;
  for (guint i = 0; i < self->applied_servers->len; i++)
    g_ptr_array_add(servers, g_strdup(self->applied_servers->pdata[i]));
  for (guint i = 0; i < self->applied_domains->len; i++)
    g_ptr_array_add(domains, g_strdup(self->applied_domains->pdata[i]));
  if (self->applied_full_tunnel)
    *full_tunnel = TRUE;
  return TRUE;
}

void
netcfg_device_collect_global_dns(NetcfgDevice *self, GPtrArray *servers, GPtrArray *domains)
{
  if (self->dns_mode == DNS_NONE || !self->applied_full_tunnel)
    return;
  for (guint i = 0; i < self->applied_servers->len; i++)
    g_ptr_array_add(servers, g_strdup(self->applied_servers->pdata[i]));
  for (guint i = 0; i < self->applied_domains->len; i++)
    g_ptr_array_add(domains, g_strdup(self->applied_domains->pdata[i]));
}
