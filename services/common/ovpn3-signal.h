/* ovpn3-signal.h — signal subscriptions: the bus daemon's NameOwnerChanged,
 * parsed (the caches kept per unique name, ovpn3-credentials.c and
 * ovpn3-peer-role.c, and the owner of a well-known name), and ending a
 * subscription.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* name has a new owner, "" when nobody owns it any more (a unique name:
 * the connection left the bus). */
typedef void (*Ovpn3NameOwnerFunc)(const char *name, const char *new_owner, gpointer user_data);

/* Calls func for every well-formed NameOwnerChanged from the bus daemon,
 * until ovpn3_signal_unsubscribe_clear(). Returns the subscription id. */
guint ovpn3_name_owner_subscribe(GDBusConnection *connection, Ovpn3NameOwnerFunc func,
                                 gpointer user_data);

/* Ends the signal subscription *id (any signal), if any, and sets *id to 0. */
void ovpn3_signal_unsubscribe_clear(GDBusConnection *connection, guint *id);

/* TRUE when name is a unique name and new_owner says it left the bus. */
gboolean ovpn3_name_owner_unique_left(const char *name, const char *new_owner);

G_END_DECLS
