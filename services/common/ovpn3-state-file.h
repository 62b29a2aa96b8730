/* ovpn3-state-file.h — JSON state files: written atomically (temp file,
 * fsync, rename) with mode 0600; read with size and ownership checks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Largest state file we read (a profile is at most 1 MiB of text). */
#define OVPN3_STATE_FILE_MAX_SIZE (4 * 1024 * 1024)

gboolean ovpn3_state_file_save_json(const char *path, JsonNode *root, GError **error);
/* Refuses non-regular files, files not owned by the effective uid, files
 * with group/other access, oversized files and bad JSON. */
JsonNode *ovpn3_state_file_load_json(const char *path, GError **error);
/* The same with the caller's parser, reused from file to file (the configuration manager
 * loading its persistent profiles before it owns its name). */
JsonNode *ovpn3_state_file_load_json_with(JsonParser *parser, const char *path, GError **error);
/* Typed members of a state file's JSON object. An absent member is an
 * error when required, else leaves *out unchanged; a member of the wrong
 * type or out of [0, max] is an error (G_IO_ERROR_INVALID_DATA naming it). */
gboolean ovpn3_json_get_uint(JsonObject *obj, const char *key, gboolean required, guint64 max,
                             guint64 *out, GError **error);
gboolean ovpn3_json_get_bool(JsonObject *obj, const char *key, gboolean *out, GError **error);

/* Creates the directory (0700) if missing. */
gboolean ovpn3_state_dir_ensure(const char *dir, GError **error);

G_END_DECLS
