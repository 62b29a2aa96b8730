/* ovpn3-mgmt-command-private.h — shared by the command builder
 * (ovpn3-mgmt-command.c) and the steering commands (ovpn3-mgmt-control.c).
 * Not installed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-mgmt-command.h"

G_BEGIN_DECLS

#define SINGLE OVPN3_MGMT_RESPONSE_SINGLE

/* FALSE + OVPN3_MGMT_ERROR_INVALID_ARGUMENT if a or b is NULL (a NULL would end
 * the vararg list of ovpn3_mgmt_command_new() early). */
gboolean ovpn3_mgmt_command_require(GError **error, const char *a, const char *b);

G_END_DECLS
