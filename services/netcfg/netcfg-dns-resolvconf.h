/* netcfg-dns-resolvconf.h — the /etc/resolv.conf fallback, used when
 * systemd-resolved is not on the bus (docs/architecture.md §6).
 *
 * netcfg keeps to "only CAP_NET_ADMIN": /etc/resolv.conf is opened
 * read-write while still root, before the privilege drop
 * (netcfg_resolvconf_open), and every later rewrite goes through that
 * descriptor, in place (rename() onto a bind-mounted resolv.conf fails with
 * EBUSY anyway).
 *
 * Before the first rewrite the original content is saved in the protected
 * store (netcfg-store.h, record NETCFG_STORE_RESOLV_BACKUP: root's files,
 * out of reach of the service user's other processes), with the SHA-256
 * of each text netcfg then writes into resolv.conf (the last two); without
 * a store there is no rewrite. The payload, empty when there is no backup:
 *
 *   { "version": 1, "original": "<base64>", "written": [ "<sha256 hex>", … ] }
 *
 * Restoring writes the original back and empties the record. A backup
 * found at start-up means netcfg was killed while it had changed the
 * file: it is written back then — only if resolv.conf still holds what
 * netcfg last wrote there (anything else is the admin's newer file and
 * stays; the backup is dropped).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "netcfg-state.h"

G_BEGIN_DECLS

#define NETCFG_RESOLV_CONF "/etc/resolv.conf"

/* Opens path read-write (call while still privileged); FALSE if it
 * cannot, and the fallback is then unavailable. */
gboolean netcfg_resolvconf_open(const char *path, GError **error);
gboolean netcfg_resolvconf_usable(void);

/* Rewrites resolv.conf: the VPN's servers and search domains first; with
 * full_tunnel FALSE the original servers and domains follow them. */
gboolean netcfg_resolvconf_apply(GPtrArray *servers, GPtrArray *domains, gboolean full_tunnel,
                                 GError **error);
/* Writes the backup back and empties it; TRUE (and nothing done) when
 * there is none. */
gboolean netcfg_resolvconf_restore(GError **error);
/* At start-up: writes back a backup a killed predecessor left (see above),
 * logging what it does. */
void netcfg_resolvconf_recover(NetcfgStateLogFunc log, gpointer user_data);

/* The text netcfg_resolvconf_apply writes, for the unit tests. */
char *netcfg_resolvconf_render(const char *original, GPtrArray *servers, GPtrArray *domains,
                               gboolean full_tunnel);

G_END_DECLS
