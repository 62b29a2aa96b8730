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
 * "(SetOverride) Override 'k' = v is not supported: <why, what instead>" for a value ovpn3
 * refuses, and InvalidArgs for a value outside the allowed set. */
gboolean ovpn3_config_override_check(const char *name, GVariant *value, GError **error);

/* Why ovpn3 refuses this override value (a sentence that says what to do instead), or NULL:
 * ovpn3_config_override_check() fails with it ("(SetOverride) Override 'k' = v is not
 * supported: <reason>"), and a stored profile that still holds one drops it when loaded. */
const char *ovpn3_config_override_refusal(const char *name, GVariant *value);

/* 's' or 'b' for a known override, NULL otherwise. */
const char *ovpn3_config_override_type(const char *name);

/* TRUE for the overrides that hold the owner's proxy credentials
 * (proxy-username, proxy-password): the `overrides` property leaves them
 * out for everyone but the owner, administrators and the service user. */
gboolean ovpn3_config_override_is_owner_only(const char *name);

G_END_DECLS
