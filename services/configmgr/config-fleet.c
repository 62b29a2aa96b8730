#define G_LOG_DOMAIN "ovpn3-config-fleet"

/* config-fleet.c — loading the fleet directory (config-fleet.h): one pass
 * over NAME.ovpn files, each checked, parsed and put in place on its own;
 * profiles whose file is gone removed afterwards.
 */

#include "config.h"

#include <signal.h>
#include <unistd.h>

#include <glib-unix.h>

#include "config-fleet-conf.h"
#include "config-fleet-file.h"
#include "config-fleet.h"
#include "config-object-fleet.h"
#include "ovpn3-names.h"

struct _Ovpn3Fleet
{
  Ovpn3ConfigManager *manager; /* not owned; owns this */
  char *dir;
  GHashTable *by_name; /* NAME → Ovpn3ConfigObject */
  guint sighup_id;
};

static gid_t
service_group(void)
{
  gid_t gid;

  return ovpn3_fleet_service_group(&gid) ? gid : getegid();
}

/* The parsed NAME.ovpn, or NULL (error names the file and, from the parser, the line). */
static Ovpn3Profile *
read_profile(const char *file, gid_t gid, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(Ovpn3Profile) profile = NULL;
  gsize length = 0;
  g_autofree char *text = ovpn3_fleet_file_read(file, gid, OVPN3_PROFILE_MAX_SIZE, &length, error);

  if (text == NULL)
    return NULL;
  profile = ovpn3_profile_new_from_text(text, (gssize) length, &local);
  if (profile == NULL)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", file, local->message);
  else if (ovpn3_profile_get_n_directives(profile) == 0)
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: it has no directive at all", file);
  else
    return g_steal_pointer(&profile);
  return NULL;
}

