#define G_LOG_DOMAIN "ovpn3-config-object"

#include "config.h"

#include <string.h>

#include "config-object.h"
#include "config-overrides.h"
#include "config-peers.h"
#include "config-quota.h"
#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-state-file.h"

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
};

G_DEFINE_TYPE(Ovpn3ConfigObject, ovpn3_config_object, G_TYPE_OBJECT)

static guint64
now_seconds(void)
{
  return (guint64) (g_get_real_time() / G_USEC_PER_SEC);
}

static void
ovpn3_config_object_finalize(GObject *object)
{
  Ovpn3ConfigObject *self = OVPN3_CONFIG_OBJECT(object);

  ovpn3_config_object_unexport(self);
  g_free(self->path);
  g_free(self->name);
  ovpn3_acl_clear(&self->acl);
  g_ptr_array_unref(self->tags);
  g_tree_unref(self->overrides);
  g_clear_object(&self->profile);
  G_OBJECT_CLASS(ovpn3_config_object_parent_class)->finalize(object);
}

static void
ovpn3_config_object_class_init(Ovpn3ConfigObjectClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_config_object_finalize;
}

static gint
compare_names(gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0(a, b);
}

static void
ovpn3_config_object_init(Ovpn3ConfigObject *self)
{
  ovpn3_acl_init(&self->acl, G_MAXUINT32);
  self->tags = g_ptr_array_new_with_free_func(g_free);
  self->overrides = g_tree_new_full(compare_names, NULL, g_free, (GDestroyNotify) g_variant_unref);
}

static void
set_profile(Ovpn3ConfigObject *self, Ovpn3Profile *profile)
{
  g_autofree char *rendered = ovpn3_profile_render(profile, 0);

  g_set_object(&self->profile, profile);
  self->valid = ovpn3_profile_validate(profile, NULL);
  self->profile_bytes = strlen(rendered);
}

Ovpn3ConfigObject *
ovpn3_config_object_new(Ovpn3ConfigManager *manager, const char *path, const char *name,
                        guint32 owner, Ovpn3Profile *profile, gboolean single_use,
                        gboolean persistent)
{
  Ovpn3ConfigObject *self = g_object_new(OVPN3_TYPE_CONFIG_OBJECT, NULL);

  self->manager = manager;
  self->path = g_strdup(path);
  self->name = g_strdup(name);
  self->acl.owner = owner;
  self->single_use = single_use;
  self->persistent = persistent;
  self->import_timestamp = now_seconds();
  set_profile(self, profile);
  return self;
}

/* ---- JSON state (docs/dbus-api.md §9.1) ------------------------------------------- */

JsonNode *
ovpn3_config_object_to_json(Ovpn3ConfigObject *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "object_path");
  json_builder_add_string_value(b, self->path);
  json_builder_set_member_name(b, "owner");
  json_builder_add_int_value(b, self->acl.owner);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, self->name);
  if (self->tags->len > 0)
    {
      json_builder_set_member_name(b, "tags");
      json_builder_begin_array(b);
      for (guint i = 0; i < self->tags->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(self->tags, i));
      json_builder_end_array(b);
    }
  json_builder_set_member_name(b, "import_timestamp");
  json_builder_add_int_value(b, (gint64) self->import_timestamp);
  json_builder_set_member_name(b, "last_used_timestamp");
  json_builder_add_int_value(b, (gint64) self->last_used_timestamp);
  json_builder_set_member_name(b, "locked_down");
  json_builder_add_boolean_value(b, self->locked_down);
  json_builder_set_member_name(b, "transfer_owner_session");
  json_builder_add_boolean_value(b, self->transfer_owner_session);
  json_builder_set_member_name(b, "readonly");
  json_builder_add_boolean_value(b, self->readonly);
  json_builder_set_member_name(b, "single_use");
  json_builder_add_boolean_value(b, self->single_use);
  json_builder_set_member_name(b, "used_count");
  json_builder_add_int_value(b, self->used_count);
  json_builder_set_member_name(b, "valid");
  json_builder_add_boolean_value(b, self->valid);
  json_builder_set_member_name(b, "dco");
  json_builder_add_boolean_value(b, self->dco);
  json_builder_set_member_name(b, "public_access");
  json_builder_add_boolean_value(b, self->acl.public_access);
  json_builder_set_member_name(b, "acl");
  json_builder_begin_array(b);
  for (guint i = 0; i < self->acl.acl->len; i++)
    json_builder_add_int_value(b, g_array_index(self->acl.acl, guint32, i));
  json_builder_end_array(b);
  json_builder_set_member_name(b, "overrides");
  json_builder_begin_object(b);
  {
    GTreeNode *node = g_tree_node_first(self->overrides);

    for (; node != NULL; node = g_tree_node_next(node))
      {
        GVariant *v = g_tree_node_value(node);

        json_builder_set_member_name(b, g_tree_node_key(node));
        if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
          json_builder_add_boolean_value(b, g_variant_get_boolean(v));
        else
          json_builder_add_string_value(b, g_variant_get_string(v, NULL));
      }
  }
  json_builder_end_object(b);
  json_builder_set_member_name(b, "profile");
  json_builder_add_value(b, ovpn3_profile_to_json(self->profile));
  json_builder_end_object(b);

  return json_builder_get_root(b);
}

