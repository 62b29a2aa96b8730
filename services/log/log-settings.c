#define G_LOG_DOMAIN "ovpn3-log-settings"

#include "config.h"

#include "log-settings.h"

#include <json-glib/json-glib.h>

#include "ovpn3-names.h"
#include "ovpn3-state-file.h"

void
ovpn3_log_settings_init(Ovpn3LogSettings *settings)
{
  settings->log_level = OVPN3_LOG_LEVEL_DEFAULT;
  settings->log_dbus_details = FALSE;
  settings->log_prefix_logtag = TRUE;
  settings->timestamp = TRUE;
}

static gboolean
read_bool(JsonObject *obj, const char *key, gboolean *out, GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "'%s' is not a boolean", key);
      return FALSE;
    }
  *out = json_node_get_boolean(node);
  return TRUE;
}

gboolean
ovpn3_log_settings_load(Ovpn3LogSettings *settings, const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  Ovpn3LogSettings loaded = *settings;
  JsonObject *obj;
  JsonNode *level;

  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return TRUE;

  root = ovpn3_state_file_load_json(path, &local_error);
  if (root == NULL)
    {
      g_propagate_error(error, g_steal_pointer(&local_error));
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT(root))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a JSON object", path);
      return FALSE;
    }
  obj = json_node_get_object(root);

  level = json_object_get_member(obj, "log_level");
  if (level != NULL)
    {
      gint64 v;

      if (!JSON_NODE_HOLDS_VALUE(level) || json_node_get_value_type(level) != G_TYPE_INT64)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                      "%s: 'log_level' is not an integer", path);
          return FALSE;
        }
      v = json_node_get_int(level);
      if (v < 0 || v > OVPN3_LOG_LEVEL_MAX)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                      "%s: 'log_level' %" G_GINT64_FORMAT " is out of range 0–%d", path, v,
                      OVPN3_LOG_LEVEL_MAX);
          return FALSE;
        }
      loaded.log_level = (guint) v;
    }

  if (!read_bool(obj, "log_dbus_details", &loaded.log_dbus_details, &local_error)
      || !read_bool(obj, "log_prefix_logtag", &loaded.log_prefix_logtag, &local_error)
      || !read_bool(obj, "timestamp", &loaded.timestamp, &local_error))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, local_error->message);
      return FALSE;
    }

  *settings = loaded;
  return TRUE;
}

gboolean
ovpn3_log_settings_save(const Ovpn3LogSettings *settings, const char *path, GError **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "log_level");
  json_builder_add_int_value(builder, settings->log_level);
  json_builder_set_member_name(builder, "log_dbus_details");
  json_builder_add_boolean_value(builder, settings->log_dbus_details);
  json_builder_set_member_name(builder, "log_prefix_logtag");
  json_builder_add_boolean_value(builder, settings->log_prefix_logtag);
  json_builder_set_member_name(builder, "timestamp");
  json_builder_add_boolean_value(builder, settings->timestamp);
  json_builder_end_object(builder);

  root = json_builder_get_root(builder);
  return ovpn3_state_file_save_json(path, root, error);
}
