#define G_LOG_DOMAIN "ovpn3-autostart-generator"

/* config-fleet-autostart.c — the links the autostart generator makes
 * (config-fleet-autostart.h). Only the autostart key is read here: a
 * profile configmgr refuses for another reason fails when its unit starts,
 * with configmgr's message.
 */

#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "config-fleet-autostart.h"
#include "config-fleet-file.h"
#include "ovpn3-names.h"

#define WANTS_DIR "multi-user.target.wants"
#define PASSWD    "/etc/passwd"

/* The service user's group from /etc/passwd itself (sysusers.d puts it there): a
 * generator runs before the services NSS may ask (systemd.generator(7)). */
static gboolean
service_group_from_passwd(gid_t *gid)
{
  FILE *f = fopen(PASSWD, "re");
  struct passwd pwbuf, *pw = NULL;
  char buf[4096];
  gboolean found = FALSE;

  if (f == NULL)
    return FALSE;
  while (!found && fgetpwent_r(f, &pwbuf, buf, sizeof buf, &pw) == 0)
    if (g_str_equal(pw->pw_name, OVPN3_SERVICE_USER))
      {
        *gid = pw->pw_gid;
        found = TRUE;
      }
  fclose(f);
  return found;
}

/* NAME.ovpn passes the rules and NAME.conf says autostart=true. */
static gboolean
wants_autostart(const char *dir, const char *name, gid_t gid, GError **error)
{
  g_autofree char *base = g_build_filename(dir, name, NULL);
  g_autofree char *profile = g_strconcat(base, OVPN3_FLEET_PROFILE_SUFFIX, NULL);
  g_autofree char *conf = g_strconcat(base, OVPN3_FLEET_CONF_SUFFIX, NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autofree char *text = NULL;
  g_autofree char *ptext = NULL;
  g_autofree char *display = NULL;
  gsize length = 0, plength = 0;
  gboolean on;

  text = ovpn3_fleet_file_read(conf, gid, OVPN3_FLEET_CONF_MAX, &length, error);
  if (text == NULL || !g_key_file_load_from_data(kf, text, length, G_KEY_FILE_NONE, error))
    return FALSE;
  if (!g_key_file_has_key(kf, OVPN3_FLEET_GROUP_PROFILE, OVPN3_FLEET_KEY_AUTOSTART, NULL))
    return FALSE;
  on = g_key_file_get_boolean(kf, OVPN3_FLEET_GROUP_PROFILE, OVPN3_FLEET_KEY_AUTOSTART, error);
  if (!on)
    return FALSE;
  display = g_key_file_get_string(kf, OVPN3_FLEET_GROUP_PROFILE, OVPN3_FLEET_KEY_NAME, NULL);
  if (display != NULL && !g_str_equal(display, name))
    {
      /* the unit finds the profile by its name (configmgr refuses this file too) */
      g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "%s: autostart=true needs name=%s or no name", conf, name);
      return FALSE;
    }
  ptext = ovpn3_fleet_file_read(profile, gid, 1024 * 1024, &plength, error);
  return ptext != NULL;
}

static gboolean
make_link(const char *out_dir, const char *name, const char *template_unit)
{
  g_autofree char *wants = g_build_filename(out_dir, WANTS_DIR, NULL);
  g_autofree char *unit = g_strconcat(OVPN3_FLEET_SESSION_UNIT_TEMPLATE, name, ".service", NULL);
  g_autofree char *link = g_build_filename(wants, unit, NULL);

  if (g_mkdir_with_parents(wants, 0755) < 0
      || (symlink(template_unit, link) < 0 && errno != EEXIST))
    {
      fprintf(stderr, "ovpn3-autostart-generator: %s: %s\n", link, g_strerror(errno));
      return FALSE;
    }
  return TRUE;
}

int
ovpn3_fleet_autostart_generate(const char *profiles_dir, const char *out_dir,
                               const char *template_unit)
{
  g_autoptr(GDir) dir = g_dir_open(profiles_dir, 0, NULL);
  const char *entry;
  gid_t gid;
  int made = 0;

  if (dir == NULL || !service_group_from_passwd(&gid))
    return 0; /* no fleet, or no service user: nothing to start */
  while ((entry = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *name = ovpn3_fleet_name_of(entry, OVPN3_FLEET_CONF_SUFFIX);
      g_autoptr(GError) error = NULL;

      if (name == NULL)
        continue;
      if (!wants_autostart(profiles_dir, name, gid, &error))
        {
          if (error != NULL)
            fprintf(stderr, "ovpn3-autostart-generator: %s: not started at boot: %s\n", name,
                    error->message);
          continue;
        }
      if (!make_link(out_dir, name, template_unit))
        return -1;
      made++;
    }
  return made;
}