static const char *
json_get_string(JsonObject *obj, const char *key, GError **error)
{
  JsonNode *node = json_object_get_member(obj, key);

  if (node == NULL || JSON_NODE_TYPE(node) != JSON_NODE_VALUE
      || json_node_get_value_type(node) != G_TYPE_STRING)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "'%s' is missing or not a string",
                  key);
      return NULL;
    }
  return json_node_get_string(node);
}

static gboolean tag_is_valid(const char *tag, GError **error);

Ovpn3ConfigObject *
ovpn3_config_object_new_from_json(Ovpn3ConfigManager *manager, JsonNode *node, GError **error)
{
  g_autoptr(Ovpn3ConfigObject) self = g_object_new(OVPN3_TYPE_CONFIG_OBJECT, NULL);
  g_autoptr(Ovpn3Profile) profile = NULL;
  JsonObject *obj;
  JsonNode *member;
  const char *path, *name;
  guint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  obj = json_node_get_object(node);
  self->manager = manager;

  if ((path = json_get_string(obj, "object_path", error)) == NULL)
    return NULL;
  if (!g_str_has_prefix(path, OVPN3_CONFIG_PATH_PREFIX)
      || !ovpn3_object_id_is_valid(path + strlen(OVPN3_CONFIG_PATH_PREFIX), OVPN3_ID_SEP_CONFIG))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid object_path");
      return NULL;
    }
  self->path = g_strdup(path);
  if ((name = json_get_string(obj, "name", error)) == NULL)
    return NULL;
  self->name = g_strdup(name);
  if (!ovpn3_json_get_uint(obj, "owner", TRUE, G_MAXUINT32 - 1, &v, error))
    return NULL;
  self->acl.owner = (guint32) v;
  if (!ovpn3_json_get_uint(obj, "import_timestamp", TRUE, G_MAXUINT64 >> 1, &self->import_timestamp,
                           error)
      || !ovpn3_json_get_uint(obj, "last_used_timestamp", TRUE, G_MAXUINT64 >> 1,
                              &self->last_used_timestamp, error))
    return NULL;
  if (!ovpn3_json_get_uint(obj, "used_count", TRUE, G_MAXUINT32, &v, error))
    return NULL;
  self->used_count = (guint32) v;
  if (!ovpn3_json_get_bool(obj, "locked_down", &self->locked_down, error)
      || !ovpn3_json_get_bool(obj, "transfer_owner_session", &self->transfer_owner_session, error)
      || !ovpn3_json_get_bool(obj, "readonly", &self->readonly, error)
      || !ovpn3_json_get_bool(obj, "single_use", &self->single_use, error)
      || !ovpn3_json_get_bool(obj, "dco", &self->dco, error)
      || !ovpn3_json_get_bool(obj, "public_access", &self->acl.public_access, error))
    return NULL;
  self->persistent = TRUE;

  member = json_object_get_member(obj, "tags");
  if (member != NULL)
    {
      JsonArray *arr;

      if (!JSON_NODE_HOLDS_ARRAY(member)
          || json_array_get_length(arr = json_node_get_array(member)) > MAX_TAGS)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'tags'");
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length(arr); i++)
        {
          JsonNode *t = json_array_get_element(arr, i);

          if (JSON_NODE_TYPE(t) != JSON_NODE_VALUE || json_node_get_value_type(t) != G_TYPE_STRING
              || !tag_is_valid(json_node_get_string(t), error))
            {
              g_prefix_error(error, "invalid 'tags': ");
              if (error != NULL && *error == NULL)
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'tags'");
              return NULL;
            }
          g_ptr_array_add(self->tags, g_strdup(json_node_get_string(t)));
        }
    }

  member = json_object_get_member(obj, "acl");
  if (member != NULL)
    {
      JsonArray *arr;

      if (!JSON_NODE_HOLDS_ARRAY(member)
          || json_array_get_length(arr = json_node_get_array(member)) > MAX_ACL)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'acl'");
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length(arr); i++)
        {
          JsonNode *u = json_array_get_element(arr, i);
          gint64 uid;

          if (JSON_NODE_TYPE(u) != JSON_NODE_VALUE || json_node_get_value_type(u) != G_TYPE_INT64
              || (uid = json_node_get_int(u)) < 0 || uid >= G_MAXUINT32)
            {
              g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'acl'");
              return NULL;
            }
          ovpn3_acl_grant(&self->acl, (guint32) uid);
        }
    }

  member = json_object_get_member(obj, "overrides");
  if (member != NULL)
    {
      g_autoptr(GList) names = NULL;
      JsonObject *ov;

      if (!JSON_NODE_HOLDS_OBJECT(member))
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'overrides'");
          return NULL;
        }
      ov = json_node_get_object(member);
      names = json_object_get_members(ov);
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *n = json_object_get_member(ov, l->data);
          g_autoptr(GVariant) value = NULL;

          if (JSON_NODE_TYPE(n) == JSON_NODE_VALUE && json_node_get_value_type(n) == G_TYPE_BOOLEAN)
            value = g_variant_ref_sink(g_variant_new_boolean(json_node_get_boolean(n)));
          else if (JSON_NODE_TYPE(n) == JSON_NODE_VALUE
                   && json_node_get_value_type(n) == G_TYPE_STRING)
            value = g_variant_ref_sink(g_variant_new_string(json_node_get_string(n)));
          if (value == NULL || !ovpn3_config_override_check(l->data, value, error))
            {
              g_prefix_error(error, "invalid 'overrides': ");
              if (error != NULL && *error == NULL)
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'overrides'");
              return NULL;
            }
          g_tree_insert(self->overrides, g_strdup(l->data), g_steal_pointer(&value));
        }
    }

  member = json_object_get_member(obj, "profile");
  profile = ovpn3_profile_new_from_json(member, error);
  if (profile == NULL)
    return NULL;
  set_profile(self, profile);
  /* sealed means valid at sealing time; a profile that no longer
   * validates stays unsealed-valid=false rather than being trusted */
  return g_steal_pointer(&self);
}

