#define G_LOG_DOMAIN "ovpn3-log-service"

/* log-service-properties.c — the properties of the log manager object
 * (docs/dbus-api.md §3.3); the writable ones are saved to the settings file.
 */

#include "config.h"

#include "log-service-private.h"
#include "ovpn3-names.h"

GVariant *
ovpn3_log_service_get_property(gpointer object, const Ovpn3Caller *caller, const char *name,
                               GError **error)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  if (g_strcmp0(name, "log_method") == 0)
    return g_variant_new_string(
        ovpn3_log_method_to_string(ovpn3_log_writer_get_method(self->writer)));
  if (g_strcmp0(name, "config_file") == 0)
    return g_variant_new_string(self->settings_path != NULL ? self->settings_path : "");
  if (g_strcmp0(name, "num_attached") == 0)
    return g_variant_new_uint32(self->attached->len);
  if (g_strcmp0(name, "log_level") == 0)
    return g_variant_new_uint32(self->settings.log_level);
  if (g_strcmp0(name, "log_dbus_details") == 0)
    return g_variant_new_boolean(self->settings.log_dbus_details);
  if (g_strcmp0(name, "log_prefix_logtag") == 0)
    return g_variant_new_boolean(self->settings.log_prefix_logtag);
  if (g_strcmp0(name, "timestamp") == 0)
    return g_variant_new_boolean(self->settings.timestamp);
  if (g_strcmp0(name, OVPN3_LOG_PROP_DESTINATION) == 0)
    return g_variant_new_string(self->destination);

  return ovpn3_manager_get_common_property(name, error);
}

gboolean
ovpn3_log_service_set_property(gpointer object, const Ovpn3Caller *caller, const char *name,
                               GVariant *value, GError **error)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);
  Ovpn3LogSettings updated = self->settings;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(Ovpn3LogWriter) writer = NULL; /* a new log_destination, opened first */

  if (g_strcmp0(name, "log_level") == 0)
    {
      if (!ovpn3_log_settings_level_from_variant(value, &updated.log_level, error))
        return FALSE;
    }
  else if (g_strcmp0(name, "log_dbus_details") == 0)
    updated.log_dbus_details = g_variant_get_boolean(value);
  else if (g_strcmp0(name, "log_prefix_logtag") == 0)
    updated.log_prefix_logtag = g_variant_get_boolean(value);
  else if (g_strcmp0(name, "timestamp") == 0)
    updated.timestamp = g_variant_get_boolean(value);
  else if (g_strcmp0(name, OVPN3_LOG_PROP_DESTINATION) == 0)
    {
      writer = ovpn3_log_service_open_destination(g_variant_get_string(value, NULL), error);
      if (writer == NULL)
        return FALSE;
      g_strlcpy(updated.destination, g_variant_get_string(value, NULL), sizeof updated.destination);
    }
  else
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                  "Property “%s” is read-only", name);
      return FALSE;
    }

  if (self->settings_path != NULL
      && !ovpn3_log_settings_save(&updated, self->settings_path, &local_error))
    {
      g_warning("Could not save %s: %s", self->settings_path, local_error->message);
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Could not save the setting: %s",
                  local_error->message);
      return FALSE;
    }

  self->settings = updated;
  if (writer != NULL)
    ovpn3_log_service_use_writer(self, g_steal_pointer(&writer), updated.destination);
  ovpn3_log_service_apply_settings(self);
  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB1, "Setting %s changed by uid %u", name,
                        caller->uid);
  return TRUE;
}
