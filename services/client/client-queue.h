/* client-queue.h — the backend's user-input queue (docs/dbus-api.md §6).
 *
 * A list of slots {type, group, id, name, description, hidden_input,
 * provided, value}. ids count per (type, group) from 0 and are never reused;
 * slots stay after being provided. Values are secrets: they are wiped when
 * replaced, forgotten or freed, and never logged.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Longest value accepted (openvpn's management lexer takes 256 characters per token). */
#define OVPN3_CLIENT_QUEUE_MAX_VALUE 256

#define OVPN3_TYPE_CLIENT_QUEUE (ovpn3_client_queue_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ClientQueue, ovpn3_client_queue, OVPN3, CLIENT_QUEUE, GObject)

Ovpn3ClientQueue *ovpn3_client_queue_new(void);

/* Adds an unprovided slot; returns its id. */
guint ovpn3_client_queue_add(Ovpn3ClientQueue *self, guint type, guint group, const char *name,
                             const char *description, gboolean hidden);
/* Adds a slot that is already provided (filled internally, e.g. the CRV1 cookie). */
guint ovpn3_client_queue_add_provided(Ovpn3ClientQueue *self, guint type, guint group,
                                      const char *name, const char *description, gboolean hidden,
                                      const char *value);

/* UserInputQueueGetTypeGroup: a(uu) of pairs with unprovided slots, in insertion order. */
GVariant *ovpn3_client_queue_get_type_group(Ovpn3ClientQueue *self);
/* UserInputQueueCheck: au of unprovided ids of the pair. */
GVariant *ovpn3_client_queue_check(Ovpn3ClientQueue *self, guint type, guint group);
/* UserInputQueueFetch: (uuussb), or NULL with an OVPN3_ERROR_REQUEST error. */
GVariant *ovpn3_client_queue_fetch(Ovpn3ClientQueue *self, guint type, guint group, guint id,
                                   GError **error);
/* UserInputProvide: control characters are stripped from value first. */
gboolean ovpn3_client_queue_provide(Ovpn3ClientQueue *self, guint type, guint group, guint id,
                                    const char *value, GError **error);

/* TRUE when no slot is waiting for input (all provided). */
gboolean ovpn3_client_queue_complete(Ovpn3ClientQueue *self);
/* TRUE when the pair has unprovided slots. */
gboolean ovpn3_client_queue_pending(Ovpn3ClientQueue *self, guint type, guint group);
/* Value of the newest provided slot with this name in the pair, or NULL (owned by the queue). */
const char *ovpn3_client_queue_get_value(Ovpn3ClientQueue *self, guint type, guint group,
                                         const char *name);
/* TRUE if the pair has a slot with this name (provided or not). */
gboolean ovpn3_client_queue_has_slot(Ovpn3ClientQueue *self, guint type, guint group,
                                     const char *name);
/* Wipes every value of the pair (one-time secrets once used). */
void ovpn3_client_queue_forget(Ovpn3ClientQueue *self, guint type, guint group);

G_END_DECLS
