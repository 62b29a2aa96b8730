/* ovpn3-log-client.h — how a service logs: Attach to net.openvpn.v3.log
 * and send it Log(uus) signals (unicast to the log service), and/or write
 * to stderr (--log-stderr). Messages are filtered by the log level 0–6.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-names.h"

G_BEGIN_DECLS

#define OVPN3_TYPE_LOG_CLIENT (ovpn3_log_client_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3LogClient, ovpn3_log_client, OVPN3, LOG_CLIENT, GObject)

/* connection may be NULL (stderr only). interface + path name the signals'
 * origin (e.g. net.openvpn.v3.configuration, /net/openvpn/v3/configuration). */
Ovpn3LogClient *ovpn3_log_client_new(GDBusConnection *connection, Ovpn3LogGroup group,
                                     const char *interface, const char *path, gboolean to_stderr);
/* Asynchronously Attach()es to the log service (activating it). */
void ovpn3_log_client_attach(Ovpn3LogClient *self);
/* The same, but only once the connection sent its first reply (or after
 * fallback_seconds, or at the first line logged that passes the level):
 * the log service's activation does not compete with a service's first
 * answer (bench/README.md "cold_start"). Lines logged until then are
 * kept and sent once attached, as with ovpn3_log_client_attach(). */
void ovpn3_log_client_attach_after_first_reply(Ovpn3LogClient *self, guint fallback_seconds);
void ovpn3_log_client_set_level(Ovpn3LogClient *self, guint level);
guint ovpn3_log_client_get_level(Ovpn3LogClient *self);

void ovpn3_log_client_log(Ovpn3LogClient *self, Ovpn3LogCategory category, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

/* TRUE if a message of this category passes a log level (docs/dbus-api.md §5). */
gboolean ovpn3_log_level_passes(guint level, Ovpn3LogCategory category);

G_END_DECLS