/* NAME.conf when there is one (*conf NULL when there is none). */
static gboolean
read_conf(const char *file, const char *name, gid_t gid, Ovpn3FleetConf **conf, GError **error)
{
  g_autoptr(GError) local = NULL;
  gsize length = 0;
  g_autofree char *text = ovpn3_fleet_file_read(file, gid, OVPN3_FLEET_CONF_MAX, &length, &local);

  *conf = NULL;
  if (text == NULL && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    return TRUE;
  if (text == NULL)
    {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  *conf = ovpn3_fleet_conf_parse(file, name, text, length, error);
  return *conf != NULL;
}

static gboolean
load_one(Ovpn3Fleet *fleet, const char *name, gid_t gid, GError **error)
{
  g_autofree char *base = g_build_filename(fleet->dir, name, NULL);
  g_autofree char *file = g_strconcat(base, OVPN3_FLEET_PROFILE_SUFFIX, NULL);
  g_autofree char *conf_file = g_strconcat(base, OVPN3_FLEET_CONF_SUFFIX, NULL);
  g_autoptr(Ovpn3Profile) profile = read_profile(file, gid, error);
  g_autoptr(Ovpn3FleetConf) conf = NULL;
  g_autoptr(Ovpn3ConfigObject) object = NULL;
  Ovpn3ConfigObject *loaded;

  if (profile == NULL || !read_conf(conf_file, name, gid, &conf, error))
    return FALSE;
  loaded = g_hash_table_lookup(fleet->by_name, name);
  if (loaded != NULL)
    {
      ovpn3_config_object_fleet_update(loaded, name, profile, conf);
      return TRUE;
    }
  object = ovpn3_config_object_new_fleet(fleet->manager, name, file, profile, conf);
  if (!ovpn3_config_manager_add(fleet->manager, object, error))
    {
      g_prefix_error(error, "%s: ", file);
      return FALSE;
    }
  g_hash_table_insert(fleet->by_name, g_strdup(name), g_steal_pointer(&object));
  return TRUE;
}

static void
refuse(Ovpn3Fleet *fleet, GPtrArray *refused, const char *message)
{
  ovpn3_config_manager_log(fleet->manager, OVPN3_LOG_CATEGORY_ERROR, "Fleet profile refused: %s",
                           message);
  g_ptr_array_add(refused, g_strdup(message));
}

/* Profiles whose NAME.ovpn is gone (a refused file is not gone: its profile stays as loaded). */
static void
remove_gone(Ovpn3Fleet *fleet, GHashTable *seen)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init(&iter, fleet->by_name);
  while (g_hash_table_iter_next(&iter, &key, &value))
    {
      if (g_hash_table_contains(seen, key))
        continue;
      ovpn3_config_manager_log(fleet->manager, OVPN3_LOG_CATEGORY_INFO,
                               "Fleet profile %s removed: %s/%s" OVPN3_FLEET_PROFILE_SUFFIX
                               " is gone",
                               ovpn3_config_object_get_path(value), fleet->dir, (char *) key);
      ovpn3_config_manager_remove(fleet->manager, value);
      g_hash_table_iter_remove(&iter);
    }
}

static void
scan(Ovpn3Fleet *fleet, GDir *dir, GHashTable *seen, GPtrArray *refused)
{
  gid_t gid = service_group();
  const char *entry;

  while ((entry = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *name = ovpn3_fleet_name_of(entry, OVPN3_FLEET_PROFILE_SUFFIX);
      g_autoptr(GError) error = NULL;

      if (name == NULL)
        {
          if (g_str_has_suffix(entry, OVPN3_FLEET_PROFILE_SUFFIX) && entry[0] != '.')
            {
              g_autofree char *msg = g_strdup_printf(
                  "%s/%s: a fleet profile's name is 1-128 of A-Z a-z 0-9 _ . - (not first)",
                  fleet->dir, entry);
              refuse(fleet, refused, msg);
            }
          continue;
        }
      g_hash_table_add(seen, g_strdup(name));
      if (!load_one(fleet, name, gid, &error))
        refuse(fleet, refused, error->message);
    }
}

GPtrArray *
ovpn3_fleet_reload(Ovpn3Fleet *fleet)
{
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open(fleet->dir, 0, &error);

  if (dir == NULL && !g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      /* unreadable: nothing is removed on the strength of an error */
      g_autofree char *msg = g_strdup_printf("%s: %s", fleet->dir, error->message);

      refuse(fleet, refused, msg);
      return g_steal_pointer(&refused);
    }
  if (dir != NULL)
    scan(fleet, dir, seen, refused);
  remove_gone(fleet, seen);
  g_debug("fleet: %u profiles from %s, %u files refused", g_hash_table_size(fleet->by_name),
          fleet->dir, refused->len);
  return g_steal_pointer(&refused);
}

void
ovpn3_fleet_handle_reload(Ovpn3Fleet *fleet, const Ovpn3Caller *caller,
                          GDBusMethodInvocation *invocation)
{
  g_autoptr(GPtrArray) refused = NULL;

  ovpn3_config_manager_log(fleet->manager, OVPN3_LOG_CATEGORY_INFO,
                           "Fleet profiles reloaded from %s (asked by uid %u)", fleet->dir,
                           caller->uid);
  refused = ovpn3_fleet_reload(fleet);
  g_dbus_method_invocation_return_value(
      invocation, g_variant_new("(@as)", g_variant_new_strv((const char *const *) refused->pdata,
                                                            refused->len)));
}

static gboolean
on_sighup(gpointer user_data)
{
  Ovpn3Fleet *fleet = user_data;
  g_autoptr(GPtrArray) refused = NULL;

  ovpn3_config_manager_log(fleet->manager, OVPN3_LOG_CATEGORY_INFO,
                           "Fleet profiles reloaded from %s (SIGHUP)", fleet->dir);
  refused = ovpn3_fleet_reload(fleet);
  return G_SOURCE_CONTINUE;
}

Ovpn3Fleet *
ovpn3_fleet_new(Ovpn3ConfigManager *manager, const char *dir)
{
  Ovpn3Fleet *fleet = g_new0(Ovpn3Fleet, 1);
  g_autoptr(GPtrArray) refused = NULL;

  fleet->manager = manager;
  fleet->dir = g_strdup(dir);
  fleet->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
  refused = ovpn3_fleet_reload(fleet);
  fleet->sighup_id = g_unix_signal_add(SIGHUP, on_sighup, fleet);
  return fleet;
}

void
ovpn3_fleet_free(Ovpn3Fleet *fleet)
{
  if (fleet->sighup_id != 0)
    g_source_remove(fleet->sighup_id);
  g_hash_table_unref(fleet->by_name);
  g_free(fleet->dir);
  g_free(fleet);
}
