/* ovpn3-cli-inline.h — read a profile as the calling user and inline every file it refers to
 *
 * `ca ca.crt` becomes `<ca>…</ca>` with the file's text; likewise cert, key, extra-certs, dh,
 * tls-auth (its key-direction argument becomes `key-direction N`), tls-crypt, tls-crypt-v2,
 * crl-verify, pkcs12 (binary: base64), `auth-user-pass FILE` and the credentials file of
 * `http-proxy HOST PORT FILE` (as <http-proxy-user-pass>).  Relative paths are relative to the
 * profile's folder.  A file that cannot be read is an error that names it.
 *
 * Referenced files are opened with openat2(2) from the profile's folder (RESOLVE_BENEATH,
 * RESOLVE_NO_SYMLINKS, RESOLVE_NO_MAGICLINKS), so a profile cannot make ovpn3 send the
 * server `../.git-credentials`, `/etc/…` or whatever a symlink points at; an absolute name
 * inside the folder is fine.  Anything else is refused with the reason unless @allow_outside
 * (--allow-outside-files), which reads any file the user can and notes why it is outside.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

typedef struct _Ovpn3Inlined Ovpn3Inlined;

/* Errors: OVPN3_CLI_ERROR, code = the exit code (OVPN3_EXIT_NOT_FOUND for a missing file,
 * OVPN3_EXIT_ACCESS_DENIED for an unreadable one, OVPN3_EXIT_ERROR otherwise). */
Ovpn3Inlined *ovpn3_cli_inline_profile(const char *filename, gboolean allow_outside,
                                       GError **error);
const char *ovpn3_inlined_text(Ovpn3Inlined *inlined);
/* Number of files that were inlined. */
guint ovpn3_inlined_count(Ovpn3Inlined *inlined);
/* One line per inlined file on stderr ("inlined 'ca.crt' (ca, line 5)"; with
 * --allow-outside-files "…; outside the profile's folder" or "…; through a symbolic link"). */
void ovpn3_inlined_print_files(Ovpn3Inlined *inlined);
/* @message (a service error about the inlined text) with "line N" turned into where that
 * line came from in the user's files. */
char *ovpn3_inlined_explain(Ovpn3Inlined *inlined, const char *message);
void ovpn3_inlined_free(Ovpn3Inlined *inlined);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Inlined, ovpn3_inlined_free)

G_END_DECLS