/* ---- accessors --------------------------------------------------------- */

const char *
ovpn3_config_object_get_path(Ovpn3ConfigObject *self)
{
  return self->path;
}

const char *
ovpn3_config_object_get_name(Ovpn3ConfigObject *self)
{
  return self->name;
}

guint32
ovpn3_config_object_get_owner(Ovpn3ConfigObject *self)
{
  return self->acl.owner;
}

void
ovpn3_config_object_set_owner(Ovpn3ConfigObject *self, guint32 owner)
{
  self->acl.owner = owner;
}

guint64
ovpn3_config_object_get_stored_bytes(Ovpn3ConfigObject *self)
{
  return self->profile_bytes
         + ovpn3_config_quota_extra_bytes(self->name, self->tags, self->overrides);
}

gboolean
ovpn3_config_object_get_persistent(Ovpn3ConfigObject *self)
{
  return self->persistent;
}

gboolean
ovpn3_config_object_has_tag(Ovpn3ConfigObject *self, const char *tag)
{
  for (guint i = 0; i < self->tags->len; i++)
    if (g_str_equal(g_ptr_array_index(self->tags, i), tag))
      return TRUE;
  return FALSE;
}

gboolean
ovpn3_config_object_is_visible_to(Ovpn3ConfigObject *self, guint32 uid)
{
  return ovpn3_acl_check(&self->acl, uid, OVPN3_ACL_ALLOW_LIST | OVPN3_ACL_ALLOW_PUBLIC);
}

