#define G_LOG_DOMAIN "ovpn3-config-quota"

#include "config.h"

#include <string.h>

#include "config-quota.h"
#include "ovpn3-names.h"
#include "ovpn3-quota.h"

guint64
ovpn3_config_quota_override_bytes(const char *key, GVariant *value)
{
  guint64 n = strlen(key);

  if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
    n += strlen(g_variant_get_string(value, NULL));
  else
    n += 1;
  return n;
}

static gboolean
add_override(gpointer key, gpointer value, gpointer data)
{
  *(guint64 *) data += ovpn3_config_quota_override_bytes(key, value);
  return FALSE;
}

guint64
ovpn3_config_quota_extra_bytes(const char *name, GPtrArray *tags, GTree *overrides)
{
  guint64 n = strlen(name);

  for (guint i = 0; i < tags->len; i++)
    n += strlen(g_ptr_array_index(tags, i));
  g_tree_foreach(overrides, add_override, &n);
  return n;
}

void
ovpn3_config_quota_limits(guint64 *per_user, guint64 *total)
{
  static guint64 limits[2];
  static gsize once = 0;

  if (g_once_init_enter(&once))
    {
      limits[0] = OVPN3_QUOTA_CONFIG_BYTES_PER_USER;
      limits[1] = OVPN3_QUOTA_CONFIG_BYTES_TOTAL;
#if OVPN3_TEST_SWITCHES
      {
        const char *env = g_getenv(OVPN3_ENV_TEST_CONFIG_QUOTA);
        g_auto(GStrv) parts = env != NULL ? g_strsplit(env, ":", 3) : NULL;
        guint64 u, t;

        if (parts != NULL && g_strv_length(parts) == 2
            && g_ascii_string_to_unsigned(parts[0], 10, 1, G_MAXUINT32, &u, NULL)
            && g_ascii_string_to_unsigned(parts[1], 10, 1, G_MAXUINT32, &t, NULL))
          {
            limits[0] = u;
            limits[1] = t;
            g_message("test switch: profile quotas %" G_GUINT64_FORMAT " bytes per user, "
                      "%" G_GUINT64_FORMAT " in all",
                      u, t);
          }
      }
#endif
      g_once_init_leave(&once, 1);
    }
  *per_user = limits[0];
  *total = limits[1];
}

gboolean
ovpn3_config_quota_check(Ovpn3ConfigManager *manager, guint32 owner, guint64 grow,
                         gboolean transfer, GError **error)
{
  guint64 per_user, total, owned, all;

  if (grow == 0)
    return TRUE;
  ovpn3_config_quota_limits(&per_user, &total);
  ovpn3_config_manager_count_bytes(manager, owner, &owned, &all);
  if (owner != 0 && owned + grow > per_user)
    {
      g_autofree char *limit = g_format_size_full(per_user, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                  "Storage quota exceeded: the profiles of UID %u would take %" G_GUINT64_FORMAT
                  " bytes, more than the per-user limit of %s (%" G_GUINT64_FORMAT
                  " bytes); remove a profile first",
                  owner, owned + grow, limit, per_user);
      return FALSE;
    }
  if (!transfer && all + grow > total)
    {
      g_autofree char *limit = g_format_size_full(total, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                  "Storage quota exceeded: all stored profiles would take %" G_GUINT64_FORMAT
                  " bytes, more than the limit for all users together of %s (%" G_GUINT64_FORMAT
                  " bytes)",
                  all + grow, limit, total);
      return FALSE;
    }
  return TRUE;
}
