/* session-state-store.h — the session manager's state file (OVPN3_SESSIONMGR_STATE_FILE, 0600
 * in a 0700 directory of the service user, written atomically with ovpn3-state-file.h): for each
 * live session what a restarted session manager needs to take it back (session-readopt.h): its
 * path, profile, owner, ACL, flags, creation time, its backend's unique name, bus name and PID,
 * and its LogForward subscribers. Written when a session goes live, changes its ACL or log
 * forwarding, or ends (services/sessionmgr/README.md "Restart").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "session-object.h"

G_BEGIN_DECLS

/* One session as the file recorded it (validated when read). */
typedef struct
{
  char *path;
  char *unique_name; /* its backend's connection */
  char *bus_name;    /* net.openvpn.v3.backends.be<PID> */
  guint32 pid;
  JsonNode *node; /* the whole record: the session is rebuilt from it, and it is written back
                   * while the session is awaited */
} Ovpn3SessionRecord;

void ovpn3_session_record_free(Ovpn3SessionRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3SessionRecord, ovpn3_session_record_free)

/* The record of a live session with a backend, or NULL (starting, restarting, closed). */
JsonNode *ovpn3_session_state_record(Ovpn3Session *session);

/* Writes the records (JsonNode*) to path. */
gboolean ovpn3_session_state_save(const char *path, GPtrArray *records, GError **error);

/* The records in path (Ovpn3SessionRecord*); an empty array if there is no file. A file that
 * is not ours, not 0600 or not valid is an error; so is a record that is not valid. */
GPtrArray *ovpn3_session_state_load(const char *path, GError **error);

/* A session object from a record (not exported, no backend). */
Ovpn3Session *ovpn3_session_new_from_record(Ovpn3SessionManager *manager,
                                            const Ovpn3SessionRecord *record);
/* The LogForward subscribers the record names. */
GStrv ovpn3_session_record_log_targets(const Ovpn3SessionRecord *record);

G_END_DECLS
