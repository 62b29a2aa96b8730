/* ovpn3-idle.h — idle exit: fires once no D-Bus activity happened for the
 * timeout and no object that counts is held (docs/dbus-api.md §2 idle rule).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define OVPN3_TYPE_IDLE (ovpn3_idle_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3Idle, ovpn3_idle, OVPN3, IDLE, GObject)

/* timeout_seconds 0 = never exit. Emits "idle" once when it fires. */
Ovpn3Idle *ovpn3_idle_new(guint timeout_seconds);
guint ovpn3_idle_get_timeout(Ovpn3Idle *self);
/* Changes the timeout (e.g. from a settings file) and re-arms the timer. */
void ovpn3_idle_set_timeout(Ovpn3Idle *self, guint timeout_seconds);
/* Activity: re-arms the timer. */
void ovpn3_idle_touch(Ovpn3Idle *self);
/* Objects that keep the service alive (sessions, non-persistent configs…). */
void ovpn3_idle_hold(Ovpn3Idle *self);
void ovpn3_idle_release(Ovpn3Idle *self);
guint ovpn3_idle_get_holds(Ovpn3Idle *self);

G_END_DECLS
