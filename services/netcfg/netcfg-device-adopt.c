#define G_LOG_DOMAIN "ovpn3-netcfg-device"

#include "config.h"

#include <sys/socket.h>

#include "netcfg-creator.h"
#include "netcfg-device-private.h"
#include "netcfg-dns-resolvconf.h"
#include "netcfg-state.h"
#include "netcfg-tun.h"
#include "ovpn3-engine.h"
#include "ovpn3-names.h"
#include "ovpn3-net-policy.h"

/* After netcfg's own crash: a recorded device whose creator is still alive
 * (netcfg-creator.h) is exported again at its path, with its creator,
 * owner, properties and what was applied, and its creator is watched
 * again. The record is root's (netcfg-store.h), still every member is
 * checked as if a stranger wrote it: anything wrong and the device is not
 * adopted, but removed as before (netcfg-state.h). */

typedef struct
{
  NetcfgManager *manager;
  guint adopted;
  gboolean resolvconf; /* an adopted device has its DNS in resolv.conf */
} Adoption;

static gboolean
member_bool(JsonObject *o, const char *key, gboolean *out)
{
  JsonNode *node = json_object_get_member(o, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)
      || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    return FALSE;
  *out = json_node_get_boolean(node);
  return TRUE;
}

static gboolean
member_u32(JsonObject *o, const char *key, gint64 min, gint64 max, guint32 *out)
{
  gint64 value = 0;

  if (!netcfg_state_member_int(o, key, TRUE, min, max, &value))
    return FALSE;
  *out = (guint32) value;
  return TRUE;
}

static gboolean
refuse(char **why, const char *what)
{
  *why = g_strdup_printf("the record has no valid %s", what);
  return FALSE;
}

/* Who made it, and whether that process is still the one on the bus. */
static gboolean
parse_creator(NetcfgDevice *d, JsonObject *o, char **why)
{
  const char *creator = netcfg_state_member_string(o, "creator");
  gint64 start = 0;

  if (creator == NULL || !g_dbus_is_unique_name(creator))
    return refuse(why, "creator");
  if (!member_u32(o, "creator_pid", 1, G_MAXINT32, &d->creator_pid))
    return refuse(why, "creator PID");
  /* recorded by a netcfg that did not record it: not adoptable */
  if (!netcfg_state_member_int(o, "creator_start", TRUE, 0, G_MAXINT64, &start))
    return refuse(why, "creator start time");
  d->creator = g_strdup(creator);
  d->creator_start = (guint64) start;
  d->has_creator_start = TRUE;
  if (!member_u32(o, "owner", 0, G_MAXUINT32, &d->owner)
      || !member_u32(o, "session_owner", 0, G_MAXUINT32, &d->session_owner))
    return refuse(why, "owner");
  return netcfg_creator_is_alive(netcfg_manager_get_context(d->manager)->connection, creator,
                                 d->creator_pid, d->creator_start, why);
}

static gboolean
parse_properties(NetcfgDevice *d, JsonObject *o, char **why)
{
  static const char *const scopes[] = { "global", "tunnel", NULL };
  const char *scope = netcfg_state_member_string(o, "dns_scope");
  guint32 value = 0;

  if (!member_u32(o, "layer", NETCFG_LAYER_TAP, NETCFG_LAYER_TUN, &d->layer))
    return refuse(why, "layer");
  if (!member_u32(o, "mtu", OVPN3_NET_MTU_MIN, OVPN3_NET_MTU_MAX, &value))
    return refuse(why, "MTU");
  d->mtu = (guint16) value;
  if (!member_u32(o, "txqueuelen", 0, G_MAXUINT16, &value))
    return refuse(why, "txqueuelen");
  d->txqueuelen = (guint16) value;
  if (!member_u32(o, "engine_uid", 0, G_MAXUINT32, &d->engine_uid)
      || (d->engine_uid != G_MAXUINT32 && !ovpn3_engine_uid_in_range(d->engine_uid)))
    return refuse(why, "engine UID");
  if (!member_bool(o, "reroute_ipv4", &d->reroute_ipv4)
      || !member_bool(o, "reroute_ipv6", &d->reroute_ipv6))
    return refuse(why, "reroute flags");
  if (scope == NULL || !g_strv_contains(scopes, scope))
    return refuse(why, "DNS scope");
  g_free(d->dns_scope);
  d->dns_scope = g_strdup(scope);
  if (!member_bool(o, "established", &d->established))
    return refuse(why, "established flag");
  return TRUE;
}

