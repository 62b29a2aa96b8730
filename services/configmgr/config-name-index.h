/* config-name-index.h — the configuration manager's profiles by name, so that
 * LookupConfigName looks at the profiles of that name only, however many
 * there are (issue 16: per-operation cost flat from 100 to 1000 profiles).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _Ovpn3ConfigNameIndex Ovpn3ConfigNameIndex;

Ovpn3ConfigNameIndex *ovpn3_config_name_index_new(void);
void ovpn3_config_name_index_free(Ovpn3ConfigNameIndex *index);
/* object is not referenced: the caller removes it before it goes. */
void ovpn3_config_name_index_add(Ovpn3ConfigNameIndex *index, const char *name, gpointer object);
void ovpn3_config_name_index_remove(Ovpn3ConfigNameIndex *index, const char *name, gpointer object);
/* The objects named name (not owned), or NULL when there is none. */
GPtrArray *ovpn3_config_name_index_lookup(Ovpn3ConfigNameIndex *index, const char *name);

G_END_DECLS
