/* ovpn3-manager.h — what every service's manager object does alike: its
 * common properties (`version`, `implementation`) as the exporter's
 * get_property, and log lines that go to the log service, or to the
 * journal through g_message() where there is none (the log service itself,
 * the unit tests).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-service.h"

G_BEGIN_DECLS

/* An Ovpn3ExportedVTable get_property for a manager object that has only
 * the common properties (ovpn3_manager_get_common_property()). */
GVariant *ovpn3_manager_get_property(gpointer object, const Ovpn3Caller *caller, const char *name,
                                     GError **error);

/* Logs through ctx->log, or with g_message() when ctx->log is NULL. */
void ovpn3_manager_log(Ovpn3ServiceContext *ctx, Ovpn3LogCategory category, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

G_END_DECLS
