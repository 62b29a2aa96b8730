/* ovpn3-cli-inline.h — read a profile as the calling user and inline every file it refers to
 *
 * `ca ca.crt` becomes `<ca>…</ca>` with the file's text; likewise cert, key, extra-certs, dh,
 * tls-auth (its key-direction argument becomes `key-direction N`), tls-crypt, tls-crypt-v2,
 * crl-verify, pkcs12 (binary: base64), `auth-user-pass FILE` and the credentials file of
 * `http-proxy HOST PORT FILE` (as <http-proxy-user-pass>).  Relative paths are relative to the
 * profile's folder.  A file that cannot be read is an error that names it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

typedef struct _Ovpn3Inlined Ovpn3Inlined;

/* Errors: OVPN3_CLI_ERROR, code = the exit code (OVPN3_EXIT_NOT_FOUND for a missing file,
 * OVPN3_EXIT_ACCESS_DENIED for an unreadable one, OVPN3_EXIT_ERROR otherwise). */
Ovpn3Inlined *ovpn3_cli_inline_profile(const char *filename, GError **error);
const char *ovpn3_inlined_text(Ovpn3Inlined *inlined);
/* Number of files that were inlined. */
guint ovpn3_inlined_count(Ovpn3Inlined *inlined);
/* @message (a service error about the inlined text) with "line N" turned into where that
 * line came from in the user's files. */
char *ovpn3_inlined_explain(Ovpn3Inlined *inlined, const char *message);
void ovpn3_inlined_free(Ovpn3Inlined *inlined);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Inlined, ovpn3_inlined_free)

G_END_DECLS
