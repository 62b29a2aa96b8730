#define G_LOG_DOMAIN "ovpn3-netcfg-state"

#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "netcfg-state.h"
#include "netcfg-validate.h"
#include "ovpn3-state-file.h"

#define STATE_VERSION 1

gboolean
netcfg_state_save(const char *state_dir, GPtrArray *devices, GError **error)
{
  g_autofree char *path = g_build_filename(state_dir, NETCFG_STATE_FILE_NAME, NULL);
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonNode) root = NULL;

  if (devices->len == 0)
    {
      if (g_unlink(path) < 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot remove %s: %s", path,
                      g_strerror(saved));
          return FALSE;
        }
      return TRUE;
    }
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
  return ovpn3_state_file_save_json(path, root, error);
}

static void state_log(NetcfgStateLogFunc log, gpointer user_data, gboolean error,
                      const char *format, ...) G_GNUC_PRINTF(4, 5);

static void
state_log(NetcfgStateLogFunc log, gpointer user_data, gboolean error, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  log(user_data, error, message);
}

static void
recover_route(JsonObject *o, NetcfgNetlink *nl, NetcfgStateLogFunc log, gpointer user_data)
{
  NetcfgRoute route = { .metric = -1 };
  const char *dst = json_object_get_string_member_with_default(o, "dst", "");
  const char *gw = json_object_get_string_member_with_default(o, "gateway", NULL);
  gint64 prefix = json_object_get_int_member_with_default(o, "prefix", -1);
  gint64 oif = json_object_get_int_member_with_default(o, "oif", 0);
  gint64 metric = json_object_get_int_member_with_default(o, "metric", -1);
  g_autoptr(GError) error = NULL;

  if (!netcfg_parse_ip_any(dst, &route.dst, NULL) || prefix < 0
      || prefix > netcfg_addr_max_prefix(&route.dst) || oif <= 0 || oif > G_MAXINT || metric < -1
      || metric > G_MAXINT32
      || (gw != NULL && !netcfg_parse_ip(gw, route.dst.family == AF_INET6, &route.gateway, NULL)))
    {
      state_log(log, user_data, TRUE, "state file: ignoring a malformed route entry");
      return;
    }
  route.prefix = (guint) prefix;
  route.oif = (int) oif;
  route.metric = (gint) metric;
  route.has_gateway = gw != NULL;
  if (!netcfg_netlink_route(nl, FALSE, &route, &error))
    state_log(log, user_data, TRUE, "leftover route: %s", error->message);
  else
    {
      g_autofree char *shown = netcfg_route_to_string(&route);

      state_log(log, user_data, FALSE, "Removed leftover route %s", shown);
    }
}

guint
netcfg_state_recover(const char *state_dir, NetcfgNetlink *nl, NetcfgStateLogFunc log,
                     gpointer user_data)
{
  g_autofree char *path = g_build_filename(state_dir, NETCFG_STATE_FILE_NAME, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *top;
  JsonArray *devices;
  guint removed = 0;

  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return 0;
  root = ovpn3_state_file_load_json(path, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    {
      state_log(log, user_data, TRUE, "cannot read the state file %s: %s", path,
                error != NULL ? error->message : "not a JSON object");
      return 0;
    }
  top = json_node_get_object(root);
  devices = json_object_has_member(top, "devices") ? json_object_get_array_member(top, "devices")
                                                   : NULL;
  for (guint i = 0; devices != NULL && i < json_array_get_length(devices); i++)
    {
      JsonNode *node = json_array_get_element(devices, i);
      JsonObject *dev;
      JsonArray *routes;
      const char *name;

      if (!JSON_NODE_HOLDS_OBJECT(node))
        continue;
      dev = json_node_get_object(node);
      name = json_object_get_string_member_with_default(dev, "name", "");
      if (json_object_has_member(dev, "uplink_routes")
          && JSON_NODE_HOLDS_ARRAY(json_object_get_member(dev, "uplink_routes")))
        {
          routes = json_object_get_array_member(dev, "uplink_routes");
          for (guint j = 0; j < json_array_get_length(routes); j++)
            {
              JsonNode *r = json_array_get_element(routes, j);

              if (JSON_NODE_HOLDS_OBJECT(r))
                recover_route(json_node_get_object(r), nl, log, user_data);
            }
        }
      if (*name == '\0' || strlen(name) >= IFNAMSIZ)
        continue;
      /* only the tun/tap device we made (same name and index): never
       * something else that took the name meanwhile */
      if (netcfg_netlink_link_is_tun(nl, name)
          && netcfg_netlink_link_index(nl, name)
                 == json_object_get_int_member_with_default(dev, "ifindex", -1))
        {
          if (netcfg_netlink_link_delete(nl, name, &error))
            {
              removed++;
              state_log(log, user_data, FALSE, "Removed leftover device %s", name);
            }
          else
            {
              state_log(log, user_data, TRUE, "leftover device: %s", error->message);
              g_clear_error(&error);
            }
        }
    }
  if (g_unlink(path) < 0 && errno != ENOENT)
    state_log(log, user_data, TRUE, "cannot remove %s: %s", path, g_strerror(errno));
  return removed;
}
