#define G_LOG_DOMAIN "ovpn3-netcfg-state"

#include "config.h"

#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include "netcfg-state.h"
#include "netcfg-store.h"
#include "netcfg-validate.h"
#include "ovpn3-net-policy.h"

#define STATE_VERSION 1

gboolean
netcfg_state_save(GPtrArray *devices, GError **error)
{
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!netcfg_store_is_open())
    return TRUE; /* said once at start-up: crash recovery is off */
  if (devices->len == 0)
    return netcfg_store_save(NETCFG_STORE_DEVICES, "", 0, error);
  b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "version");
  json_builder_add_int_value(b, STATE_VERSION);
  json_builder_set_member_name(b, "devices");
  json_builder_begin_array(b);
  for (guint i = 0; i < devices->len; i++)
    json_builder_add_value(b, json_node_copy(devices->pdata[i]));
  json_builder_end_array(b);
  json_builder_end_object(b);
  root = json_builder_get_root(b);
  text = json_to_string(root, FALSE);
  length = strlen(text);
  return netcfg_store_save(NETCFG_STORE_DEVICES, text, length, error);
}

void
netcfg_state_log(NetcfgStateLogFunc log, gpointer user_data, gboolean error, const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  log(user_data, error, message);
}

/* ---- checks ----------------------------------------------------------------- */

static gboolean
all_digits(const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit(*s))
      return FALSE;
  return TRUE;
}

gboolean
netcfg_state_device_name_is_ours(const char *name)
{
  gsize length = strlen(name);

  if (length < 2 || length >= IFNAMSIZ)
    return FALSE;
  /* handle_create: prefix, then the first free index below 1000 */
  for (gsize digits = 1; digits <= 3 && digits < length; digits++)
    {
      const char *index = name + length - digits;
      g_autofree char *prefix = NULL;

      if (!all_digits(index))
        break;
      if (digits > 1 && index[0] == '0')
        continue;
      prefix = g_strndup(name, length - digits);
      if (netcfg_check_ifname_prefix(prefix, NULL))
        return TRUE;
    }
  return FALSE;
}

gboolean
netcfg_state_member_int(JsonObject *o, const char *key, gboolean required, gint64 min, gint64 max,
                        gint64 *out)
{
  JsonNode *node = json_object_get_member(o, key);
  gint64 value;

  if (node == NULL)
    return !required;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
    return FALSE;
  value = json_node_get_int(node);
  if (value < min || value > max)
    return FALSE;
  *out = value;
  return TRUE;
}

const char *
netcfg_state_member_string(JsonObject *o, const char *key)
{
  JsonNode *node = json_object_get_member(o, key);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE(node)
      || json_node_get_value_type(node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(node);
}

gboolean
netcfg_state_parse_uplink_route(JsonNode *node, int device_ifindex, NetcfgRoute *out, char **why)
{
  NetcfgRoute route = { .metric = -1 };
  JsonObject *o;
  const char *dst, *gw;
  g_autofree char *shown = NULL;
  gint64 prefix = -1, oif = 0, metric = -1;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
    {
      *why = g_strdup("not an object");
      return FALSE;
    }
  o = json_node_get_object(node);
  dst = netcfg_state_member_string(o, "dst");
  gw = netcfg_state_member_string(o, "gateway");
  shown = ovpn3_net_escape(dst != NULL ? dst : "");
  if (dst == NULL || !ovpn3_net_parse_ip_any(dst, &route.dst, NULL)
      || !netcfg_state_member_int(o, "prefix", TRUE, 0, ovpn3_net_addr_max_prefix(&route.dst),
                                  &prefix))
    {
      *why = g_strdup_printf("'%s': no destination network", shown);
      return FALSE;
    }
  route.prefix = (guint) prefix;
  /* the server's host route (SetRemoteAddress refuses what is forbidden)
   * or an excluded network as AddNetworks takes it: never a default route
   * or a half of it, nothing forbidden, no host bits */
  if (!ovpn3_net_check_route(&route.dst, route.prefix, NULL))
    {
      *why = g_strdup_printf("%s/%u is not a route netcfg adds outside a tunnel", shown,
                             route.prefix);
      return FALSE;
    }
  if (json_object_has_member(o, "gateway")
      && (gw == NULL || !ovpn3_net_parse_ip(gw, route.dst.family == AF_INET6, &route.gateway, NULL)
          || ovpn3_net_addr_is_forbidden(&route.gateway)))
    {
      *why = g_strdup_printf("%s/%u: the gateway is not an address of its family", shown,
                             route.prefix);
      return FALSE;
    }
  route.has_gateway = gw != NULL;
  /* outside the tunnel: through another interface than the device */
  if (!netcfg_state_member_int(o, "oif", TRUE, 1, G_MAXINT, &oif) || oif == device_ifindex)
    {
      *why = g_strdup_printf("%s/%u is not through an interface outside the tunnel", shown,
                             route.prefix);
      return FALSE;
    }
  if (!netcfg_state_member_int(o, "metric", FALSE, -1, G_MAXINT32, &metric))
    {
      *why = g_strdup_printf("%s/%u: the metric is out of range", shown, route.prefix);
      return FALSE;
    }
  route.oif = (int) oif;
  route.metric = (gint) metric;
  *out = route;
  return TRUE;
}

/* ---- recovery --------------------------------------------------------------- */

typedef struct
{
  NetcfgNetlink *nl;
  NetcfgStateAdoptFunc adopt;
  NetcfgStateLogFunc log;
  gpointer user_data;
  GHashTable *routes_done; /* routes shared by devices are recorded by each */
  guint removed;
  guint adopted;
} Recovery;

static void
recover_routes(Recovery *r, const char *name, int ifindex, JsonNode *routes)
{
  JsonArray *array;
  guint n;

  if (routes == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY(routes))
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: ignoring the routes of %s: not a list", name);
      return;
    }
  array = json_node_get_array(routes);
  n = json_array_get_length(array);
  if (n > NETCFG_STATE_MAX_ROUTES)
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: ignoring the routes of %s: %u, more than netcfg adds (%d)",
                       name, n, NETCFG_STATE_MAX_ROUTES);
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      NetcfgRoute route = { 0 };
      g_autofree char *why = NULL;
      g_autofree char *shown = NULL;
      g_autoptr(GError) error = NULL;

      if (!netcfg_state_parse_uplink_route(json_array_get_element(array, i), ifindex, &route, &why))
        {
          netcfg_state_log(r->log, r->user_data, TRUE, "device record: ignoring a route of %s: %s",
                           name, why);
          continue;
        }
      shown = netcfg_route_to_string(&route);
      if (!g_hash_table_add(r->routes_done, g_strdup(shown)))
        continue;
      if (!netcfg_netlink_route(r->nl, FALSE, &route, &error))
        netcfg_state_log(r->log, r->user_data, TRUE, "leftover route %s: %s", shown,
                         error->message);
      else
        netcfg_state_log(r->log, r->user_data, FALSE, "Removed leftover route %s", shown);
    }
}

