/* session-properties.h — a session's properties that the backend client
 * holds (statistics, device_path, device_name, session_name, connected_to),
 * read from it without blocking the main loop: the caller waits (at most
 * OVPN3_BACKEND_GET_TIMEOUT_MS), nobody else does. A backend that does not
 * answer in time is marked hung and its session closed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-exported.h"
#include "session-object.h"

G_BEGIN_DECLS

/* Reads the session property name from the backend; finish returns it
 * (full reference) or NULL with G_DBUS_ERROR_FAILED "VPN session is
 * stopped" (no backend, gone, hung, or not a backend-backed property). */
void ovpn3_session_read_backend_property_async(Ovpn3Session *self, const char *name,
                                               GAsyncReadyCallback callback, gpointer user_data);
GVariant *ovpn3_session_read_backend_property_finish(Ovpn3Session *self, GAsyncResult *result,
                                                     GError **error);

/* The session's get_property_async (Ovpn3ExportedVTable). */
gboolean ovpn3_session_get_property_async(gpointer object, const Ovpn3Caller *caller,
                                          const char *name, Ovpn3PropertyReply *reply);

/* The backend's device_name; finish returns "" if none or unreadable. */
void ovpn3_session_get_device_name_async(Ovpn3Session *self, GAsyncReadyCallback callback,
                                         gpointer user_data);
char *ovpn3_session_get_device_name_finish(Ovpn3Session *self, GAsyncResult *result);

/* The device_name of every session of sessions (concurrent reads, each with
 * its own time limit); finish returns them in the same order ("" for none). */
void ovpn3_sessions_get_device_names_async(GPtrArray *sessions, GAsyncReadyCallback callback,
                                           gpointer user_data);
char **ovpn3_sessions_get_device_names_finish(GAsyncResult *result);

G_END_DECLS
