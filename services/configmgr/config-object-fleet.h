/* config-object-fleet.h — a configuration profile object loaded from the
 * fleet directory (README.md "Fleets"): owned by root, persistent, never
 * written to the state directory and read-only over D-Bus; reloading its
 * files changes it in place.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "config-fleet-conf.h"
#include "config-object.h"

G_BEGIN_DECLS

/* The object of fleet profile NAME (its path derived from NAME, so the same
 * NAME keeps its path across reloads and restarts). Takes a reference on
 * profile; conf may be NULL (no NAME.conf). */
Ovpn3ConfigObject *ovpn3_config_object_new_fleet(Ovpn3ConfigManager *manager, const char *name,
                                                 const char *file, Ovpn3Profile *profile,
                                                 const Ovpn3FleetConf *conf);
/* Puts the profile and NAME.conf settings of a reload in place. */
void ovpn3_config_object_fleet_update(Ovpn3ConfigObject *self, const char *name,
                                      Ovpn3Profile *profile, const Ovpn3FleetConf *conf);

/* The NAME.ovpn a fleet profile comes from; NULL for every other profile. */
const char *ovpn3_config_object_get_fleet_file(Ovpn3ConfigObject *self);

/* For a fleet profile: sets the error every change over D-Bus answers and
 * returns TRUE. FALSE (error untouched) for any other profile. */
gboolean ovpn3_config_object_fleet_refuses(Ovpn3ConfigObject *self, GError **error);
/* The methods a fleet profile still answers: Validate, Fetch, FetchJSON.
 * Returns FALSE after answering the refusal for any other method. */
gboolean ovpn3_config_object_fleet_allows(Ovpn3ConfigObject *self, const char *method,
                                          GDBusMethodInvocation *invocation);

G_END_DECLS
