/* log-settings.h — the log service's persistent read-write properties
 * (log_level, log_dbus_details, log_prefix_logtag, timestamp), saved to
 * <state dir>/log-service.json and reloaded at start.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OVPN3_LOG_SETTINGS_FILE "log-service.json"

/* Longest log_destination (a file path) accepted. */
#define OVPN3_LOG_DESTINATION_MAX 1024

typedef struct
{
  guint log_level; /* 0–6 */
  gboolean log_dbus_details;
  gboolean log_prefix_logtag;
  gboolean timestamp;
  /* "idle_exit": minutes without activity (and nothing attached) before
   * the service exits, 0 = never (docs/dbus-api.md §2; written by administrators, not a
   * D-Bus property). Used when neither --idle-exit nor OVPN3_IDLE_EXIT set a non-zero
   * timeout. */
  guint idle_exit_minutes;
  /* "log_destination": where records go (journald, stderr or an absolute
   * file path), set over D-Bus; empty: not set (the options or journald). */
  char destination[OVPN3_LOG_DESTINATION_MAX + 1];
} Ovpn3LogSettings;

/* Largest idle_exit accepted: one week. */
#define OVPN3_LOG_SETTINGS_MAX_IDLE_EXIT (7 * 24 * 60)

/* Defaults: log_level 3, no D-Bus details, log tag prefix, timestamps. */
void ovpn3_log_settings_init(Ovpn3LogSettings *settings);

/* Reads path into settings. A missing file is not an error (TRUE, defaults
 * kept). Unknown keys are ignored; a key with a bad type or value makes the
 * whole file count as invalid (FALSE with error, settings unchanged). */
gboolean ovpn3_log_settings_load(Ovpn3LogSettings *settings, const char *path, GError **error);

/* The log_level a client writes (the log service's property and each log
 * proxy's): FALSE with G_DBUS_ERROR_INVALID_ARGS above OVPN3_LOG_LEVEL_MAX. */
gboolean ovpn3_log_settings_level_from_variant(GVariant *value, guint *level, GError **error);

/* Writes settings atomically, mode 0600. */
gboolean ovpn3_log_settings_save(const Ovpn3LogSettings *settings, const char *path,
                                 GError **error);

G_END_DECLS
