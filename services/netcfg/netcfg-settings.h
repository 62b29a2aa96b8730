/* netcfg-settings.h — the administrator's settings of netcfg: which DNS
 * backend it uses (`dns_backend`, docs/compatibility.md §4). Kept in
 * netcfg's persistent store directory (record netcfg-settings in
 * /var/lib/ovpn3-netcfg, netcfg-store.h: root's, opened before the
 * privilege drop), so idle exits, crashes, restarts and reboots keep them.
 *
 * Without that directory (it could not be opened: said on stderr) they go
 * to the runtime directory's record (/run/ovpn3/netcfg) and last until the
 * next reboot, as older versions kept them. A setting found there is the
 * newer one (written only then, or by an older netcfg): once the persistent
 * directory opens it moves there at start. A record that is damaged or not
 * valid is ignored (said on stderr; `auto` unless the other holds one).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netcfg-manager.h"

G_BEGIN_DECLS

typedef enum
{
  NETCFG_DNS_BACKEND_AUTO,        /* systemd-resolved when on the bus, else resolv.conf */
  NETCFG_DNS_BACKEND_RESOLVED,    /* always systemd-resolved (activated if need be) */
  NETCFG_DNS_BACKEND_RESOLV_CONF, /* always /etc/resolv.conf */
} NetcfgDnsBackend;

/* Reads the stored setting (missing or unreadable: `auto`, said on stderr). */
void netcfg_settings_load(void);
/* Whether settings are kept across reboots (the persistent directory is open). */
gboolean netcfg_settings_are_persistent(void);
NetcfgDnsBackend netcfg_settings_get_dns_backend(void);
/* The value of the `dns_backend` property. */
const char *netcfg_settings_dns_backend_name(void);
/* Checks and stores name; InvalidArgs for an unknown name, Failed when it
 * cannot be kept (no store): then nothing changes. */
gboolean netcfg_settings_set_dns_backend(const char *name, GError **error);
/* The manager's property write: the above, logged with the caller's uid. */
gboolean netcfg_settings_set_property(NetcfgManager *manager, const Ovpn3Caller *caller,
                                      GVariant *value, GError **error);
/* Whether DNS goes to systemd-resolved, given whether it is on the bus. */
gboolean netcfg_settings_use_resolved(gboolean resolved_present);

G_END_DECLS
