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
  settings->idle_exit_minutes = 0;
}

/* An optional integer member in [0, max]. */
static gboolean
read_uint(JsonObject *obj, const char *key, guint max, guint *out, GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);
  gint64 v;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "'%s' is not an integer", key);
      return FALSE;
    }
  v = json_node_get_int(node);
  if (v < 0 || v > (gint64) max)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                  "'%s' %" G_GINT64_FORMAT " is out of range 0–%u", key, v, max);
      return FALSE;
    }
  *out = (guint) v;
  return TRUE;
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

  if (!read_uint(obj, "log_level", OVPN3_LOG_LEVEL_MAX, &loaded.log_level, &local_error)
      || !read_uint(obj, "idle_exit", OVPN3_LOG_SETTINGS_MAX_IDLE_EXIT, &loaded.idle_exit_minutes,
                    &local_error)
      || !read_bool(obj, "log_dbus_details", &loaded.log_dbus_details, &local_error)
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
  if (settings->idle_exit_minutes > 0)
    {
      /* kept when a property change rewrites the file */
      json_builder_set_member_name(builder, "idle_exit");
      json_builder_add_int_value(builder, settings->idle_exit_minutes);
    }
  json_builder_end_object(builder);

  root = json_builder_get_root(builder);
  return ovpn3_state_file_save_json(path, root, error);
}