/* ---- access rules (docs/dbus-api.md §3.1 table) ------------------------------------ */

/* Owner, administrator (manage-others) — for the owner-only overrides. */
static gboolean
is_owner(Ovpn3ConfigObject *self, const Ovpn3Caller *caller)
{
  return caller->admin || caller->uid == self->acl.owner;
}

#define OWNER_OR_ADMIN (OVPN3_ACCESS_OWNER | OVPN3_ACCESS_ADMIN)
/* owner, acl list or public */
#define USERS (OVPN3_ACCESS_ACL | OVPN3_ACCESS_PUBLIC_READ | OVPN3_ACCESS_ADMIN)
/* the ACL + the session manager and this profile's backends (config-peers.h).
 * The spec gives acl and public_access to the ACL only; the session
 * manager reads them too: it decides with them whether a caller may start
 * a session from this profile. */
#define READERS (USERS | OVPN3_ACCESS_SESSION_MANAGER | OVPN3_ACCESS_BACKEND)
/* Fetch: owner, acl list unless locked_down (CUSTOM; public ignored); of
 * the service user only the session manager and this profile's backends */
#define FETCHERS \
  (OWNER_OR_ADMIN | OVPN3_ACCESS_CUSTOM | OVPN3_ACCESS_SESSION_MANAGER | OVPN3_ACCESS_BACKEND)

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Validate", USERS },
  { OVPN3_ACCESS_METHOD, "Fetch", FETCHERS },
  { OVPN3_ACCESS_METHOD, "FetchJSON", FETCHERS },
  { OVPN3_ACCESS_METHOD, "SetOption", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "SetOverride", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "UnsetOverride", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AddTag", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "RemoveTag", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AccessGrant", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "AccessRevoke", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "Seal", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_METHOD, "Remove", OWNER_OR_ADMIN },
  { OVPN3_ACCESS_READ, "owner", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "name", READERS },
  { OVPN3_ACCESS_READ, "acl", READERS },
  { OVPN3_ACCESS_READ, "public_access", READERS },
  { OVPN3_ACCESS_READ, "single_use", USERS },
  { OVPN3_ACCESS_READ, "persistent", READERS },
  { OVPN3_ACCESS_READ, "import_timestamp", READERS },
  { OVPN3_ACCESS_READ, "last_used_timestamp", READERS },
  { OVPN3_ACCESS_READ, "locked_down", READERS },
  { OVPN3_ACCESS_READ, "readonly", READERS },
  { OVPN3_ACCESS_READ, "tags", READERS },
  { OVPN3_ACCESS_READ, "used_count", READERS },
  { OVPN3_ACCESS_READ, "valid", READERS },
  /* the owner-only proxy credentials are left out in the handler */
  { OVPN3_ACCESS_READ, "overrides", READERS },
  { OVPN3_ACCESS_READ, "transfer_owner_session", READERS },
  { OVPN3_ACCESS_READ, "dco", READERS },
  { OVPN3_ACCESS_WRITE, "name", OWNER_OR_ADMIN, TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "public_access", OWNER_OR_ADMIN, TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "locked_down", OWNER_OR_ADMIN, TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "transfer_owner_session", OVPN3_ACCESS_ACL | OVPN3_ACCESS_ADMIN,
    TEXT_OWNER_ONLY },
  { OVPN3_ACCESS_WRITE, "dco", OVPN3_ACCESS_ACL | OVPN3_ACCESS_ADMIN, TEXT_OWNER_ONLY },
};

const Ovpn3AccessTable ovpn3_config_object_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_CONFIG_OBJECT, TEXT_ACCESS_DENIED, access_rows);

