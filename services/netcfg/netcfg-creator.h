/* netcfg-creator.h — who created a device, told apart from a process that
 * merely has its PID now: the unique bus name, the PID and the process's
 * start time (/proc/PID/stat field 22, clock ticks after boot), recorded
 * when the device is made. After netcfg itself was killed, the next start
 * adopts a recorded device only while all three still hold
 * (docs/architecture.md §6 "Its own state, and cleanup").
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Field 22 (starttime) of a /proc/PID/stat text; FALSE if it is not
 * there or not a number. The command name (field 2) may hold anything,
 * ')' and spaces included: the fields after it are counted from its last ')'. */
gboolean netcfg_creator_parse_stat(const char *text, guint64 *start_time);

/* The start time of the process pid now; FALSE if it cannot be read
 * (gone, or /proc hidden). */
gboolean netcfg_creator_start_time(guint32 pid, guint64 *start_time);

/* TRUE when `name` is a unique bus name that the bus still gives to the
 * process `pid` (GetConnectionUnixProcessID, synchronous, at most 2 s),
 * and that process started at start_time; else *why says which of these
 * does not hold. */
gboolean netcfg_creator_is_alive(GDBusConnection *connection, const char *name, guint32 pid,
                                 guint64 start_time, char **why);

G_END_DECLS
