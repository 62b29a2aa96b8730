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

static void
add_int(JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_int_value(b, value);
}

static void
add_string(JsonBuilder *b, const char *name, const char *value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_string_value(b, value);
}

static void
add_bool(JsonBuilder *b, const char *name, gboolean value)
{
  json_builder_set_member_name(b, name);
  json_builder_add_boolean_value(b, value);
}

static void
add_strings(JsonBuilder *b, const char *name, GPtrArray *list)
{
  json_builder_set_member_name(b, name);
  json_builder_begin_array(b);
  for (guint i = 0; i < list->len; i++)
    json_builder_add_string_value(b, list->pdata[i]);
  json_builder_end_array(b);
}

/* One applied route; the interface only outside the tunnel (through the
 * tunnel it is the device). */
static void
add_route(JsonBuilder *b, const NetcfgRoute *route, gboolean with_oif)
{
  g_autofree char *dst = ovpn3_net_addr_to_string(&route->dst);

  json_builder_begin_object(b);
  add_string(b, "dst", dst);
  add_int(b, "prefix", route->prefix);
  if (route->has_gateway)
    {
      g_autofree char *gw = ovpn3_net_addr_to_string(&route->gateway);

      add_string(b, "gateway", gw);
    }
  if (with_oif)
    add_int(b, "oif", route->oif);
  add_int(b, "metric", route->metric);
  json_builder_end_object(b);
}

static void
add_routes(JsonBuilder *b, NetcfgDevice *self, gboolean uplink)
{
  json_builder_set_member_name(b, uplink ? "uplink_routes" : "tunnel_routes");
  json_builder_begin_array(b);
  for (guint i = 0; i < self->applied_routes->len; i++)
    {
      AppliedRoute *r = &g_array_index(self->applied_routes, AppliedRoute, i);

      if (r->uplink == uplink)
        add_route(b, &r->route, uplink);
    }
  json_builder_end_array(b);
}

static void
add_addresses(JsonBuilder *b, NetcfgDevice *self)
{
  json_builder_set_member_name(b, "addresses");
  json_builder_begin_array(b);
  for (guint i = 0; i < self->applied_addresses->len; i++)
    {
      StagedAddress *a = &g_array_index(self->applied_addresses, StagedAddress, i);
      g_autofree char *addr = ovpn3_net_addr_to_string(&a->addr);

      json_builder_begin_object(b);
      add_string(b, "addr", addr);
      add_int(b, "prefix", a->prefix);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
}

/* What adopting the device after netcfg's own crash needs
 * (netcfg-device-adopt.c): its creator, its properties, what is applied. */
static void
add_adoption(JsonBuilder *b, NetcfgDevice *self)
{
  add_string(b, "creator", self->creator);
  add_int(b, "creator_pid", self->creator_pid);
  if (self->has_creator_start && self->creator_start <= G_MAXINT64)
    add_int(b, "creator_start", (gint64) self->creator_start);
  add_int(b, "owner", self->owner);
  add_int(b, "session_owner", self->session_owner);
  add_int(b, "engine_uid", self->engine_uid);
  add_int(b, "layer", self->layer);
  add_int(b, "mtu", self->mtu);
  add_int(b, "txqueuelen", self->txqueuelen);
  add_bool(b, "reroute_ipv4", self->reroute_ipv4);
  add_bool(b, "reroute_ipv6", self->reroute_ipv6);
  add_string(b, "dns_scope", self->dns_scope);
  add_bool(b, "established", self->established);
  add_addresses(b, self);
  add_routes(b, self, FALSE);
  add_strings(b, "dns_servers", self->applied_servers);
  add_strings(b, "dns_domains", self->applied_domains);
  add_bool(b, "dns_global", self->applied_full_tunnel);
}

JsonNode *
netcfg_device_to_state(NetcfgDevice *self)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->ifindex <= 0)
    return NULL;
  b = json_builder_new();
  json_builder_begin_object(b);
  add_string(b, "name", self->name);
  add_string(b, "path", self->path);
  add_int(b, "ifindex", self->ifindex);
  add_string(b, "dns",
             self->dns_mode == DNS_RESOLVED     ? "resolved"
             : self->dns_mode == DNS_RESOLVCONF ? "resolvconf"
                                                : "none");
  add_routes(b, self, TRUE);
  add_adoption(b, self);
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
  /* routing-only domains are not searched: not part of the host's search list */
  for (guint i = 0; i < self->applied_domains->len; i++)
    if (!g_str_has_prefix(self->applied_domains->pdata[i], OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX))
      g_ptr_array_add(domains, g_strdup(self->applied_domains->pdata[i]));
}
