/* ovpn3-cli-openvpn3.h — `ovpn3 config-import --from-openvpn3 [DIR]`: OpenVPN 3 Linux's
 * persistent profiles (one JSON file each, in its configuration manager's state directory)
 * imported with their owner, name, tags, overrides, ACL and flags (docs/compatibility.md §6)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* Where upstream keeps them by default. */
#define OVPN3_OPENVPN3_CONFIGS_DIR "/var/lib/openvpn3/configs"

/* The GOptionEntry of --from-openvpn3[=DIR] for config-import. */
#define OVPN3_CLI_OPENVPN3_ENTRY                                           \
  {                                                                        \
    "from-openvpn3", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, \
        (gpointer) ovpn3_cli_openvpn3_option,                              \
        "As root: import OpenVPN 3 Linux's persistent profiles "           \
        "(default " OVPN3_OPENVPN3_CONFIGS_DIR ")",                        \
        "[DIR]"                                                            \
  }
gboolean ovpn3_cli_openvpn3_option(const char *option_name, const char *value, gpointer data,
                                   GError **error);
/* The folder --from-openvpn3 named, or NULL when it was not given. */
const char *ovpn3_cli_openvpn3_dir(void);

/* Import every *.json of the folder; one line per file.  Returns the exit code: 0 when every
 * file was imported, 1 when one was refused. */
int ovpn3_cli_import_openvpn3(Ovpn3Cli *cli, const char *dir);

/* The profile text of upstream's "profile" member (its OptionListJSON, every format its
 * json_import() reads), or NULL with @error. */
char *ovpn3_openvpn3_profile_text(JsonObject *profile, GError **error);

G_END_DECLS
