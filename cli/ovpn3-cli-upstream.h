/* ovpn3-cli-upstream.h — the spellings of OpenVPN 3 Linux's `openvpn3` that need more than an
 * extra GOptionEntry: config-manage's one option per override and --exists
 * (docs/compatibility.md §6)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* One option per override, `--KEY VALUE` as openvpn3 config-manage has them; each given one is
 * collected as "KEY=VALUE" (proxy-password: "-" only, then it is asked for). */
const GOptionEntry *ovpn3_cli_upstream_override_entries(void);
/* The collected "KEY=VALUE" strings, in command-line order (NULL-terminated; owned here). */
char **ovpn3_cli_upstream_overrides(void);

/* `OPTION VALUE` (two words; GOption gives an optional argument only as `OPTION=VALUE`) made
 * `OPTION=VALUE` in a new argv (*argv replaced; the strings are shared), when VALUE does not
 * start with '-' (@digits: when it is a number). */
void ovpn3_cli_join_optional(int *argc, char ***argv, const char *option, gboolean digits);

/* A new NULL-terminated copy of @a followed by @b (the strings are shared, never freed). */
GOptionEntry *ovpn3_cli_entries_join(const GOptionEntry *a, const GOptionEntry *b);

/* config-manage --exists: exit 0 and "Profile 'NAME' is present: PATH" (nothing with @quiet) if
 * the profile chosen by @name or @path exists and may be read, else its exit code (3: none;
 * @quiet: nothing printed either). */
int ovpn3_cli_upstream_exists(Ovpn3Cli *cli, const char *name, const char *path, gboolean quiet);

G_END_DECLS
