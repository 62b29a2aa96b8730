/* config-object-private.h — what the files of one configuration profile
 * object share: its fields and the helpers the methods, properties, access
 * rules and JSON state use. Only services/configmgr/config-object*.c (and
 * config-fleet-conf.c, for the limits and checks) include it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "config-object.h"
#include "ovpn3-acl.h"

G_BEGIN_DECLS

#define TAG_MAX_LEN  128
#define NAME_MAX_LEN 256
#define MAX_TAGS     64
#define MAX_ACL      64

#define TEXT_ACCESS_DENIED "Access to the configuration profile is denied."
#define TEXT_SEALED        "Configuration profile is sealed and read-only"
#define TEXT_OWNER_ONLY    "Configuration can only be modified by the profile owner"

struct _Ovpn3ConfigObject
{
  GObject parent_instance;

  Ovpn3ConfigManager *manager; /* not owned */
  Ovpn3Exporter *exporter;     /* not owned */
  guint registration_id;

  char *path;
  char *name;
  Ovpn3Acl acl;
  gboolean single_use;
  gboolean persistent;
  gboolean locked_down;
  gboolean readonly;
  gboolean transfer_owner_session;
  gboolean dco;
  gboolean valid;
  guint64 import_timestamp;
  guint64 last_used_timestamp;
  guint32 used_count;
  GPtrArray *tags;  /* char* */
  GTree *overrides; /* name → GVariant (s or b), sorted by name */
  Ovpn3Profile *profile;
  guint64 profile_bytes; /* rendered, for the quotas */
  char *fleet_file;      /* NAME.ovpn of a fleet profile (config-object-fleet.h), else NULL */
};

/* config-object.c */
guint64 ovpn3_config_object_now(void);
/* Takes a reference on profile; measures it for the quotas. */
void ovpn3_config_object_set_profile(Ovpn3ConfigObject *self, Ovpn3Profile *profile);
/* Every change of a profile's name goes through here (the manager indexes names). */
void ovpn3_config_object_set_name(Ovpn3ConfigObject *self, const char *name);
gboolean ovpn3_config_tag_is_valid(const char *tag, GError **error);
/* A change from old_bytes to new_bytes within the owner's quota (config-quota.h). */
gboolean ovpn3_config_object_check_growth(Ovpn3ConfigObject *self, guint64 new_bytes,
                                          guint64 old_bytes, GError **error);

/* config-object-state.c: save with rollback. The snapshot is NULL for a
 * profile that is not persistent. */
JsonNode *ovpn3_config_object_snapshot(Ovpn3ConfigObject *self);
/* Persists a change; on failure the object goes back to snapshot. */
gboolean ovpn3_config_object_commit(Ovpn3ConfigObject *self, JsonNode *snapshot, GError **error);

/* config-object-access.c */
/* Owner, administrator (manage-others) — for the owner-only overrides. */
gboolean ovpn3_config_object_is_owner(Ovpn3ConfigObject *self, const Ovpn3Caller *caller);
gboolean ovpn3_config_object_access_check(gpointer object, const Ovpn3Caller *caller,
                                          Ovpn3AccessRule bit, const char *member);

/* config-object-methods.c */
void ovpn3_config_object_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
                                     GVariant *parameters, GDBusMethodInvocation *invocation);

/* config-object-properties.c */
GVariant *ovpn3_config_object_get_property(gpointer object, const Ovpn3Caller *caller,
                                           const char *name, GError **error);
gboolean ovpn3_config_object_set_property(gpointer object, const Ovpn3Caller *caller,
                                          const char *name, GVariant *value, GError **error);

G_END_DECLS