static gboolean
access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit, const char *member)
{
  Ovpn3ConfigObject *self = object;

  switch (bit)
    {
      case OVPN3_ACCESS_BACKEND:
        return ovpn3_config_peer_is_backend_of(caller, self->path);
      case OVPN3_ACCESS_CUSTOM: /* Fetch by the acl list */
        return !self->locked_down && ovpn3_acl_contains(&self->acl, caller->uid);
      default:
        return ovpn3_access_acl_says(&self->acl, caller, bit);
    }
}

/* ---- save with rollback ------------------------------------------------ */

static void
restore(Ovpn3ConfigObject *self, JsonNode *snapshot)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3ConfigObject) old = NULL;

  if (snapshot == NULL)
    return;
  old = ovpn3_config_object_new_from_json(self->manager, snapshot, &error);
  if (old == NULL)
    {
      g_critical("cannot restore %s: %s", self->path, error->message);
      return;
    }
  g_free(self->name);
  self->name = g_steal_pointer(&old->name);
  ovpn3_acl_clear(&self->acl);
  self->acl = old->acl;
  old->acl.acl = NULL;
  self->locked_down = old->locked_down;
  self->readonly = old->readonly;
  self->transfer_owner_session = old->transfer_owner_session;
  self->dco = old->dco;
  self->used_count = old->used_count;
  self->last_used_timestamp = old->last_used_timestamp;
  g_ptr_array_unref(self->tags);
  self->tags = g_ptr_array_ref(old->tags);
  g_tree_unref(self->overrides);
  self->overrides = g_tree_ref(old->overrides);
}

/* Persists a change; on failure the object goes back to snapshot. */
static gboolean
commit(Ovpn3ConfigObject *self, JsonNode *snapshot, GError **error)
{
  if (ovpn3_config_manager_save(self->manager, self, error))
    return TRUE;
  restore(self, snapshot);
  return FALSE;
}

static JsonNode *
snapshot(Ovpn3ConfigObject *self)
{
  return self->persistent ? ovpn3_config_object_to_json(self) : NULL;
}

/* ---- methods ----------------------------------------------------------- */

static gboolean
tag_is_valid(const char *tag, GError **error)
{
  if (*tag == '\0')
    {
      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED, "Tag value cannot be empty");
      return FALSE;
    }
  if (g_utf8_strlen(tag, -1) > TAG_MAX_LEN)
    {
      g_set_error(error, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED, "Tag value too long");
      return FALSE;
    }
  for (const char *p = tag; *p != '\0'; p++)
    if (g_ascii_iscntrl(*p))
      {
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                    "Tag value contains a control character");
        return FALSE;
      }
  return TRUE;
}

static gboolean
name_is_valid(const char *name, GError **error)
{
  if (*name == '\0' || strlen(name) > NAME_MAX_LEN)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "A profile name must be 1–%d bytes long", NAME_MAX_LEN);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    if (g_ascii_iscntrl(*p))
      {
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                    "A profile name cannot contain control characters");
        return FALSE;
      }
  return TRUE;
}

static void
return_gdbuspp(GDBusMethodInvocation *invocation, const char *text)
{
  g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_GDBUSPP, OVPN3_ERROR_FAILED,
                                                text);
}

static void
fetch_reply(Ovpn3ConfigObject *self, GDBusMethodInvocation *invocation, gboolean as_json)
{
  g_autofree char *text = as_json ? ovpn3_profile_to_json_string(self->profile)
                                  : ovpn3_profile_render(self->profile, 0);

  g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", text));
}

static void
handle_fetch(Ovpn3ConfigObject *self, const Ovpn3Caller *caller, GDBusMethodInvocation *invocation,
             gboolean as_json)
{
  G_GNUC_UNUSED g_autoptr(Ovpn3ConfigObject) ref = g_object_ref(self);
  g_autoptr(JsonNode) snap = NULL;
  g_autoptr(GError) error = NULL;

  fetch_reply(self, invocation, as_json);
  /* a use: the backend client of a session of this profile, as the session
   * manager confirmed it (not the session manager's own read) */
  if (!ovpn3_config_peer_is_backend_of(caller, self->path) || self->registration_id == 0)
    return;
  if (self->single_use)
    {
      ovpn3_config_manager_log(self->manager, OVPN3_LOG_CATEGORY_INFO,
                               "Single-use profile %s used by a backend; removed", self->path);
      ovpn3_config_manager_remove(self->manager, self);
      return;
    }
  snap = snapshot(self);
  self->used_count++;
  self->last_used_timestamp = now_seconds();
  if (!commit(self, snap, &error))
    g_warning("%s: cannot record use: %s", self->path, error->message);
}

