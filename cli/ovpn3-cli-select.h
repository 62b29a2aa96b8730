/* ovpn3-cli-select.h — pick one profile by --config NAME or --path PATH
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* The object path of the profile chosen by @name (LookupConfigName; an object path is taken as
 * such) or @path.  On failure prints a plain error (none given, not found, ambiguous: lists the
 * paths) and returns NULL with *exit_code set. */
char *ovpn3_cli_select_config(Ovpn3Cli *cli, const char *name, const char *path, int *exit_code);

/* The GOptionEntry pair every profile command uses; the strings go into *name / *path. */
#define OVPN3_CLI_SELECT_ENTRIES(name_var, path_var)                                            \
  { "config", 'c', 0, G_OPTION_ARG_STRING, &(name_var), "The profile with this name", "NAME" }, \
  {                                                                                             \
    "path", 'o', 0, G_OPTION_ARG_STRING, &(path_var), "The profile at this D-Bus object path",  \
        "PATH"                                                                                  \
  }

G_END_DECLS
