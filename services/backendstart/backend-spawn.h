/* backend-spawn.h — how a backend client process is started: which
 * binary, with which (minimal) environment, detached (double fork +
 * setsid) so that it is not backendstart's child and outlives it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "ovpn3-names.h"

G_BEGIN_DECLS

/* The client binary: $OVPN3_CLIENT_BINARY if set (must be absolute), else
 * ovpn3-service-client next to the running binary when it is installed in
 * libexecdir, else the build tree's ../client/ovpn3-service-client when it
 * exists, else the installed libexecdir path. self_exe NULL = /proc/self/exe. */
char *ovpn3_backend_client_binary(const char *self_exe);

/* The environment a client gets: a fixed PATH and LANG, plus the bus
 * address and the OVPN3_ / G_ / sanitizer variables of this process
 * (test hooks); nothing else is inherited. */
char **ovpn3_backend_client_environ(const char *const *parent_env);

/* Starts `binary token` detached from the caller (setsid, double fork),
 * stdin on /dev/null, stdout and stderr shared with the caller, every
 * other descriptor closed. Returns the PID of the process that exec()s
 * the binary, or 0 with error (incl. exec failure). */
GPid ovpn3_backend_spawn(const char *binary, const char *token, char **envp, GError **error);

G_END_DECLS
