#define G_LOG_DOMAIN "ovpn3-config-fleet"

/* config-fleet-conf.c — a fleet profile's NAME.conf (config-fleet-conf.h):
 * every group and key known or the file is refused, values checked as the
 * D-Bus methods check them, users and groups looked up through NSS once.
 */

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "config-fleet-conf.h"
#include "config-object-private.h"
#include "config-overrides.h"
#include "ovpn3-names.h"

static gint
compare_names(gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0(a, b);
}

Ovpn3FleetConf *
ovpn3_fleet_conf_new(void)
{
  Ovpn3FleetConf *conf = g_new0(Ovpn3FleetConf, 1);

  conf->tags = g_ptr_array_new_with_free_func(g_free);
  conf->overrides = g_tree_new_full(compare_names, NULL, g_free, (GDestroyNotify) g_variant_unref);
  conf->acl = g_array_new(FALSE, FALSE, sizeof(guint32));
  return conf;
}

void
ovpn3_fleet_conf_free(Ovpn3FleetConf *conf)
{
  g_free(conf->name);
  g_ptr_array_unref(conf->tags);
  g_tree_unref(conf->overrides);
  g_array_unref(conf->acl);
  g_free(conf);
}

static gboolean
add_uid(Ovpn3FleetConf *conf, guint32 uid, GError **error)
{
  for (guint i = 0; i < conf->acl->len; i++)
    if (g_array_index(conf->acl, guint32, i) == uid)
      return TRUE;
  if (conf->acl->len >= MAX_ACL)
    {
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "more than %d users in the ACL", MAX_ACL);
      return FALSE;
    }
  g_array_append_val(conf->acl, uid);
  return TRUE;
}

/* A user name or a numeric uid that names a user. */
static gboolean
add_user(Ovpn3FleetConf *conf, const char *user, GError **error)
{
  struct passwd pwbuf, *pw = NULL;
  char buf[4096];
  guint64 v;

  if (g_ascii_string_to_unsigned(user, 10, 0, G_MAXUINT32 - 1, &v, NULL))
    getpwuid_r((uid_t) v, &pwbuf, buf, sizeof buf, &pw);
  else
    getpwnam_r(user, &pwbuf, buf, sizeof buf, &pw);
  if (pw == NULL)
    {
      g_set_error(
          error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
          "[" OVPN3_FLEET_GROUP_PROFILE "] " OVPN3_FLEET_KEY_ACL_USERS ": no such user '%s'", user);
      return FALSE;
    }
  return add_uid(conf, pw->pw_uid, error);
}

/* getgrnam_r with a buffer that grows: groups may list many members. */
static struct group *
lookup_group(const char *group, struct group *grbuf, char **buf)
{
  struct group *gr = NULL;
  gsize size = 4096;
  guint64 v;
  int rc;

  for (;;)
    {
      *buf = g_realloc(*buf, size);
      if (g_ascii_string_to_unsigned(group, 10, 0, G_MAXUINT32 - 1, &v, NULL))
        rc = getgrgid_r((gid_t) v, grbuf, *buf, size, &gr);
      else
        rc = getgrnam_r(group, grbuf, *buf, size, &gr);
      if (rc != ERANGE || size >= 1 << 20)
        return rc == 0 ? gr : NULL;
      size *= 2;
    }
}

/* Users whose primary group is gid (a group's own list leaves them out). */
static gboolean
add_primary_members(Ovpn3FleetConf *conf, gid_t gid, GError **error)
{
  struct passwd pwbuf, *pw;
  char buf[4096];
  gboolean ok = TRUE;

  setpwent();
  while (ok && getpwent_r(&pwbuf, buf, sizeof buf, &pw) == 0)
    if (pw->pw_gid == gid)
      ok = add_uid(conf, pw->pw_uid, error);
  endpwent();
  return ok;
}

static gboolean
add_group(Ovpn3FleetConf *conf, const char *group, GError **error)
{
  g_autofree char *buf = NULL;
  struct group grbuf;
  struct group *gr = lookup_group(group, &grbuf, &buf);

  if (gr == NULL)
    {
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "[" OVPN3_FLEET_GROUP_PROFILE "] " OVPN3_FLEET_KEY_ACL_GROUPS
                  ": no such group '%s'",
                  group);
      return FALSE;
    }
  for (char **m = gr->gr_mem; m != NULL && *m != NULL; m++)
    if (!add_user(conf, *m, error))
      return FALSE;
  return add_primary_members(conf, gr->gr_gid, error);
}

/* A string list key, absent = empty; each element handed to add. */
static gboolean
each_in_list(GKeyFile *kf, const char *key, Ovpn3FleetConf *conf,
             gboolean (*add)(Ovpn3FleetConf *, const char *, GError **), GError **error)
{
  g_auto(GStrv) list = NULL;

  if (!g_key_file_has_key(kf, OVPN3_FLEET_GROUP_PROFILE, key, NULL))
    return TRUE;
  list = g_key_file_get_string_list(kf, OVPN3_FLEET_GROUP_PROFILE, key, NULL, error);
  for (char **p = list; p != NULL && *p != NULL; p++)
    if (!add(conf, g_strstrip(*p), error))
      return FALSE;
  return list != NULL;
}

static gboolean
add_tag(Ovpn3FleetConf *conf, const char *tag, GError **error)
{
  if (!ovpn3_config_tag_is_valid(tag, error))
    return FALSE;
  if (conf->tags->len >= MAX_TAGS)
    {
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "more than %d tags",
                  MAX_TAGS);
      return FALSE;
    }
  if (!g_ptr_array_find_with_equal_func(conf->tags, tag, g_str_equal, NULL))
    g_ptr_array_add(conf->tags, g_strdup(tag));
  return TRUE;
}

