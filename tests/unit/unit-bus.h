/* unit-bus.h — what the unit tests that need a private bus share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A new connection to the GTestDBus bus (fails the test if it cannot). */
GDBusConnection *unit_bus_connect(GTestDBus *bus);

G_END_DECLS
