/* netcfg-access.h — who may change the network (docs/architecture.md §6 and
 * docs/security.md): only the backend client of a live session, as the session manager confirms it
 * (LookupBackend, asked by the exporter when a row of the access table has
 * BACKEND: services/common/ovpn3-peer-role.h, cached per caller until it
 * leaves the bus or its session ends). Root and the service user keep the
 * read side (properties, FetchInterfaceList, notifications) as before.
 * Undoing is always allowed to a device's creator: Destroy and Cleanup also
 * after the session ended. The access tables of the manager and of the
 * devices are here, for their handlers in netcfg-manager.c and
 * netcfg-device.c (ovpn3-access.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-access.h"

G_BEGIN_DECLS

#define NETCFG_TEXT_NOT_BACKEND \
  "Access denied: only the backend client of a live VPN session may configure the network"

#define NETCFG_TEXT_DENIED "Access denied: only the service user and root may configure the network"

/* Who may call what on the manager and on a device (the tables, with the
 * manager's and a device's predicate and refusal texts for their
 * Ovpn3ExportedVTable). */
extern const Ovpn3AccessTable netcfg_manager_access;
gboolean netcfg_manager_access_check(gpointer object, const Ovpn3Caller *caller,
                                     Ovpn3AccessRule bit, const char *member);
const char *netcfg_manager_access_denied(gpointer object, const Ovpn3Caller *caller,
                                         const Ovpn3AccessRow *row);

extern const Ovpn3AccessTable netcfg_device_access;
gboolean netcfg_device_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                                    const char *member);
const char *netcfg_device_access_denied(gpointer object, const Ovpn3Caller *caller,
                                        const Ovpn3AccessRow *row);

G_END_DECLS