static JsonArray *
member_array(JsonObject *o, const char *key, guint max)
{
  JsonNode *node = json_object_get_member(o, key);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node)
      || json_array_get_length(json_node_get_array(node)) > max)
    return NULL;
  return json_node_get_array(node);
}

/* The tunnel's addresses, as AddIPAddress accepts them. */
static gboolean
parse_addresses(NetcfgDevice *d, JsonObject *o, char **why)
{
  JsonArray *array = member_array(o, "addresses", OVPN3_NET_MAX_ADDRESSES);

  if (array == NULL)
    return refuse(why, "addresses");
  for (guint i = 0; i < json_array_get_length(array); i++)
    {
      JsonNode *node = json_array_get_element(array, i);
      JsonObject *a = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
      const char *text = a != NULL ? netcfg_state_member_string(a, "addr") : NULL;
      StagedAddress s = { 0 };
      gint64 prefix = 0;

      if (text == NULL || !ovpn3_net_parse_ip_any(text, &s.addr, NULL)
          || !netcfg_state_member_int(a, "prefix", TRUE, 0, ovpn3_net_addr_max_prefix(&s.addr),
                                      &prefix)
          || !ovpn3_net_check_tunnel_address(&s.addr, (guint) prefix, NULL))
        return refuse(why, "address");
      s.prefix = (guint) prefix;
      g_array_append_val(d->applied_addresses, s);
      g_array_append_val(d->addresses, s);
    }
  return TRUE;
}

/* A route through the tunnel: only ever removed, through this device. */
static gboolean
parse_tunnel_route(NetcfgDevice *d, JsonNode *node, NetcfgRoute *route)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
  const char *dst = o != NULL ? netcfg_state_member_string(o, "dst") : NULL;
  const char *gw = o != NULL ? netcfg_state_member_string(o, "gateway") : NULL;
  gint64 prefix = 0, metric = -1;

  if (dst == NULL || !ovpn3_net_parse_ip_any(dst, &route->dst, NULL)
      || !netcfg_state_member_int(o, "prefix", TRUE, 0, ovpn3_net_addr_max_prefix(&route->dst),
                                  &prefix)
      || !netcfg_state_member_int(o, "metric", FALSE, -1, G_MAXINT32, &metric))
    return FALSE;
  if (json_object_has_member(o, "gateway")
      && (gw == NULL
          || !ovpn3_net_parse_ip(gw, route->dst.family == AF_INET6, &route->gateway, NULL)))
    return FALSE;
  route->has_gateway = gw != NULL;
  route->prefix = (guint) prefix;
  route->metric = (gint) metric;
  route->oif = d->ifindex;
  return TRUE;
}

/* Routes through the tunnel, then those outside it (netcfg-state.h's
 * checks); the latter are counted as shared once the device is adopted. */
static gboolean
parse_routes(NetcfgDevice *d, JsonObject *o, char **why)
{
  JsonArray *tunnel = member_array(o, "tunnel_routes", NETCFG_STATE_MAX_ROUTES);
  JsonArray *uplink = member_array(o, "uplink_routes", NETCFG_STATE_MAX_ROUTES);

  if (tunnel == NULL || uplink == NULL)
    return refuse(why, "routes");
  for (guint i = 0; i < json_array_get_length(tunnel); i++)
    {
      AppliedRoute r = { 0 };

      if (!parse_tunnel_route(d, json_array_get_element(tunnel, i), &r.route))
        return refuse(why, "route through the tunnel");
      g_array_append_val(d->applied_routes, r);
    }
  for (guint i = 0; i < json_array_get_length(uplink); i++)
    {
      AppliedRoute r = { .uplink = TRUE };
      g_autofree char *bad = NULL;

      if (!netcfg_state_parse_uplink_route(json_array_get_element(uplink, i), d->ifindex, &r.route,
                                           &bad))
        return refuse(why, "route outside the tunnel");
      g_array_append_val(d->applied_routes, r);
    }
  return TRUE;
}

