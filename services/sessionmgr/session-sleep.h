/* session-sleep.h — the sleep watch: logind's delay inhibitor lock and PrepareForSleep
 * (docs/architecture.md §5).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _Ovpn3SleepWatch Ovpn3SleepWatch;

/* Longest the lock is held once the system prepares for sleep (logind's own default limit,
 * InhibitDelayMaxSec, is 5 s). */
#define OVPN3_SLEEP_DELAY_MAX_MS 3000

/* before_sleep(user_data): the system prepares for sleep; the lock is held until
 * ovpn3_sleep_watch_ready() (or OVPN3_SLEEP_DELAY_MAX_MS). after_resume(user_data): it woke up
 * (the lock is taken again). Follows logind on connection while it is on the bus. */
Ovpn3SleepWatch *ovpn3_sleep_watch_new(GDBusConnection *connection, GCallback before_sleep,
                                       GCallback after_resume, gpointer user_data);
/* Everything is ready for sleep: the lock goes. */
void ovpn3_sleep_watch_ready(Ovpn3SleepWatch *self);
void ovpn3_sleep_watch_free(Ovpn3SleepWatch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3SleepWatch, ovpn3_sleep_watch_free)

G_END_DECLS
