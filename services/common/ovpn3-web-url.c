/* ovpn3-web-url.c — see ovpn3-web-url.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-web-url"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "ovpn3-escape.h"
#include "ovpn3-web-url.h"

#define ESCAPE_MAX 256

static gboolean refuse(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
refuse(GError **error, const char *format, ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, message);
  return FALSE;
}

gboolean
ovpn3_web_url_check(const char *url, GError **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || *url == '\0')
    return refuse(error, "the server sent an empty URL");
  /* GUri accepts spaces, control and non-ASCII characters in strict mode */
  for (const guchar *p = (const guchar *) url; *p != '\0'; p++)
    if (*p <= ' ' || *p > '~')
      return refuse(error, "the server's URL contains a space, a control or a non-ASCII "
                           "character");
  uri = g_uri_parse(url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return refuse(error, "the server sent something that is not an absolute URL");
  /* GUri gives the scheme in lower case */
  scheme = g_uri_get_scheme(uri);
  if (g_strcmp0(scheme, "https") != 0)
    return refuse(error, "the server sent a '%.32s:' URL; only https: URLs are opened", scheme);
  host = g_uri_get_host(uri);
  if (host == NULL || *host == '\0')
    return refuse(error, "the server's https: URL names no host");
  if (g_uri_get_userinfo(uri) != NULL)
    return refuse(error, "the server's https: URL carries user information (user@host)");
  return TRUE;
}

char *
ovpn3_web_url_escape(const char *url)
{
  return ovpn3_escape_cut(url, ESCAPE_MAX);
}
