/* ovpn3-cli-change.h — changing a profile or a session: a method call or a property set that
 * reports its failure in plain words, and granting or revoking a user's access
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* What is changed: the service's bus name and the objects' interface, and the hint shown when
 * the service says no. */
typedef struct
{
  const char *dest;
  const char *iface;
  const char *access_hint;
} Ovpn3CliTarget;

/* @method(@args) on @path; a failure is reported as @what.  Returns the exit code. */
int ovpn3_cli_change_call(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                          const char *method, GVariant *args, const char *what);
/* Sets the property @prop of @path to @value; a failure is reported as @what. */
int ovpn3_cli_change_set(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                         const char *prop, GVariant *value, const char *what);
/* Sets the boolean property @prop to @value: 0 or 1; -1: not asked for, nothing to do.  *changed
 * set after a success. */
int ovpn3_cli_change_set_yesno(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                               const char *prop, int value, const char *what, gboolean *changed);
/* AccessGrant (@grant) or AccessRevoke for every user (name or UID) of @users; *changed set
 * after each success.  Stops at the first failure and returns its exit code. */
int ovpn3_cli_change_access(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                            char **users, gboolean grant, gboolean *changed);

/* How a change command ends: "@done_text" when something @changed (and --show was not given),
 * else @show (the settings of @path).  Returns the exit code. */
typedef int (*Ovpn3CliShowFunc)(Ovpn3Cli *cli, const char *path);
int ovpn3_cli_change_done(Ovpn3Cli *cli, const char *path, gboolean changed, gboolean show_asked,
                          const char *done_text, Ovpn3CliShowFunc show);

G_END_DECLS
