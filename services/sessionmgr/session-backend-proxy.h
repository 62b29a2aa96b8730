/* session-backend-proxy.h — the session manager's handle on one backend
 * client (net.openvpn.v3.backends.be<PID>, /net/openvpn/v3/backends/session):
 * its signals (StatusChange, AttentionRequired, Log) from that process
 * only, a watch on its connection, method calls whose errors keep the
 * backend's D-Bus error name and text, and property reads.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OVPN3_TYPE_BACKEND_PROXY (ovpn3_backend_proxy_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3BackendProxy, ovpn3_backend_proxy, OVPN3, BACKEND_PROXY, GObject)

/* Seconds a proxied call may take (Disconnect waits up to 5 s for
 * openvpn, then kills it). */
#define OVPN3_BACKEND_CALL_TIMEOUT_MS 20000
/* Property reads: the caller waits for them (not the main loop). */
#define OVPN3_BACKEND_GET_TIMEOUT_MS 5000

/* unique_name: the backend's connection (":1.42"); bus_name: the
 * net.openvpn.v3.backends.be<PID> it owns. Signals:
 *   "status-change" (guint major, guint minor, const char *message)
 *   "attention-required" (guint type, guint group, const char *message)
 *   "log" (guint group, guint level, const char *message)
 *   "vanished" () — the backend's connection left the bus (once). */
Ovpn3BackendProxy *ovpn3_backend_proxy_new(GDBusConnection *connection, const char *unique_name,
                                           const char *bus_name, guint32 pid);

const char *ovpn3_backend_proxy_get_unique_name(Ovpn3BackendProxy *self);
const char *ovpn3_backend_proxy_get_bus_name(Ovpn3BackendProxy *self);
guint32 ovpn3_backend_proxy_get_pid(Ovpn3BackendProxy *self);
gboolean ovpn3_backend_proxy_is_gone(Ovpn3BackendProxy *self);
/* A property read timed out; later reads fail at once. */
gboolean ovpn3_backend_proxy_is_hung(Ovpn3BackendProxy *self);

/* Stops signals and the watch (the session is closing). */
void ovpn3_backend_proxy_detach(Ovpn3BackendProxy *self);

/* callback's source object is the GDBusConnection: finish with
 * g_dbus_connection_call_finish(). */
void ovpn3_backend_proxy_call(Ovpn3BackendProxy *self, const char *method, GVariant *parameters,
                              const GVariantType *reply_type, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* Fire and forget (ForceShutdown, property writes). */
void ovpn3_backend_proxy_call_noreply(Ovpn3BackendProxy *self, const char *method,
                                      GVariant *parameters);
void ovpn3_backend_proxy_set_property(Ovpn3BackendProxy *self, const char *name, GVariant *value);

/* Reads a property of the backend without blocking (at most
 * OVPN3_BACKEND_GET_TIMEOUT_MS; a timeout marks the backend hung). finish
 * returns the value (full reference) or NULL with error. */
void ovpn3_backend_proxy_get_property_async(Ovpn3BackendProxy *self, const char *name,
                                            GAsyncReadyCallback callback, gpointer user_data);
GVariant *ovpn3_backend_proxy_get_property_finish(Ovpn3BackendProxy *self, GAsyncResult *result,
                                                  GError **error);

/* TRUE if the error means the backend is dead or hung (no such name, no
 * reply, timeout, disconnected). */
gboolean ovpn3_backend_error_is_gone(const GError *error);

/* Completes invocation with error as the backend sent it: same D-Bus error
 * name, same text (no "GDBus.Error:" prefix). */
void ovpn3_backend_return_error(GDBusMethodInvocation *invocation, const GError *error);

G_END_DECLS
