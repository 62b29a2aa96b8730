/* ovpn3-rate-limit.h — "log this at most once per key per interval, and at
 * most N lines per interval in all": what untrusted senders can trigger
 * (forged registrations, refused calls) must not flood the journal.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _Ovpn3RateLimit Ovpn3RateLimit;

Ovpn3RateLimit *ovpn3_rate_limit_new(gint64 interval_us, guint max_per_interval);
void ovpn3_rate_limit_free(Ovpn3RateLimit *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3RateLimit, ovpn3_rate_limit_free)

/* TRUE if a line about key may be written now. *suppressed (may be NULL)
 * gets how many lines were held back since the last one allowed, so that
 * the next line can say so. */
gboolean ovpn3_rate_limit_allow(Ovpn3RateLimit *self, const char *key, guint *suppressed);

G_END_DECLS
