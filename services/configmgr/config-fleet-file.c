#define G_LOG_DOMAIN "ovpn3-config-fleet"

/* config-fleet-file.c — reading the files of a fleet profile with the
 * ownership rules of README.md "Fleets": what root's configuration
 * management wrote, readable by the service user's group, nobody else's.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-fleet-file.h"
#include "ovpn3-read-fd.h"

#define NAME_MAX_BYTES 128
#define FILE_MODE      0640

gboolean
ovpn3_fleet_name_is_valid(const char *name)
{
  gsize len = strlen(name);

  if (len == 0 || len > NAME_MAX_BYTES || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

char *
ovpn3_fleet_name_of(const char *entry, const char *suffix)
{
  g_autofree char *name = NULL;

  if (!g_str_has_suffix(entry, suffix))
    return NULL;
  name = g_strndup(entry, strlen(entry) - strlen(suffix));
  return ovpn3_fleet_name_is_valid(name) ? g_steal_pointer(&name) : NULL;
}

static gboolean
check_stat(const char *path, const struct stat *st, gid_t gid, gsize max, GError **error)
{
  if (!S_ISREG(st->st_mode))
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a regular file", path);
      return FALSE;
    }
  if (st->st_uid != 0 || st->st_gid != gid || (st->st_mode & 07777) != FILE_MODE)
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                  "%s: refused: owner %u, group %u, mode %04o; a fleet profile file must be "
                  "owned by root, of group %u (the service user's) and of mode %04o",
                  path, (guint) st->st_uid, (guint) st->st_gid, (guint) (st->st_mode & 07777),
                  (guint) gid, FILE_MODE);
      return FALSE;
    }
  if ((guint64) st->st_size > max)
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                  "%s: larger than %" G_GSIZE_FORMAT " bytes", path, max);
      return FALSE;
    }
  return TRUE;
}

static char *
read_all(int fd, const char *path, gsize max, gsize *length, GError **error)
{
  g_autofree char *buf = g_malloc(max + 1);
  gsize got = 0;

  /* one byte more than allowed tells a file that grew since fstat() */
  if (!ovpn3_read_fd(fd, buf, max + 1, &got, path, error))
    return NULL;
  if (got > max)
    {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                  "%s: larger than %" G_GSIZE_FORMAT " bytes", path, max);
      return NULL;
    }
  buf[got] = '\0';
  *length = got;
  return g_steal_pointer(&buf);
}

char *
ovpn3_fleet_file_read(const char *path, gid_t gid, gsize max, gsize *length, GError **error)
{
  struct stat st;
  char *text;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
                  saved == ELOOP ? "a symbolic link (refused)" : g_strerror(saved));
      return NULL;
    }
  if (fstat(fd, &st) < 0)
    {
      int saved = errno;

      close(fd);
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s: %s", path,
                  g_strerror(saved));
      return NULL;
    }
  text = check_stat(path, &st, gid, max, error) ? read_all(fd, path, max, length, error) : NULL;
  close(fd);
  return text;
}

gboolean
ovpn3_fleet_service_group(gid_t *gid)
{
  struct passwd pwbuf, *pw = NULL;
  char buf[4096];

  if (getpwnam_r(OVPN3_SERVICE_USER, &pwbuf, buf, sizeof buf, &pw) != 0 || pw == NULL)
    return FALSE;
  *gid = pw->pw_gid;
  return TRUE;
}
