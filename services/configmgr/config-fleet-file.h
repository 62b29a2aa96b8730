/* config-fleet-file.h — the files of a fleet profile (README.md "Fleets"):
 * NAME.ovpn and an optional NAME.conf in the profiles directory, each a
 * regular file owned by root, of the service user's group, mode 0640.
 * Shared by configmgr and the autostart generator.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <sys/types.h>

#include <glib.h>

G_BEGIN_DECLS

#define OVPN3_FLEET_PROFILE_SUFFIX ".ovpn"
#define OVPN3_FLEET_CONF_SUFFIX    ".conf"
/* the largest NAME.conf read */
#define OVPN3_FLEET_CONF_MAX (64 * 1024)

/* NAME: 1–128 of [A-Za-z0-9_.-], not starting with '.' (it also names the
 * unit ovpn3-session@NAME.service). */
gboolean ovpn3_fleet_name_is_valid(const char *name);

/* The NAME of a directory entry "NAME<suffix>" with a valid NAME, else NULL. */
char *ovpn3_fleet_name_of(const char *entry, const char *suffix);

/* The contents of path (NUL-terminated, *length without it) when it is a
 * regular file (no symbolic link) owned by uid 0, of group gid, mode 0640
 * and at most max bytes. Errors say which rule the file broke, and a missing
 * file is G_FILE_ERROR_NOENT. */
char *ovpn3_fleet_file_read(const char *path, gid_t gid, gsize max, gsize *length, GError **error);

/* The primary group of the service user (OVPN3_SERVICE_USER), or FALSE. */
gboolean ovpn3_fleet_service_group(gid_t *gid);

G_END_DECLS
