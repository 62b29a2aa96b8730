/* config-manager.h — net.openvpn.v3.configuration manager object
 * (/net/openvpn/v3/configuration): Import, listing and search, ownership
 * transfer, persistence of profiles in the state directory.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "config-name-index.h"
#include "ovpn3-access.h"
#include "ovpn3-manager.h"
#include "ovpn3-service.h"

G_BEGIN_DECLS

/* Who may call what on the configuration manager (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_config_manager_access;

#define OVPN3_TYPE_CONFIG_MANAGER (ovpn3_config_manager_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ConfigManager, ovpn3_config_manager, OVPN3, CONFIG_MANAGER, GObject)

typedef struct _Ovpn3ConfigObject Ovpn3ConfigObject;

/* Exports the manager and every persistent profile found in state_dir. */
Ovpn3ConfigManager *ovpn3_config_manager_new(Ovpn3ServiceContext *ctx, const char *state_dir,
                                             GError **error);

Ovpn3ServiceContext *ovpn3_config_manager_get_context(Ovpn3ConfigManager *self);
/* The profiles by path (path → Ovpn3ConfigObject, not to be changed) and by name, for the
 * listings (config-manager-list.h). */
GHashTable *ovpn3_config_manager_get_objects(Ovpn3ConfigManager *self);
Ovpn3ConfigNameIndex *ovpn3_config_manager_get_names(Ovpn3ConfigManager *self);

/* Writes the object's state file if it is persistent. */
gboolean ovpn3_config_manager_save(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object,
                                   GError **error);
/* Exports the object and emits CFG_CREATED (fleet profiles, config-fleet.h). */
gboolean ovpn3_config_manager_add(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object,
                                  GError **error);
/* Unexports the object, deletes its state file, emits CFG_DESTROYED. */
void ovpn3_config_manager_remove(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object);
/* object (in the table or not) was renamed from old_name: its place in the name index. */
void ovpn3_config_manager_renamed(Ovpn3ConfigManager *self, Ovpn3ConfigObject *object,
                                  const char *old_name);

/* Stored bytes (config-quota.h) of owner's profiles and of all profiles. */
void ovpn3_config_manager_count_bytes(Ovpn3ConfigManager *self, guint32 owner, guint64 *owned,
                                      guint64 *all);

/* To the log service (ovpn3_manager_log()). */
#define ovpn3_config_manager_log(self, ...) \
  ovpn3_manager_log(ovpn3_config_manager_get_context(self), __VA_ARGS__)

G_END_DECLS
