/* ovpn3-seccomp.h — the syscall filter of the processes that may switch to
 * an engine uid (backendstart, backend clients) and of everything they start
 * (docs/security.md §3): set*id calls only with ids inside the engine range (never -1),
 * setgroups only to an empty list, no user namespaces (CLONE_NEWUSER in
 * unshare/clone refused, clone3 reported as missing so that libc falls back
 * to clone, setns refused), native architecture only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Install before any thread exists (it applies to the calling thread and
 * to what it forks). Sets NO_NEW_PRIVS. */
gboolean ovpn3_seccomp_install_engine_filter(GError **error);

G_END_DECLS
