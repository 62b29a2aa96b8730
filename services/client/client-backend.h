/* client-backend.h — the backend client object /net/openvpn/v3/backends/session
 * (docs/dbus-api.md §3.4): registration with the session manager, the user-input queue,
 * Ready/Connect/Pause/Resume/Restart/Disconnect/ForceShutdown, properties,
 * and the StatusChange/AttentionRequired/Log signals (to the session manager's
 * unique name and to the log service). Drives one openvpn process
 * (client-openvpn.h) and its netcfg device (client-netcfg.h) and maps the
 * management events as in docs/architecture.md §5.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-access.h"
#include "ovpn3-engine.h"
#include "ovpn3-service.h"

G_BEGIN_DECLS

/* Who may call what on the backend client object (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_client_backend_access;

/* The registration must complete within this time or the client exits. */
#define OVPN3_CLIENT_REGISTRATION_TIMEOUT_S 30
/* Disconnect: SIGTERM over the socket, SIGKILL after this many seconds. */
#define OVPN3_CLIENT_STOP_TIMEOUT_S 5
/* auth-fail-retry: how long a session whose login failed waits for new credentials. */
#define OVPN3_CLIENT_AUTH_RETRY_S 300
/* The session manager died: how long the session waits to be taken back by its next start
 * (which waits OVPN3_READOPT_WAIT_S = 5 s for its recorded sessions) before it ends. */
#define OVPN3_CLIENT_READOPT_TIMEOUT_S 20

#define OVPN3_TYPE_CLIENT_BACKEND (ovpn3_client_backend_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ClientBackend, ovpn3_client_backend, OVPN3, CLIENT_BACKEND, GObject)

/* Exports the object; token = the registration token from argv. */
/* engine: the session's engine uid and its lock, taken over (reset in the
 * caller); engine_error: why none could be had (the registration then fails
 * with it). */
Ovpn3ClientBackend *ovpn3_client_backend_new(Ovpn3ServiceContext *ctx, const char *bus_name,
                                             const char *token, Ovpn3EngineId *engine,
                                             const GError *engine_error, guint log_level,
                                             GError **error);
/* Called once the bus name is ours and the session manager's unique name is known (owner;
 * NULL with error: the client exits): sends RegistrationRequest, then watches the name. */
void ovpn3_client_backend_register(Ovpn3ClientBackend *self, const char *owner,
                                   const GError *error);
/* Last chance at exit (SIGTERM): stops openvpn at once. */
void ovpn3_client_backend_shutdown(Ovpn3ClientBackend *self);

G_END_DECLS