/* A device entry with a name netcfg makes and an interface index; NULL
 * (logged) otherwise. */
static JsonObject *
check_entry(Recovery *r, guint index, JsonNode *node, const char **name, gint64 *ifindex)
{
  g_autofree char *shown = NULL;
  JsonObject *dev;

  if (!JSON_NODE_HOLDS_OBJECT(node))
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: ignoring entry %u: not an object", index);
      return NULL;
    }
  dev = json_node_get_object(node);
  *name = netcfg_state_member_string(dev, "name");
  shown = ovpn3_net_escape(*name != NULL ? *name : "");
  if (*name == NULL || !netcfg_state_device_name_is_ours(*name))
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: ignoring entry %u: '%s' is not a device name netcfg makes",
                       index, shown);
      return NULL;
    }
  if (!netcfg_state_member_int(dev, "ifindex", TRUE, 1, G_MAXINT, ifindex))
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: ignoring entry %u (%s): no interface index", index, shown);
      return NULL;
    }
  return dev;
}

/* The tun/tap device we made is there (same name and index): never
 * something else that took the name meanwhile. */
static gboolean
link_is_ours(Recovery *r, const char *name, int ifindex, gboolean say)
{
  int now = netcfg_netlink_link_index(r->nl, name);

  if (now <= 0)
    return FALSE;
  if (now != ifindex || !netcfg_netlink_link_is_tun(r->nl, name))
    {
      if (say)
        netcfg_state_log(
            r->log, r->user_data, TRUE,
            "device record: %s is not the device netcfg made (index %d, recorded %d, or not "
            "tun/tap): left alone",
            name, now, ifindex);
      return FALSE;
    }
  return TRUE;
}

/* The routes of an adopted device stay: no other entry removes them. */
static void
keep_routes(Recovery *r, int ifindex, JsonNode *routes)
{
  JsonArray *array;

  if (routes == NULL || !JSON_NODE_HOLDS_ARRAY(routes))
    return;
  array = json_node_get_array(routes);
  for (guint i = 0; i < json_array_get_length(array) && i < NETCFG_STATE_MAX_ROUTES; i++)
    {
      NetcfgRoute route = { 0 };
      g_autofree char *why = NULL;

      if (netcfg_state_parse_uplink_route(json_array_get_element(array, i), ifindex, &route, &why))
        g_hash_table_add(r->routes_done, netcfg_route_to_string(&route));
    }
}

