/* netcfg-access.h — who may change the network (design §6, §8): only the
 * backend client of a live session, as the session manager confirms it
 * (LookupBackend, asked by the exporter: services/common/ovpn3-peer-role.h,
 * cached per caller until it leaves the bus or its session ends). Root and
 * the service user keep the read side (properties, FetchInterfaceList,
 * notifications) as before. Undoing is always allowed to a device's
 * creator: Destroy and Cleanup also after the session ended.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

/* Ovpn3ExportedVTable.wants_role of the manager and the devices: every
 * method call and property write; not reads. */
gboolean netcfg_access_wants_role(gpointer object, GDBusMethodInvocation *invocation);

/* TRUE for the backend client of a live session; else AccessDenied. */
gboolean netcfg_access_check_backend(const Ovpn3Caller *caller, GError **error);

G_END_DECLS
