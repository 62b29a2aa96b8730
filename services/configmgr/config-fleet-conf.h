/* config-fleet-conf.h — the optional NAME.conf of a fleet profile
 * (README.md "Fleets"): a key file with a [profile] group (name, tags,
 * public-access, autostart, acl-users, acl-groups) and an [overrides] group
 * (docs/dbus-api.md §9.2 names and types). Groups are expanded to uids when
 * the file is read.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *name;       /* display name; NULL: the file's NAME */
  GPtrArray *tags;  /* char* */
  GTree *overrides; /* name → GVariant (s or b) */
  GArray *acl;      /* guint32 uids, users and members of the groups, no duplicates */
  gboolean public_access;
  gboolean autostart;
} Ovpn3FleetConf;

Ovpn3FleetConf *ovpn3_fleet_conf_new(void);
void ovpn3_fleet_conf_free(Ovpn3FleetConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3FleetConf, ovpn3_fleet_conf_free)

/* Parses and checks a NAME.conf; errors name the file, group and key. With
 * autostart=true a display name must be NAME itself: ovpn3-session@NAME.service
 * looks the profile up by its name. */
Ovpn3FleetConf *ovpn3_fleet_conf_parse(const char *file, const char *name, const char *text,
                                       gsize length, GError **error);

G_END_DECLS
