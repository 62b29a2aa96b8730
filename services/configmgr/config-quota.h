/* config-quota.h — stored bytes per profile owner and in all (docs/security.md §7,
 * "Per-user quotas"; the limits are in services/common/ovpn3-quota.h): what
 * configmgr keeps of a profile in memory, counted as the rendered profile
 * (what Fetch returns) plus its name, tags and overrides (names and
 * values). Checked before Import stores a profile and before every change
 * that makes one bigger (SetOverride, AddTag, a longer name) or gives it to
 * another owner (TransferOwnership): over the limit the call fails with
 * org.freedesktop.DBus.Error.LimitsExceeded naming the limit, and nothing
 * changes. The per-user limit does not apply to root; the total applies to
 * everyone. Profiles loaded from the state directory at start are counted,
 * never refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "config-manager.h"

G_BEGIN_DECLS

/* What a name, tags (char *) and overrides (name → GVariant s/b) take. */
guint64 ovpn3_config_quota_extra_bytes(const char *name, GPtrArray *tags, GTree *overrides);
guint64 ovpn3_config_quota_override_bytes(const char *key, GVariant *value);

/* The limits in force: ovpn3-quota.h, or in builds with -Dtest_switches=true
 * OVPN3_TEST_CONFIG_QUOTA="<per-user bytes>:<total bytes>". */
void ovpn3_config_quota_limits(guint64 *per_user, guint64 *total);

/* FALSE with LimitsExceeded if owner's profiles, or all, would exceed their
 * limit with grow more bytes for owner. transfer: the bytes only change
 * owner, the total stays. */
gboolean ovpn3_config_quota_check(Ovpn3ConfigManager *manager, guint32 owner, guint64 grow,
                                  gboolean transfer, GError **error);

G_END_DECLS