/* A device whose creator is alive is adopted (netcfg-device-adopt.c). */
static gboolean
try_adopt(Recovery *r, JsonObject *dev, const char *name, int ifindex)
{
  g_autofree char *why = NULL;

  if (r->adopt == NULL || !link_is_ours(r, name, ifindex, FALSE))
    return FALSE;
  if (!r->adopt(r->user_data, dev, name, ifindex, &why))
    {
      netcfg_state_log(r->log, r->user_data, FALSE, "Not adopting leftover device %s: %s", name,
                       why != NULL ? why : "refused");
      return FALSE;
    }
  r->adopted++;
  keep_routes(r, ifindex, json_object_get_member(dev, "uplink_routes"));
  return TRUE;
}

static void
remove_device(Recovery *r, JsonObject *dev, const char *name, int ifindex)
{
  g_autoptr(GError) error = NULL;

  recover_routes(r, name, ifindex, json_object_get_member(dev, "uplink_routes"));
  if (!link_is_ours(r, name, ifindex, TRUE))
    return;
  if (netcfg_netlink_link_delete(r->nl, name, &error))
    {
      r->removed++;
      netcfg_state_log(r->log, r->user_data, FALSE, "Removed leftover device %s", name);
    }
  else
    netcfg_state_log(r->log, r->user_data, TRUE, "leftover device: %s", error->message);
}

/* Adopts first (their routes are kept), then removes the rest. */
static void
recover_devices(Recovery *r, JsonArray *array, guint n)
{
  g_autofree gboolean *done = g_new0(gboolean, n);

  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < n; i++)
      {
        const char *name = NULL;
        gint64 ifindex = 0;
        JsonObject *dev;

        if (done[i])
          continue;
        dev = check_entry(r, i, json_array_get_element(array, i), &name, &ifindex);
        if (dev == NULL)
          done[i] = TRUE;
        else if (pass == 0)
          done[i] = try_adopt(r, dev, name, (int) ifindex);
        else
          remove_device(r, dev, name, (int) ifindex);
      }
}

static void
recover_payload(Recovery *r, GBytes *payload)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data(payload, &size);
  JsonNode *root, *devices;
  JsonArray *array;
  gint64 version = 0;
  guint n;

  if (!json_parser_load_from_data(parser, data, (gssize) size, &error))
    {
      g_autofree char *why = ovpn3_net_escape(error->message);

      netcfg_state_log(r->log, r->user_data, TRUE, "device record: not JSON (%s): ignored", why);
      return;
    }
  root = json_parser_get_root(parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)
      || !netcfg_state_member_int(json_node_get_object(root), "version", TRUE, STATE_VERSION,
                                  STATE_VERSION, &version))
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: not a version %d record: ignored", STATE_VERSION);
      return;
    }
  devices = json_object_get_member(json_node_get_object(root), "devices");
  if (devices == NULL)
    return;
  if (!JSON_NODE_HOLDS_ARRAY(devices))
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: 'devices' is not a list: ignored");
      return;
    }
  array = json_node_get_array(devices);
  n = json_array_get_length(array);
  if (n > NETCFG_STATE_MAX_DEVICES)
    {
      netcfg_state_log(r->log, r->user_data, TRUE,
                       "device record: %u devices, more than %d: the rest is ignored", n,
                       NETCFG_STATE_MAX_DEVICES);
      n = NETCFG_STATE_MAX_DEVICES;
    }
  recover_devices(r, array, n);
}

guint
netcfg_state_recover(NetcfgNetlink *nl, NetcfgStateAdoptFunc adopt, NetcfgStateLogFunc log,
                     gpointer user_data)
{
  g_autoptr(GHashTable) routes_done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  Recovery r = {
    .nl = nl, .adopt = adopt, .log = log, .user_data = user_data, .routes_done = routes_done
  };
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(GError) error = NULL;
  gboolean damaged = FALSE;

  if (!netcfg_store_is_open())
    return 0;
  payload = netcfg_store_load(NETCFG_STORE_DEVICES, &damaged, &error);
  if (payload == NULL)
    netcfg_state_log(log, user_data, TRUE, "device record: %s: nothing recovered", error->message);
  else if (damaged)
    netcfg_state_log(log, user_data, TRUE,
                     "device record: one copy does not verify (netcfg killed while writing it?): "
                     "recovering from the other");
  if (payload != NULL && g_bytes_get_size(payload) == 0 && !damaged)
    return 0; /* nothing was applied */
  if (payload != NULL)
    recover_payload(&r, payload);
  if (r.adopted > 0)
    return r.removed; /* the caller saves the adopted devices in its place */
  /* done with it: an empty record, in both copies if one was damaged */
  for (guint i = 0; i < (payload == NULL || damaged ? 2 : 1); i++)
    {
      g_autoptr(GError) local = NULL;

      if (!netcfg_store_save(NETCFG_STORE_DEVICES, "", 0, &local))
        {
          netcfg_state_log(log, user_data, TRUE, "device record: %s", local->message);
          break;
        }
    }
  return r.removed;
}
