/* ovpn3-read-fd.h — a file's bytes read with plain read(2): the state files
 * (ovpn3-state-file.c) and the fleet profiles (services/configmgr
 * config-fleet-file.c, also built into the autostart generator, which links
 * nothing but GLib).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reads up to size bytes of fd into buf (*len: how many; fewer only at the
 * end of the file), again after EINTR; an error (G_FILE_ERROR) names path. */
gboolean ovpn3_read_fd(int fd, char *buf, gsize size, gsize *len, const char *path, GError **error);

G_END_DECLS
