/* session-lookup.h — LookupBackend on the session manager object: the
 * session manager is the authority on which backend client serves which
 * session (docs/security.md §5). configmgr,
 * the log service and netcfg ask it before they serve a process of the
 * service user as a backend (services/common/ovpn3-peer-role.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

/* LookupBackend(s unique_name) → (o session_path, o config_path, u owner,
 * u backend_pid), for the service user only. sessions: path → Ovpn3Session
 * (the manager's table, starting sessions included). Answers only for the
 * backend client whose registration passed every check (its session
 * object exists and holds it), while it is on the bus; InvalidArgs for
 * everything else. */
void ovpn3_session_lookup_backend(GHashTable *sessions, const Ovpn3Caller *caller,
                                  GVariant *parameters, GDBusMethodInvocation *invocation);

G_END_DECLS
