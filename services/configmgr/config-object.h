/* config-object.h — one configuration profile object
 * (/net/openvpn/v3/configuration/<id>): methods, properties and access
 * rules of docs/dbus-api.md §3.1, and its persistent JSON form (docs/dbus-api.md §9.1).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "config-manager.h"
#include "ovpn3-exported.h"
#include "ovpn3-profile.h"

G_BEGIN_DECLS

/* Who may call what on a profile (ovpn3-access.h). */
extern const Ovpn3AccessTable ovpn3_config_object_access;

#define OVPN3_TYPE_CONFIG_OBJECT (ovpn3_config_object_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ConfigObject, ovpn3_config_object, OVPN3, CONFIG_OBJECT, GObject)

/* Takes a reference on profile. */
Ovpn3ConfigObject *ovpn3_config_object_new(Ovpn3ConfigManager *manager, const char *path,
                                           const char *name, guint32 owner, Ovpn3Profile *profile,
                                           gboolean single_use, gboolean persistent);
/* From a state file (docs/dbus-api.md §9.1 keys). The profile is re-checked through
 * the allowlist. */
Ovpn3ConfigObject *ovpn3_config_object_new_from_json(Ovpn3ConfigManager *manager, JsonNode *node,
                                                     GError **error);
JsonNode *ovpn3_config_object_to_json(Ovpn3ConfigObject *self);

gboolean ovpn3_config_object_export(Ovpn3ConfigObject *self, Ovpn3Exporter *exporter,
                                    GError **error);
void ovpn3_config_object_unexport(Ovpn3ConfigObject *self);

const char *ovpn3_config_object_get_path(Ovpn3ConfigObject *self);
const char *ovpn3_config_object_get_name(Ovpn3ConfigObject *self);
guint32 ovpn3_config_object_get_owner(Ovpn3ConfigObject *self);
void ovpn3_config_object_set_owner(Ovpn3ConfigObject *self, guint32 owner);
gboolean ovpn3_config_object_get_persistent(Ovpn3ConfigObject *self);
/* What the profile takes for the quotas (config-quota.h). */
guint64 ovpn3_config_object_get_stored_bytes(Ovpn3ConfigObject *self);
gboolean ovpn3_config_object_has_tag(Ovpn3ConfigObject *self, const char *tag);
/* A profile name: 1–256 bytes, no control character (Import and the name
 * property); InvalidArgs otherwise. */
gboolean ovpn3_config_name_is_valid(const char *name, GError **error);
/* The properties Properties.GetAll answers caller (the same access rules and values; admin:
 * polkit granted manage-others, which counts where GetAll would have asked it), except that
 * the proxy-password override is "" (set): a listing never carries a secret
 * (FetchConfigsProperties, docs/compatibility.md §4). A new a{sv}, floating. */
GVariant *ovpn3_config_object_list_properties(Ovpn3ConfigObject *self, const Ovpn3Caller *caller,
                                              gboolean admin);
/* owner, acl list or public_access (the listing filter of docs/dbus-api.md §3.1). */
gboolean ovpn3_config_object_is_visible_to(Ovpn3ConfigObject *self, guint32 uid);

G_END_DECLS
