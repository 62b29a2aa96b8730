/* config-fleet-autostart.h — the systemd generator's work (README.md
 * "Fleets"): for each fleet profile NAME whose NAME.conf says autostart=true
 * (both files passing the ownership rules of config-fleet-file.h), a
 * multi-user.target.wants/ovpn3-session@NAME.service symbolic link to the
 * template unit in the generator's output directory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns the number of links made, or -1 when the output directory could
 * not be written. Files it skips are reported on stderr (systemd logs it). */
int ovpn3_fleet_autostart_generate(const char *profiles_dir, const char *out_dir,
                                   const char *template_unit);

G_END_DECLS
