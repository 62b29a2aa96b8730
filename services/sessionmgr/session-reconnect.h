/* session-reconnect.h — sleep and network changes for every session at once
 * (docs/architecture.md §5): one sleep watch (session-sleep.h) and netcfg's uplink signal
 * (services/netcfg/netcfg-uplink.h) for the whole session manager, and what they do to the
 * sessions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "session-manager.h"

G_BEGIN_DECLS

typedef struct _Ovpn3Reconnect Ovpn3Reconnect;

Ovpn3Reconnect *ovpn3_reconnect_new(Ovpn3SessionManager *manager);
void ovpn3_reconnect_free(Ovpn3Reconnect *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Reconnect, ovpn3_reconnect_free)

G_END_DECLS
