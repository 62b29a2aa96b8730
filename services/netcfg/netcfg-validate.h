/* netcfg-validate.h — checks of netcfg's own D-Bus input. The settings a
 * VPN server pushed (addresses, routes, DNS) are checked by the common
 * network-settings policy, ovpn3-net-policy.h, which the backend client
 * applies too (docs/architecture.md §6). Pure (no I/O).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-net-policy.h"

G_BEGIN_DECLS

#define NETCFG_IFNAME_PREFIX_MAX 12 /* IFNAMSIZ 16 - NUL - room for the index */

/* The CreateVirtualInterface prefix: 1..12 of [A-Za-z0-9_] (the device
 * name becomes part of an object path). G_DBUS_ERROR_INVALID_ARGS. */
gboolean netcfg_check_ifname_prefix(const char *prefix, GError **error);

G_END_DECLS
