/* session-backend-start.h — starting one backend client for a session: the step NewTunnel
 * (session-new-tunnel.c) and automatic restart (session-restart.c) share
 * (docs/architecture.md §2, docs/security.md §5). In the order it runs:
 *  1. launch:  backendstart's StartClient with the caller's token, then the client's
 *              RegistrationRequest with that token (sent to our unique name), accepted only
 *              from the process StartClient started, running as the service user and owning
 *              the net.openvpn.v3.backends.be<PID> name it claims;
 *  2. attach:  the session follows the registered backend (its signals, its connection);
 *  3. confirm: the backend's host_wide property (the session's start-host-wide answer), then
 *              RegistrationConfirmation on the same connection; the backend must not have
 *              reported an error while it read the profile.
 * The caller bounds the whole (OVPN3_SESSION_START_TIMEOUT_S) and withdraws a launch it no
 * longer waits for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-service.h"
#include "session-object.h"

G_BEGIN_DECLS

#define OVPN3_TYPE_BACKEND_STARTER (ovpn3_backend_starter_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3BackendStarter, ovpn3_backend_starter, OVPN3, BACKEND_STARTER, GObject)

/* A backend client whose RegistrationRequest passed every check. */
typedef struct
{
  char *unique_name; /* its connection (":1.42") */
  char *bus_name;    /* net.openvpn.v3.backends.be<PID> */
  guint32 pid;
} Ovpn3Registrant;

void ovpn3_registrant_free(Ovpn3Registrant *registrant);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Registrant, ovpn3_registrant_free)

/* Follows the RegistrationRequest signals on ctx's connection (not owned). */
Ovpn3BackendStarter *ovpn3_backend_starter_new(Ovpn3ServiceContext *ctx);

/* 1. launch. token: a new ovpn3_object_id_new(OVPN3_ID_SEP_TOKEN), also the one confirm
 * sends. The callback's source object is the starter. */
void ovpn3_backend_starter_launch_async(Ovpn3BackendStarter *self, const char *token,
                                        GAsyncReadyCallback callback, gpointer user_data);
/* The registrant, or NULL with error: its message says why ("the backend starter failed:
 * …"); G_IO_ERROR_CANCELLED after ovpn3_backend_starter_withdraw(). */
Ovpn3Registrant *ovpn3_backend_starter_launch_finish(Ovpn3BackendStarter *self,
                                                     GAsyncResult *result, GError **error);
/* The start with this token ended: later RegistrationRequests with it are refused, a launch
 * still waiting completes with G_IO_ERROR_CANCELLED (perhaps before this returns). */
void ovpn3_backend_starter_withdraw(Ovpn3BackendStarter *self, const char *token);

/* A RegistrationRequest that no launch waits for goes to readopt (a session manager restart:
 * session-readopt.h) before it is refused: TRUE if readopt took it. */
typedef gboolean (*Ovpn3ReadoptFunc)(gpointer data, const char *sender, const char *bus_name,
                                     const char *token, guint32 pid);
void ovpn3_backend_starter_set_readopt(Ovpn3BackendStarter *self, Ovpn3ReadoptFunc readopt,
                                       gpointer data);

/* 2. attach (ovpn3_session_attach_backend() of a new proxy on the starter's connection). */
void ovpn3_backend_starter_attach(Ovpn3BackendStarter *self, Ovpn3Session *session,
                                  const Ovpn3Registrant *registrant);

/* 3. confirm, for the backend attached to session. The callback's source object is the
 * session. finish: FALSE with error, whose message says why. */
void ovpn3_backend_confirm_async(Ovpn3Session *session, const char *token,
                                 GAsyncReadyCallback callback, gpointer user_data);
gboolean ovpn3_backend_confirm_finish(Ovpn3Session *session, GAsyncResult *result, GError **error);

G_END_DECLS
