/* ovpn3-engine.h — the engine trust domain (docs/security.md §3): every session's
 * openvpn runs under a uid and gid of its own, taken from a build-time range
 * (meson options engine_uid_min/engine_uid_max; gid = uid).
 *
 * A uid is held by the backend client of one session through an flock()ed
 * file in OVPN3_ENGINE_LOCK_DIR, so it is free again the moment that client
 * is gone, however it ended. It is handed out only if no user or group has
 * it, no /etc/subuid or /etc/subgid range covers it, and no process of that
 * uid is left (a leftover of an earlier engine cannot wait for the next
 * session).
 *
 * The long-lived processes never change their own ids: every switch happens
 * in a forked child (ovpn3_engine_become()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  guint32 uid; /* = gid */
  int lock_fd; /* -1 when not held */
} Ovpn3EngineId;

#define OVPN3_ENGINE_ID_INIT \
  {                          \
    G_MAXUINT32, -1          \
  }

gboolean ovpn3_engine_uid_in_range(guint32 uid);

/* Takes the first free uid of the range. Blocking (passwd/group lookups,
 * a short-lived child): call it from a worker thread. Fails with
 * G_IO_ERROR_NO_SPACE when the range is used up. */
gboolean ovpn3_engine_id_allocate(const char *lock_dir, Ovpn3EngineId *id, GError **error);
void ovpn3_engine_id_release(Ovpn3EngineId *id);

/* In a forked child, before execve(): no supplementary groups, gid and uid
 * (real, effective, saved) = uid, no capabilities left in any set,
 * NO_NEW_PRIVS, then PR_SET_PDEATHSIG (the switch resets it) when
 * pdeathsig != 0. Async-signal-safe. Returns 0 or an errno value. */
int ovpn3_engine_become(guint32 uid, int pdeathsig);
/* The same without the switch: no capability in any set, NO_NEW_PRIVS,
 * PDEATHSIG. Async-signal-safe. Returns 0 or an errno value. */
int ovpn3_engine_drop_privileges(int pdeathsig);

/* Sends sig to every process of uid, from a short-lived child switched to
 * it (the services hold no CAP_KILL). Returns FALSE with errno-based error
 * if the child could not do it; "no process" is success. */
gboolean ovpn3_engine_signal_all(guint32 uid, int sig, GError **error);

/* Whether any process whose real uid is uid is left (returns FALSE with
 * error set if that cannot be told). No child, no permission needed. */
gboolean ovpn3_engine_uid_has_processes(guint32 uid, gboolean *has, GError **error);

G_END_DECLS
