/* backendstart-service.h — net.openvpn.v3.backends: the backend starter
 * object (/net/openvpn/v3/backends) with StartClient(token), and how
 * ovpn3-service-backendstart starts and stops (30 s idle exit).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-access.h"
#include "ovpn3-service.h"

G_BEGIN_DECLS

/* Who may call what on the backend starter (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_backendstart_access;

#define OVPN3_TYPE_BACKENDSTART (ovpn3_backendstart_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3Backendstart, ovpn3_backendstart, OVPN3, BACKENDSTART, GObject)

Ovpn3Backendstart *ovpn3_backendstart_new(Ovpn3ServiceContext *ctx, GError **error);

extern const Ovpn3ServiceDesc ovpn3_backendstart_service;

G_END_DECLS
