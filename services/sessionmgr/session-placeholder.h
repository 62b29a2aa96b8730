/* session-placeholder.h — after a session manager restart, the paths of the recorded sessions
 * not taken back yet (session-readopt.c): a call on such a path waits (queued, the main loop
 * runs on) until the session is exported again — then it is handled by the session as if it
 * had just arrived — or is not — then it gets the bus's usual answer for a path where nothing
 * is (services/sessionmgr/README.md "Restart").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-exported.h"

G_BEGIN_DECLS

typedef struct _Ovpn3Placeholders Ovpn3Placeholders;

Ovpn3Placeholders *ovpn3_placeholders_new(Ovpn3Exporter *exporter);
/* Calls on path wait from now on. */
void ovpn3_placeholders_add(Ovpn3Placeholders *self, const char *path);
/* Before the session is exported at path again: calls there are no longer taken here. */
void ovpn3_placeholders_unregister(Ovpn3Placeholders *self, const char *path);
/* The waiting calls on path go to the object exported there (exported) or are answered that
 * nothing is there; the path is no longer waited for. */
void ovpn3_placeholders_release(Ovpn3Placeholders *self, const char *path, gboolean exported);
/* Releases every path (not exported). */
void ovpn3_placeholders_free(Ovpn3Placeholders *self);

G_END_DECLS