/* A change from old_bytes to new_bytes within the owner's quota (config-quota.h). */
static gboolean
check_growth(Ovpn3ConfigObject *self, guint64 new_bytes, guint64 old_bytes, GError **error)
{
  if (new_bytes <= old_bytes)
    return TRUE;
  return ovpn3_config_quota_check(self->manager, self->acl.owner, new_bytes - old_bytes, FALSE,
                                  error);
}

/* The write methods (the table admitted the caller): not when sealed.
 * Returns FALSE (and answers) when the call is refused. */
static gboolean
check_sealed(Ovpn3ConfigObject *self, GDBusMethodInvocation *invocation)
{
  if (self->readonly)
    {
      return_gdbuspp(invocation, TEXT_SEALED);
      return FALSE;
    }
  return TRUE;
}

static void
finish_change(Ovpn3ConfigObject *self, JsonNode *snap, GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;

  if (!commit(self, snap, &error))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                            "Could not save the configuration profile: %s",
                                            error->message);
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
}

/* AccessGrant: the uid must name a user; that is looked up off the main loop,
 * then the grant is checked again against the object as it is by then. */
typedef struct
{
  Ovpn3ConfigObject *self;
  Ovpn3Caller *caller;
  GDBusMethodInvocation *invocation; /* owned until answered */
  guint32 uid;
} AccessGrantCall;

