#define G_LOG_DOMAIN "ovpn3-log-settings"

#include "config.h"

#include "log-settings.h"

#include <json-glib/json-glib.h>
#include <string.h>

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
  settings->destination[0] = '\0';
}

/* "log_destination" (optional): a string that fits. */
static gboolean
get_destination(JsonObject *obj, char *out, GError **error)
{
  JsonNode *node = json_object_get_member(obj, "log_destination");
  const char *value;

  if (node == NULL)
    return TRUE;
  value = JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING
              ? json_node_get_string(node)
              : NULL;
  if (value == NULL || strlen(value) > OVPN3_LOG_DESTINATION_MAX)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                          "log_destination: not a string of at most 1024 bytes");
      return FALSE;
    }
  g_strlcpy(out, value, OVPN3_LOG_DESTINATION_MAX + 1);
  return TRUE;
}

gboolean
ovpn3_log_settings_level_from_variant(GVariant *value, guint *level, GError **error)
{
  guint32 wanted = g_variant_get_uint32(value);

  if (wanted > OVPN3_LOG_LEVEL_MAX)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Invalid log level %u: must be between 0 and %d", wanted, OVPN3_LOG_LEVEL_MAX);
      return FALSE;
    }
  *level = wanted;
  return TRUE;
}

gboolean
ovpn3_log_settings_load(Ovpn3LogSettings *settings, const char *path, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  Ovpn3LogSettings loaded = *settings;
  JsonObject *obj;
  guint64 level = settings->log_level, idle_exit = settings->idle_exit_minutes;

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

  if (!ovpn3_json_get_uint(obj, "log_level", FALSE, OVPN3_LOG_LEVEL_MAX, &level, &local_error)
      || !ovpn3_json_get_uint(obj, "idle_exit", FALSE, OVPN3_LOG_SETTINGS_MAX_IDLE_EXIT, &idle_exit,
                              &local_error)
      || !ovpn3_json_get_bool(obj, "log_dbus_details", &loaded.log_dbus_details, &local_error)
      || !ovpn3_json_get_bool(obj, "log_prefix_logtag", &loaded.log_prefix_logtag, &local_error)
      || !ovpn3_json_get_bool(obj, "timestamp", &loaded.timestamp, &local_error)
      || !get_destination(obj, loaded.destination, &local_error))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s", path, local_error->message);
      return FALSE;
    }

  loaded.log_level = (guint) level;
  loaded.idle_exit_minutes = (guint) idle_exit;
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
  if (settings->destination[0] != '\0')
    {
      json_builder_set_member_name(builder, "log_destination");
      json_builder_add_string_value(builder, settings->destination);
    }
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
