/* log-proxy.h — a log proxy object /net/openvpn/v3/log/proxy/<id>: forwards
 * a session's backend Log and StatusChange signals, as (uus), to one unique
 * bus name (docs/dbus-api.md §3.3, §7.5).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-exported.h"

G_BEGIN_DECLS

/* Who may call what on a log proxy (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_log_proxy_access;

#define OVPN3_TYPE_LOG_PROXY (ovpn3_log_proxy_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3LogProxy, ovpn3_log_proxy, OVPN3, LOG_PROXY, GObject)

/* Exports a new proxy object. target: unique name of the receiver (whose
 * UID may use the object), creator: unique name of the session manager that
 * asked for it (may use it too). The proxy emits "closed" once, when
 * Remove() is called or the target leaves the bus; it is unexported then. */
Ovpn3LogProxy *ovpn3_log_proxy_new(Ovpn3Exporter *exporter, const char *target, guint32 target_uid,
                                   const char *session_path, const char *creator, GError **error);

const char *ovpn3_log_proxy_get_path(Ovpn3LogProxy *self);
const char *ovpn3_log_proxy_get_target(Ovpn3LogProxy *self);
const char *ovpn3_log_proxy_get_session_path(Ovpn3LogProxy *self);
const char *ovpn3_log_proxy_get_creator(Ovpn3LogProxy *self);
guint ovpn3_log_proxy_get_log_level(Ovpn3LogProxy *self);

/* Sends Log(group, category, message) if the proxy's log level lets it
 * pass. */
void ovpn3_log_proxy_forward_log(Ovpn3LogProxy *self, guint group, guint category,
                                 const char *message);
/* Sends StatusChange(major, minor, message). */
void ovpn3_log_proxy_forward_status(Ovpn3LogProxy *self, guint major, guint minor,
                                    const char *message);

/* Unexports the object and emits "closed" (idempotent). */
void ovpn3_log_proxy_close(Ovpn3LogProxy *self);

G_END_DECLS
