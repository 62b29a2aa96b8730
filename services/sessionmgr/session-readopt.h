/* session-readopt.h — a restarted session manager takes back the sessions its predecessor
 * recorded (session-state-store.h; services/sessionmgr/README.md "Restart"). Each recorded
 * backend client re-registers with a RegistrationRequest when the name
 * net.openvpn.v3.sessions has an owner again; it is accepted only from the unique name in the
 * record, from the PID in the record (asked of the bus), as the service user; owner and ACL
 * come from the record. The session is then confirmed as at a start (RegistrationConfirmation,
 * which makes the backend tell the log service again which session it serves), exported at its
 * old path, announced with SESS_CREATED and its LogForward subscribers still on the bus are
 * restored. Until every record came back or OVPN3_READOPT_WAIT_S passed, the list and lookup
 * calls (and NewTunnel) wait, and so do calls on a recorded session's path until it is taken
 * back or not (session-placeholder.h); the records that did not come back are dropped (a backend that
 * asks later is told to end; one that never asks ends by itself: services/client/README.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "session-manager.h"

G_BEGIN_DECLS

#define OVPN3_READOPT_WAIT_S 5

typedef struct _Ovpn3Readopt Ovpn3Readopt;

/* Takes records (Ovpn3SessionRecord*, transfer full); waits only if there are any. */
Ovpn3Readopt *ovpn3_readopt_new(Ovpn3SessionManager *manager, GPtrArray *records);
/* The manager goes: waiting calls are answered with an error, later answers are ignored. */
void ovpn3_readopt_close(Ovpn3Readopt *self);

/* TRUE if the call was queued (answered once the wait ends). */
gboolean ovpn3_readopt_defer(Ovpn3Readopt *self, const Ovpn3Caller *caller, const char *method,
                             GVariant *parameters, GDBusMethodInvocation *invocation);

/* A RegistrationRequest that no start waits for: TRUE if it is from a recorded backend's
 * connection (checked further, then taken back), FALSE to refuse it. */
gboolean ovpn3_readopt_request(gpointer self, const char *sender, const char *bus_name,
                               const char *token, guint32 pid);

/* Appends the records still awaited (JsonNode*, owned by self) to records. */
void ovpn3_readopt_add_awaited(Ovpn3Readopt *self, GPtrArray *records);

G_END_DECLS
