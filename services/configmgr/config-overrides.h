/* config-overrides.h — the session overrides a profile may carry
 * (docs/dbus-api.md §9.2): name, type (s or b) and the values a string accepts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Checks name, type and value. Errors use upstream's texts:
 * "Invalid override key 'k'",
 * "(SetOverride) Invalid override data type for 'k': t",
 * and InvalidArgs for a value outside the allowed set. */
gboolean ovpn3_config_override_check(const char *name, GVariant *value, GError **error);

/* 's' or 'b' for a known override, NULL otherwise. */
const char *ovpn3_config_override_type(const char *name);

/* TRUE for the overrides that hold the owner's proxy credentials
 * (proxy-username, proxy-password): the `overrides` property leaves them
 * out for everyone but the owner, administrators and the service user. */
gboolean ovpn3_config_override_is_owner_only(const char *name);

G_END_DECLS