static void
access_grant_call_free(AccessGrantCall *call)
{
  g_object_unref(call->self);
  ovpn3_caller_free(call->caller);
  g_free(call);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(AccessGrantCall, access_grant_call_free)

static void
on_grant_user_checked(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AccessGrantCall) call = user_data;
  Ovpn3ConfigObject *self = call->self;
  GDBusMethodInvocation *invocation = call->invocation;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) snap = NULL;

  if (!ovpn3_acl_check_user_finish(result, &error))
    g_dbus_method_invocation_return_gerror(invocation, error);
  else if (self->registration_id == 0)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT,
                                          "The configuration profile %s was removed", self->path);
  /* checked again: the owner may have changed (TransferOwnership) while
   * the user was looked up */
  else if (!is_owner(self, call->caller))
    ovpn3_invocation_return_access_denied(invocation, TEXT_ACCESS_DENIED);
  else if (!check_sealed(self, invocation))
    return;
  else if (ovpn3_acl_contains(&self->acl, call->uid))
    return_gdbuspp(invocation, "UID already granted access");
  else if (self->acl.acl->len >= MAX_ACL)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                          "A profile can be shared with at most %d users", MAX_ACL);
  else
    {
      snap = snapshot(self);
      ovpn3_acl_grant(&self->acl, call->uid);
      finish_change(self, snap, invocation);
    }
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3ConfigObject *self = object;
  g_autoptr(JsonNode) snap = NULL;
  g_autoptr(GError) error = NULL;

  if (g_str_equal(method, "Validate"))
    {
      if (!ovpn3_profile_validate(self->profile, &error))
        return_gdbuspp(invocation, error->message);
      else
        g_dbus_method_invocation_return_value(invocation, NULL);
      return;
    }
  if (g_str_equal(method, "Fetch") || g_str_equal(method, "FetchJSON"))
    {
      handle_fetch(self, caller, invocation, g_str_equal(method, "FetchJSON"));
      return;
    }
  if (g_str_equal(method, "Seal"))
    {
      if (!self->valid)
        return_gdbuspp(invocation, "Configuration is not currently valid");
      else
        {
          snap = snapshot(self);
          self->readonly = TRUE;
          finish_change(self, snap, invocation);
        }
      return;
    }
  if (g_str_equal(method, "Remove"))
    {
      g_dbus_method_invocation_return_value(invocation, NULL);
      ovpn3_config_manager_remove(self->manager, self);
      return;
    }

  /* everything below writes: not when sealed */
  if (!check_sealed(self, invocation))
    return;
  snap = snapshot(self);

  if (g_str_equal(method, "SetOption"))
    {
      /* accepted and ignored, as upstream (docs/dbus-api.md §3.1) */
      g_dbus_method_invocation_return_value(invocation, NULL);
    }
  else if (g_str_equal(method, "SetOverride"))
    {
      const char *name;
      g_autoptr(GVariant) value = NULL;
      GVariant *old;

      g_variant_get(parameters, "(&sv)", &name, &value);
      old = g_tree_lookup(self->overrides, name);
      if (!ovpn3_config_override_check(name, value, &error)
          || !check_growth(self, ovpn3_config_quota_override_bytes(name, value),
                           old != NULL ? ovpn3_config_quota_override_bytes(name, old) : 0, &error))
        {
          g_dbus_method_invocation_return_gerror(invocation, error);
          return;
        }
      g_tree_insert(self->overrides, g_strdup(name), g_steal_pointer(&value));
      finish_change(self, snap, invocation);
    }
  else if (g_str_equal(method, "UnsetOverride"))
    {
      const char *name;

      g_variant_get(parameters, "(&s)", &name);
      if (!g_tree_remove(self->overrides, name))
        {
          g_autofree char *text = g_strdup_printf("Override '%s' has not been set", name);
          /* upstream's CLI recognises this error by its name (tests/compat) */
          ovpn3_invocation_return_error(invocation, OVPN3_ERROR_OVERRIDE_NOT_SET, text);
          return;
        }
      finish_change(self, snap, invocation);
    }
  else if (g_str_equal(method, "AddTag"))
    {
      const char *tag;

      g_variant_get(parameters, "(&s)", &tag);
      if (!tag_is_valid(tag, &error))
        g_dbus_method_invocation_return_gerror(invocation, error);
      else if (ovpn3_config_object_has_tag(self, tag))
        return_gdbuspp(invocation, "Tag already exists");
      else if (self->tags->len >= MAX_TAGS)
        g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
                                              G_DBUS_ERROR_LIMITS_EXCEEDED,
                                              "A profile can have at most %d tags", MAX_TAGS);
      else if (!check_growth(self, strlen(tag), 0, &error))
        g_dbus_method_invocation_return_gerror(invocation, error);
      else
        {
          g_ptr_array_add(self->tags, g_strdup(tag));
          finish_change(self, snap, invocation);
        }
    }
  else if (g_str_equal(method, "RemoveTag"))
    {
      const char *tag;
      guint index;

      g_variant_get(parameters, "(&s)", &tag);
      if (!g_ptr_array_find_with_equal_func(self->tags, tag, g_str_equal, &index))
        return_gdbuspp(invocation, "Non-existing tag");
      else
        {
          g_ptr_array_remove_index(self->tags, index);
          finish_change(self, snap, invocation);
        }
    }
  else if (g_str_equal(method, "AccessGrant"))
    {
      AccessGrantCall *call = g_new0(AccessGrantCall, 1);

      g_variant_get(parameters, "(u)", &call->uid);
      call->self = g_object_ref(self);
      call->caller = ovpn3_caller_copy(caller);
      call->invocation = invocation;
      ovpn3_acl_check_user_async(call->uid, NULL, on_grant_user_checked, call);
    }
  else if (g_str_equal(method, "AccessRevoke"))
    {
      guint32 uid;

      g_variant_get(parameters, "(u)", &uid);
      if (!ovpn3_acl_revoke(&self->acl, uid))
        return_gdbuspp(invocation, "UID not granted access");
      else
        finish_change(self, snap, invocation);
    }
  else
    {
      ovpn3_invocation_return_unknown_method(invocation);
    }
}

/* ---- properties -------------------------------------------------------- */

/* The proxy credentials are the owner's: left out (key and value) for
 * callers who are neither the owner, an administrator, the session manager
 * nor this profile's backend (they need them) — even for ACL entries that
 * may Fetch the profile. A decision finer than the table's, so here. */
