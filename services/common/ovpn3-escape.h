/* ovpn3-escape.h — untrusted text made fit for a log line or an error
 * message: cut to a length, C-escaped (g_strescape), "…" where it was cut.
 * Header-only, so that every library that quotes untrusted text (the
 * network-settings policy, the web-login URL check) shares it without
 * linking another.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <string.h>

#include <glib.h>

G_BEGIN_DECLS

/* "(null)" for NULL; otherwise at most max bytes of text, escaped. */
static inline char *
ovpn3_escape_cut(const char *text, gsize max)
{
  g_autofree char *cut = NULL;
  g_autofree char *escaped = NULL;
  gsize len;

  if (text == NULL)
    return g_strdup("(null)");
  len = strlen(text);
  cut = g_strndup(text, MIN(len, max));
  escaped = g_strescape(cut, NULL);
  if (len > max)
    return g_strconcat(escaped, "…", NULL);
  return g_steal_pointer(&escaped);
}

G_END_DECLS
