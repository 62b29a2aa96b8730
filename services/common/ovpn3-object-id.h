/* ovpn3-object-id.h — generated object ids (docs/dbus-api.md §1): a random lower-case
 * UUID whose '-' are replaced by a letter ('x' config, 's' session,
 * 'l' log proxy, 't' backend token).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Length of an id: 36 characters. */
#define OVPN3_OBJECT_ID_LEN 36

char *ovpn3_object_id_new(char separator);
gboolean ovpn3_object_id_is_valid(const char *id, char separator);
/* "<prefix><id>", e.g. /net/openvpn/v3/configuration/<id>. */
char *ovpn3_object_path_new(const char *prefix, char separator);

G_END_DECLS