static gboolean
get_bool(GKeyFile *kf, const char *key, gboolean *out, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!g_key_file_has_key(kf, OVPN3_FLEET_GROUP_PROFILE, key, NULL))
    return TRUE;
  *out = g_key_file_get_boolean(kf, OVPN3_FLEET_GROUP_PROFILE, key, &local);
  if (local != NULL)
    {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_profile_group(GKeyFile *kf, Ovpn3FleetConf *conf, GError **error)
{
  static const char *const known[]
      = { OVPN3_FLEET_KEY_NAME,      OVPN3_FLEET_KEY_TAGS,      OVPN3_FLEET_KEY_PUBLIC_ACCESS,
          OVPN3_FLEET_KEY_AUTOSTART, OVPN3_FLEET_KEY_ACL_USERS, OVPN3_FLEET_KEY_ACL_GROUPS };
  g_auto(GStrv) keys = g_key_file_get_keys(kf, OVPN3_FLEET_GROUP_PROFILE, NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++)
    if (!g_strv_contains(known, *k))
      {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                    "[" OVPN3_FLEET_GROUP_PROFILE "]: unknown key '%s'", *k);
        return FALSE;
      }
  if (g_key_file_has_key(kf, OVPN3_FLEET_GROUP_PROFILE, OVPN3_FLEET_KEY_NAME, NULL))
    {
      conf->name
          = g_key_file_get_string(kf, OVPN3_FLEET_GROUP_PROFILE, OVPN3_FLEET_KEY_NAME, error);
      if (conf->name == NULL || !ovpn3_config_name_is_valid(conf->name, error))
        return FALSE;
    }
  return get_bool(kf, OVPN3_FLEET_KEY_PUBLIC_ACCESS, &conf->public_access, error)
         && get_bool(kf, OVPN3_FLEET_KEY_AUTOSTART, &conf->autostart, error)
         && each_in_list(kf, OVPN3_FLEET_KEY_TAGS, conf, add_tag, error)
         && each_in_list(kf, OVPN3_FLEET_KEY_ACL_USERS, conf, add_user, error)
         && each_in_list(kf, OVPN3_FLEET_KEY_ACL_GROUPS, conf, add_group, error);
}

static gboolean
read_override(GKeyFile *kf, Ovpn3FleetConf *conf, const char *key, GError **error)
{
  const char *type = ovpn3_config_override_type(key);
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) local = NULL;

  if (type != NULL && g_str_equal(type, "b"))
    {
      gboolean b = g_key_file_get_boolean(kf, OVPN3_FLEET_GROUP_OVERRIDES, key, &local);

      if (local == NULL)
        value = g_variant_ref_sink(g_variant_new_boolean(b));
    }
  else
    {
      g_autofree char *s = g_key_file_get_string(kf, OVPN3_FLEET_GROUP_OVERRIDES, key, &local);

      if (s != NULL)
        value = g_variant_ref_sink(g_variant_new_string(s));
    }
  if (value == NULL || !ovpn3_config_override_check(key, value, &local))
    {
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "[" OVPN3_FLEET_GROUP_OVERRIDES "] %s: %s", key, local->message);
      return FALSE;
    }
  g_tree_insert(conf->overrides, g_strdup(key), g_steal_pointer(&value));
  return TRUE;
}

static gboolean
read_groups(GKeyFile *kf, Ovpn3FleetConf *conf, GError **error)
{
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  g_auto(GStrv) keys = NULL;

  for (char **g = groups; *g != NULL; g++)
    if (!g_str_equal(*g, OVPN3_FLEET_GROUP_PROFILE)
        && !g_str_equal(*g, OVPN3_FLEET_GROUP_OVERRIDES))
      {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                    "unknown group [%s]; known are [" OVPN3_FLEET_GROUP_PROFILE
                    "] and [" OVPN3_FLEET_GROUP_OVERRIDES "]",
                    *g);
        return FALSE;
      }
  if (!read_profile_group(kf, conf, error))
    return FALSE;
  keys = g_key_file_get_keys(kf, OVPN3_FLEET_GROUP_OVERRIDES, NULL, NULL);
  for (char **k = keys; k != NULL && *k != NULL; k++)
    if (!read_override(kf, conf, *k, error))
      return FALSE;
  return TRUE;
}

Ovpn3FleetConf *
ovpn3_fleet_conf_parse(const char *file, const char *name, const char *text, gsize length,
                       GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(Ovpn3FleetConf) conf = ovpn3_fleet_conf_new();
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_data(kf, text, length, G_KEY_FILE_NONE, &local)
      || !read_groups(kf, conf, &local))
    {
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s: %s", file, local->message);
      return NULL;
    }
  if (conf->autostart && conf->name != NULL && !g_str_equal(conf->name, name))
    {
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "%s: [" OVPN3_FLEET_GROUP_PROFILE "] " OVPN3_FLEET_KEY_AUTOSTART
                  "=true needs " OVPN3_FLEET_KEY_NAME "=%s or no " OVPN3_FLEET_KEY_NAME
                  ": " OVPN3_FLEET_SESSION_UNIT_TEMPLATE "%s.service finds the profile by "
                  "its name",
                  file, name, name);
      return NULL;
    }
  return g_steal_pointer(&conf);
}
