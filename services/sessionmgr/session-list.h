/* session-list.h — the manager's lists: FetchAvailableSessions, FetchManagedInterfaces,
 * LookupConfigName and LookupInterface. A caller sees the sessions they own, share or that are
 * public, all of them with manage-others (asked without interaction, docs/security.md §6);
 * starting and closed sessions are not listed. The device names are read from every listed
 * session's backend at once (session-properties.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "session-manager.h"

G_BEGIN_DECLS

typedef enum
{
  OVPN3_LIST_SESSIONS,      /* FetchAvailableSessions */
  OVPN3_LIST_INTERFACES,    /* FetchManagedInterfaces */
  OVPN3_LOOKUP_CONFIG_NAME, /* LookupConfigName */
  OVPN3_LOOKUP_INTERFACE,   /* LookupInterface */
} Ovpn3SessionListKind;

void ovpn3_session_list(Ovpn3SessionManager *manager, const Ovpn3Caller *caller,
                        Ovpn3SessionListKind kind, GVariant *parameters,
                        GDBusMethodInvocation *invocation);

G_END_DECLS