static GVariant *
overrides_variant(Ovpn3ConfigObject *self, const Ovpn3Caller *caller)
{
  gboolean all = is_owner(self, caller) || ovpn3_config_peer_may_read(caller, self->path);
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
  for (GTreeNode *n = g_tree_node_first(self->overrides); n != NULL; n = g_tree_node_next(n))
    {
      const char *key = g_tree_node_key(n);

      if (all || !ovpn3_config_override_is_owner_only(key))
        g_variant_builder_add(&b, "{sv}", key, (GVariant *) g_tree_node_value(n));
    }
  return g_variant_builder_end(&b);
}

static GVariant *
get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  Ovpn3ConfigObject *self = object;

  if (g_str_equal(name, "owner"))
    return g_variant_new_uint32(self->acl.owner);

  if (g_str_equal(name, "name"))
    return g_variant_new_string(self->name);
  if (g_str_equal(name, "acl"))
    return ovpn3_acl_to_variant(&self->acl);
  if (g_str_equal(name, "public_access"))
    return g_variant_new_boolean(self->acl.public_access);
  if (g_str_equal(name, "single_use"))
    return g_variant_new_boolean(self->single_use);
  if (g_str_equal(name, "persistent"))
    return g_variant_new_boolean(self->persistent);
  if (g_str_equal(name, "import_timestamp"))
    return g_variant_new_uint64(self->import_timestamp);
  if (g_str_equal(name, "last_used_timestamp"))
    return g_variant_new_uint64(self->last_used_timestamp);
  if (g_str_equal(name, "locked_down"))
    return g_variant_new_boolean(self->locked_down);
  if (g_str_equal(name, "readonly"))
    return g_variant_new_boolean(self->readonly);
  if (g_str_equal(name, "tags"))
    return g_variant_new_strv((const char *const *) self->tags->pdata, self->tags->len);
  if (g_str_equal(name, "used_count"))
    return g_variant_new_uint32(self->used_count);
  if (g_str_equal(name, "valid"))
    return g_variant_new_boolean(self->valid);
  if (g_str_equal(name, "overrides"))
    return overrides_variant(self, caller);
  if (g_str_equal(name, "transfer_owner_session"))
    return g_variant_new_boolean(self->transfer_owner_session);
  if (g_str_equal(name, "dco"))
    return g_variant_new_boolean(self->dco);

  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

static gboolean
set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
             GError **error)
{
  Ovpn3ConfigObject *self = object;
  g_autoptr(JsonNode) snap = NULL;

  if (self->readonly)
    {
      g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, TEXT_SEALED);
      return FALSE;
    }
  snap = snapshot(self);

  if (g_str_equal(name, "name"))
    {
      const char *new_name = g_variant_get_string(value, NULL);

      if (!name_is_valid(new_name, error)
          || !check_growth(self, strlen(new_name), strlen(self->name), error))
        return FALSE;
      g_free(self->name);
      self->name = g_strdup(new_name);
    }
  else if (g_str_equal(name, "public_access"))
    self->acl.public_access = g_variant_get_boolean(value);
  else if (g_str_equal(name, "locked_down"))
    self->locked_down = g_variant_get_boolean(value);
  else if (g_str_equal(name, "transfer_owner_session"))
    self->transfer_owner_session = g_variant_get_boolean(value);
  else if (g_str_equal(name, "dco"))
    self->dco = g_variant_get_boolean(value);
  else
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                  "Property “%s” is read-only", name);
      return FALSE;
    }
  if (!commit(self, snap, error))
    {
      g_prefix_error(error, "Could not save the configuration profile: ");
      return FALSE;
    }
  return TRUE;
}

static const Ovpn3ExportedVTable vtable = {
  .method_call = method_call,
  .get_property = get_property,
  .set_property = set_property,
  .access = &ovpn3_config_object_access,
  .access_check = access_check,
};

gboolean
ovpn3_config_object_export(Ovpn3ConfigObject *self, Ovpn3Exporter *exporter, GError **error)
{
  self->exporter = exporter;
  self->registration_id = ovpn3_exporter_register(exporter, self->path, OVPN3_XML_CONFIG_OBJECT,
                                                  &vtable, self, error);
  return self->registration_id != 0;
}

void
ovpn3_config_object_unexport(Ovpn3ConfigObject *self)
{
  if (self->registration_id != 0)
    ovpn3_exporter_unregister(self->exporter, self->registration_id);
  self->registration_id = 0;
}
