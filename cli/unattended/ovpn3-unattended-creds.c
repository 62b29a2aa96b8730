/* ovpn3-unattended-creds.c — answering the user-input queue (docs/dbus-api.md §6) from systemd
 * credentials: $CREDENTIALS_DIRECTORY/<slot name>, never argv, the environment or a file others
 * can read; the buffers are wiped after use and no value is ever printed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-unattended-creds"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ovpn3-unattended.h"

#define CREDENTIAL_MAX 4096 /* bytes in one credential file */

G_DEFINE_QUARK(ovpn3 - unattended - error - quark, ovpn3_unattended_error)

gboolean
ovpn3_unattended_slot_answerable(const char *slot)
{
  static const char *const names[] = {
    "username",        "password",         "pk_passphrase",    "http_proxy_user",
    "http_proxy_pass", "socks_proxy_user", "socks_proxy_pass", NULL,
  };

  return g_strv_contains(names, slot);
}

void
ovpn3_unattended_wipe_free(char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero(secret, strlen(secret));
  g_free(secret);
}

/* The file's whole content (at most CREDENTIAL_MAX bytes), NUL-terminated; *len its length. */
static char *
read_all(int fd, const char *name, gsize *len, GError **error)
{
  char *buf = g_malloc(CREDENTIAL_MAX + 1);
  gsize n = 0;

  while (n <= CREDENTIAL_MAX)
    {
      ssize_t r = read(fd, buf + n, CREDENTIAL_MAX + 1 - n);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int e = errno;

          explicit_bzero(buf, CREDENTIAL_MAX + 1);
          g_free(buf);
          g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
                      "cannot read the credential '%s': %s", name, g_strerror(e));
          return NULL;
        }
      if (r == 0)
        break;
      n += (gsize) r;
    }
  if (n > CREDENTIAL_MAX)
    {
      explicit_bzero(buf, CREDENTIAL_MAX + 1);
      g_free(buf);
      g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
                  "the credential '%s' is longer than %d bytes", name, CREDENTIAL_MAX);
      return NULL;
    }
  buf[n] = '\0';
  *len = n;
  return buf;
}

/* One line of UTF-8 text, not empty: a final "\n" or "\r\n" is dropped, nothing else is. */
static gboolean
take_line(char *buf, gsize len, const char *name, GError **error)
{
  const char *why = NULL;

  if (len > 0 && buf[len - 1] == '\n')
    buf[--len] = '\0';
  if (len > 0 && buf[len - 1] == '\r')
    buf[--len] = '\0';
  if (len == 0)
    why = "is empty";
  else if (strlen(buf) != len)
    why = "contains a NUL byte";
  else if (!g_utf8_validate(buf, (gssize) len, NULL))
    why = "is not UTF-8 text";
  else
    for (gsize i = 0; i < len && why == NULL; i++)
      if ((unsigned char) buf[i] < 0x20 || buf[i] == 0x7f)
        why = "contains a line break or another control character";
  if (why == NULL)
    return TRUE;
  g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG, "the credential '%s' %s",
              name, why);
  return FALSE;
}

/* The file must be a regular file of ours (or root's) that no one else can read or change. */
static gboolean
check_file(int fd, const char *name, GError **error)
{
  struct stat st;
  const char *why = NULL;

  if (fstat(fd, &st) != 0)
    why = g_strerror(errno);
  else if (!S_ISREG(st.st_mode))
    why = "it is not a regular file";
  else if (st.st_uid != geteuid() && st.st_uid != 0)
    why = "it belongs to another user";
  else if ((st.st_mode & (S_IRWXO | S_IWGRP)) != 0)
    why = "others can read or change it (systemd's credentials are private: use LoadCredential= "
          "or LoadCredentialEncrypted=)";
  if (why == NULL)
    return TRUE;
  g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
              "refusing the credential '%s': %s", name, why);
  return FALSE;
}

static int
open_credential(const char *name, GError **error)
{
  const char *dir = g_getenv("CREDENTIALS_DIRECTORY");
  g_autofree char *path = NULL;
  int fd;

  if (dir == NULL || *dir != '/')
    {
      g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
                  "no credential '%s': there are no credentials (CREDENTIALS_DIRECTORY is not "
                  "set; give them with LoadCredential= or LoadCredentialEncrypted=)",
                  name);
      return -1;
    }
  path = g_build_filename(dir, name, NULL);
  fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
                "no credential '%s' (there is no %s)", name, path);
  else if (fd < 0)
    g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
                "cannot open the credential '%s': %s", name, g_strerror(errno));
  return fd;
}

char *
ovpn3_unattended_credential(const char *name, GError **error)
{
  gsize len = 0;
  char *buf;
  int fd;

  /* the name comes from the bus: only the slot names we know become a file name */
  if (!ovpn3_unattended_slot_answerable(name))
    {
      g_set_error(error, OVPN3_UNATTENDED_ERROR, OVPN3_UNATTENDED_EXIT_CONFIG,
                  "'%s' cannot be answered from a credential file", name);
      return NULL;
    }
  fd = open_credential(name, error);
  if (fd < 0)
    return NULL;
  buf = check_file(fd, name, error) ? read_all(fd, name, &len, error) : NULL;
  close(fd);
  if (buf != NULL && !take_line(buf, len, name, error))
    {
      explicit_bzero(buf, len);
      g_clear_pointer(&buf, g_free);
    }
  return buf;
}
