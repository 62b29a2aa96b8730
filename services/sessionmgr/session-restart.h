/* session-restart.h — automatic-restart=on-failure (a profile override): a session whose
 * backend client crashed after Connect gets a new one under the same session path, with a
 * back-off, and Ready and Connect run again (docs/architecture.md §2). The steps are listed at
 * the top of session-restart.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "session-manager.h"

G_BEGIN_DECLS

/* The session's backend crashed: start a new one after a back-off (3·2^(n−1) s, at most
 * 768 s, at most 10 times, then the session ends), then re-run Ready and Connect. */
void ovpn3_session_restart(Ovpn3SessionManager *manager, Ovpn3Session *session);

G_END_DECLS
