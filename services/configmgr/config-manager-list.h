/* config-manager-list.h — the configuration manager's listings (docs/dbus-api.md §3.1):
 * FetchAvailableConfigs, LookupConfigName, SearchByTag and SearchByOwner answer paths;
 * ovpn3's own FetchConfigsProperties (docs/compatibility.md §4) answers each profile with the
 * dictionary Properties.GetAll would give the same caller, in one reply. Each caller sees the
 * profiles it may see: its own, those whose acl list has it, the public ones, and other
 * users' only when polkit manage-others is already granted (asked without interaction, and
 * only when such a profile matches). Nothing is broadcast.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "config-manager.h"

G_BEGIN_DECLS

/* TRUE when method is one of the listings (then invocation is answered, now or later). */
gboolean ovpn3_config_manager_list_call(Ovpn3ConfigManager *self, const Ovpn3Caller *caller,
                                        const char *method, GVariant *parameters,
                                        GDBusMethodInvocation *invocation);

G_END_DECLS