/* The DNS servers or domains applied, checked as AddDNS / AddDNSSearch. */
static gboolean
parse_strings(JsonObject *o, const char *key, guint max, gboolean servers, GPtrArray *into)
{
  JsonArray *array = member_array(o, key, max);
  g_autoptr(GPtrArray) items = g_ptr_array_new();
  g_autoptr(GVariant) params = NULL;

  if (array == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length(array); i++)
    {
      JsonNode *node = json_array_get_element(array, i);

      if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_STRING)
        return FALSE;
      g_ptr_array_add(items, (gpointer) json_node_get_string(node));
    }
  params = g_variant_ref_sink(
      g_variant_new("(@as)", g_variant_new_strv((const char *const *) items->pdata, items->len)));
  return netcfg_device_stage_strings(into, params, max, servers, NULL);
}

static gboolean
parse_dns(NetcfgDevice *d, JsonObject *o, char **why)
{
  const char *mode = netcfg_state_member_string(o, "dns");

  if (g_strcmp0(mode, "none") == 0)
    d->dns_mode = DNS_NONE;
  else if (g_strcmp0(mode, "resolved") == 0)
    d->dns_mode = DNS_RESOLVED;
  else if (g_strcmp0(mode, "resolvconf") == 0)
    d->dns_mode = DNS_RESOLVCONF;
  else
    return refuse(why, "DNS mode");
  if (!parse_strings(o, "dns_servers", OVPN3_NET_MAX_DNS_SERVERS, TRUE, d->applied_servers)
      || !parse_strings(o, "dns_domains", OVPN3_NET_MAX_DNS_SEARCH, FALSE, d->applied_domains)
      || !member_bool(o, "dns_global", &d->applied_full_tunnel))
    return refuse(why, "DNS settings");
  return TRUE;
}

/* NetcfgStateAdoptFunc (netcfg-state.h). */
static gboolean
adopt_entry(gpointer user_data, JsonObject *entry, const char *name, int ifindex, char **why)
{
  Adoption *a = user_data;
  g_autoptr(NetcfgDevice) d = g_object_new(NETCFG_TYPE_DEVICE, NULL);
  const char *recorded_path = netcfg_state_member_string(entry, "path");

  d->manager = a->manager;
  d->name = g_strdup(name);
  d->ifindex = ifindex;
  if (!parse_creator(d, entry, why) || !parse_properties(d, entry, why)
      || !parse_addresses(d, entry, why) || !parse_routes(d, entry, why)
      || !parse_dns(d, entry, why))
    return FALSE;
  d->path = g_strdup_printf(OVPN3_NETCFG_PATH_PREFIX "%u_%s", d->creator_pid, name);
  if (g_strcmp0(recorded_path, d->path) != 0)
    return refuse(why, "object path");
  if (!netcfg_manager_add_device(a->manager, d, d->session_owner))
    return refuse(why, "object path (taken)");
  for (guint i = 0; i < d->applied_routes->len; i++)
    if (g_array_index(d->applied_routes, AppliedRoute, i).uplink)
      netcfg_manager_uplink_route_ref(a->manager,
                                      &g_array_index(d->applied_routes, AppliedRoute, i).route);
  /* the next staging call starts the backend's next complete set */
  d->new_round = d->established;
  a->adopted++;
  a->resolvconf |= d->dns_mode == DNS_RESOLVCONF;
  netcfg_manager_log(a->manager, OVPN3_LOG_CATEGORY_INFO,
                     "Adopted device %s (%s) of %s (pid %u): its creator is alive", d->path, name,
                     d->creator, d->creator_pid);
  return TRUE;
}

static void
recover_log(gpointer user_data, gboolean error, const char *message)
{
  Adoption *a = user_data;

  netcfg_manager_log(a->manager, error ? OVPN3_LOG_CATEGORY_ERROR : OVPN3_LOG_CATEGORY_INFO, "%s",
                     message);
}

void
netcfg_device_adopt_recover(NetcfgManager *manager)
{
  Adoption a = { .manager = manager };
  g_autoptr(GError) error = NULL;

  netcfg_state_recover(netcfg_manager_get_netlink(manager), adopt_entry, recover_log, &a);
  if (a.adopted > 0)
    netcfg_manager_save_state(manager);
  if (!a.resolvconf)
    {
      netcfg_resolvconf_recover(recover_log, &a);
      return;
    }
  /* an adopted device has its DNS there: resolv.conf is rewritten from
   * the adopted devices, over the backup that is kept */
  if (!netcfg_manager_update_resolvconf(manager, &error))
    netcfg_manager_log(manager, OVPN3_LOG_CATEGORY_ERROR, "resolv.conf: %s", error->message);
}
