/* config-fleet.h — fleet profiles (README.md "Fleets"): every NAME.ovpn (and
 * optional NAME.conf) of the profiles directory becomes a root-owned,
 * persistent, read-only profile; loaded at start, on SIGHUP and by the
 * manager's Reload method. A bad file is refused with its name (and line)
 * and never stops the others; a profile whose files went away is removed
 * (its running sessions go on).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "config-manager.h"

G_BEGIN_DECLS

typedef struct _Ovpn3Fleet Ovpn3Fleet;

/* Loads dir once and reloads it on SIGHUP. */
Ovpn3Fleet *ovpn3_fleet_new(Ovpn3ConfigManager *manager, const char *dir);
void ovpn3_fleet_free(Ovpn3Fleet *fleet);

/* Loads the directory again; returns one line per refused file ("<file>: <reason>"). */
GPtrArray *ovpn3_fleet_reload(Ovpn3Fleet *fleet);

/* The manager's Reload(): reloads and answers the refusals (as). */
void ovpn3_fleet_handle_reload(Ovpn3Fleet *fleet, const Ovpn3Caller *caller,
                               GDBusMethodInvocation *invocation);

G_END_DECLS
