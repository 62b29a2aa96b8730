/* config-peers.h — which processes of the service user may read a profile
 * (docs/security.md §5): the session manager
 * (it decides NewTunnel with the profile's properties and reads the profile
 * for its privileged options) and the backend client of a session that
 * uses this profile (it reads the profile and the overrides it needs).
 * Every other process of the service user is a stranger to the profile:
 * AccessDenied for Fetch/FetchJSON and the properties only the ACL may read.
 * The roles come from the exporter (ovpn3-peer-role.h, the session
 * manager's LookupBackend).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"

G_BEGIN_DECLS

/* The session manager, or the backend of a session of config_path. */
gboolean ovpn3_config_peer_may_read(const Ovpn3Caller *caller, const char *config_path);

/* The backend client of a session of config_path (its Fetch is a use, and
 * removes a single-use profile). */
gboolean ovpn3_config_peer_is_backend_of(const Ovpn3Caller *caller, const char *config_path);

G_END_DECLS
