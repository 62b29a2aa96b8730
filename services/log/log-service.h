/* log-service.h — the net.openvpn.v3.log manager object (docs/dbus-api.md §3.3):
 * Attach/Detach/AssignSession bookkeeping, writing received Log signals,
 * the persisted settings, and the log proxies made by ProxyLogEvents.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "log-writer.h"
#include "ovpn3-access.h"
#include "ovpn3-service.h"

G_BEGIN_DECLS

/* Who may call what on the log manager (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_log_manager_access;

#define OVPN3_TYPE_LOG_SERVICE (ovpn3_log_service_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3LogService, ovpn3_log_service, OVPN3, LOG_SERVICE, GObject)

/* --log-method and --log-file, for Ovpn3ServiceDesc.extra_options. */
extern const GOptionEntry ovpn3_log_service_options[];

/* state_dir may be NULL (nothing persisted). file is used with
 * OVPN3_LOG_METHOD_FILE. Exports the manager object. */
Ovpn3LogService *ovpn3_log_service_new(Ovpn3Exporter *exporter, Ovpn3Idle *idle,
                                       const char *state_dir, Ovpn3LogMethod method,
                                       const char *file, GError **error);

/* Also write every record to stderr (--log-stderr); a no-op when the
 * log method is stderr already. */
void ovpn3_log_service_mirror_to_stderr(Ovpn3LogService *self);

guint ovpn3_log_service_get_num_attached(Ovpn3LogService *self);

/* Ovpn3ServiceDesc hooks. */
gpointer ovpn3_log_service_start(Ovpn3ServiceContext *ctx, GError **error);
void ovpn3_log_service_stop(gpointer service);

G_END_DECLS
