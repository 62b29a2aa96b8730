/* netcfg-dns-resolvconf.h — the /etc/resolv.conf fallback, used when
 * systemd-resolved is not on the bus (design §6).
 *
 * netcfg keeps to "only CAP_NET_ADMIN": /etc/resolv.conf is opened
 * read-write while still root, before the privilege drop
 * (netcfg_resolvconf_open), and every later rewrite goes through that
 * descriptor, in place (rename() onto a bind-mounted resolv.conf fails with
 * EBUSY anyway). Before the first rewrite the original content is saved to
 * <state dir>/resolv.conf.backup (0600, fsync'd); restoring writes it back
 * and removes the backup. A backup found at start-up means netcfg was
 * killed while it had changed the file: it is restored then.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NETCFG_RESOLV_CONF        "/etc/resolv.conf"
#define NETCFG_RESOLV_BACKUP_NAME "resolv.conf.backup"

/* Opens path read-write (call while still privileged); FALSE if it
 * cannot, and the fallback is then unavailable. */
gboolean netcfg_resolvconf_open(const char *path, GError **error);
gboolean netcfg_resolvconf_usable(void);

/* Rewrites resolv.conf: the VPN's servers and search domains first; with
 * full_tunnel FALSE the original servers and domains follow them. */
gboolean netcfg_resolvconf_apply(const char *state_dir, GPtrArray *servers, GPtrArray *domains,
                                 gboolean full_tunnel, GError **error);
/* Writes the backup back and removes it; TRUE (and nothing done) when
 * there is no backup. */
gboolean netcfg_resolvconf_restore(const char *state_dir, GError **error);

/* The text netcfg_resolvconf_apply writes, for the unit tests. */
char *netcfg_resolvconf_render(const char *original, GPtrArray *servers, GPtrArray *domains,
                               gboolean full_tunnel);

G_END_DECLS
