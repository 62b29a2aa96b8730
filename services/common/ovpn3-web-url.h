/* ovpn3-web-url.h — the check on a URL a VPN server asks the user to open
 * (`>INFOMSG:WEB_AUTH::<url>`, `OPEN_URL:<url>`, docs/architecture.md §5), shared by the
 * backend client (which passes it on to front-ends) and the ovpn3 CLI
 * (which may hand it to xdg-open).
 *
 * The URL comes from the server, which is not trusted: only an absolute
 * https: URL (parsed by GUri, strict) that names a host, carries no user
 * information (`https://bank.example@evil.example/`) and consists of
 * printable ASCII only (no spaces, control or non-ASCII characters: a real
 * URL has those percent-encoded) is accepted. Everything else — http:,
 * javascript:, file:, data:, no scheme … — is refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE if @url may be shown and opened. Otherwise FALSE with a
 * G_IO_ERROR_INVALID_DATA error whose message says why in words for the
 * user, e.g. "the server sent a 'http:' URL; only https: URLs are opened";
 * it never contains the URL itself. */
gboolean ovpn3_web_url_check(const char *url, GError **error);

/* @url for a log line: C-escaped (g_strescape), cut after 256 bytes with
 * "…" added. */
char *ovpn3_web_url_escape(const char *url);

G_END_DECLS
