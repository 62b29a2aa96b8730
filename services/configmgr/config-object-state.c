#define G_LOG_DOMAIN "ovpn3-config-object"

/* config-object-state.c — the persistent JSON form of a configuration profile
 * object (docs/dbus-api.md §9.1) and save with rollback.
 */

#include "config.h"

#include <string.h>

#include "config-object-private.h"
#include "config-overrides.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-state-file.h"

/* ---- JSON state (docs/dbus-api.md §9.1) ------------------------------------------- */

static void
add_overrides(JsonBuilder *b, GTree *overrides)
{
  json_builder_begin_object(b);
  for (GTreeNode *node = g_tree_node_first(overrides); node != NULL; node = g_tree_node_next(node))
    {
      GVariant *v = g_tree_node_value(node);

      json_builder_set_member_name(b, g_tree_node_key(node));
      if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
        json_builder_add_boolean_value(b, g_variant_get_boolean(v));
      else
        json_builder_add_string_value(b, g_variant_get_string(v, NULL));
    }
  json_builder_end_object(b);
}

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
  add_overrides(b, self->overrides);
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

/* An array member of at most max elements, or absent (*out NULL). */
static gboolean
json_get_array(JsonObject *obj, const char *key, guint max, JsonArray **out, GError **error)
{
  JsonNode *member = json_object_get_member(obj, key);

  *out = NULL;
  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY(member) || json_array_get_length(json_node_get_array(member)) > max)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid '%s'", key);
      return FALSE;
    }
  *out = json_node_get_array(member);
  return TRUE;
}

/* object_path, name, owner, the timestamps, the counter and the flags. */
static gboolean
read_scalars(Ovpn3ConfigObject *self, JsonObject *obj, GError **error)
{
  const char *path, *name;
  guint64 v;

  if ((path = json_get_string(obj, "object_path", error)) == NULL)
    return FALSE;
  if (!g_str_has_prefix(path, OVPN3_CONFIG_PATH_PREFIX)
      || !ovpn3_object_id_is_valid(path + strlen(OVPN3_CONFIG_PATH_PREFIX), OVPN3_ID_SEP_CONFIG))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid object_path");
      return FALSE;
    }
  self->path = g_strdup(path);
  if ((name = json_get_string(obj, "name", error)) == NULL)
    return FALSE;
  self->name = g_strdup(name);
  if (!ovpn3_json_get_uint(obj, "owner", TRUE, G_MAXUINT32 - 1, &v, error))
    return FALSE;
  self->acl.owner = (guint32) v;
  if (!ovpn3_json_get_uint(obj, "import_timestamp", TRUE, G_MAXUINT64 >> 1, &self->import_timestamp,
                           error)
      || !ovpn3_json_get_uint(obj, "last_used_timestamp", TRUE, G_MAXUINT64 >> 1,
                              &self->last_used_timestamp, error))
    return FALSE;
  if (!ovpn3_json_get_uint(obj, "used_count", TRUE, G_MAXUINT32, &v, error))
    return FALSE;
  self->used_count = (guint32) v;
  return ovpn3_json_get_bool(obj, "locked_down", &self->locked_down, error)
         && ovpn3_json_get_bool(obj, "transfer_owner_session", &self->transfer_owner_session, error)
         && ovpn3_json_get_bool(obj, "readonly", &self->readonly, error)
         && ovpn3_json_get_bool(obj, "single_use", &self->single_use, error)
         && ovpn3_json_get_bool(obj, "dco", &self->dco, error)
         && ovpn3_json_get_bool(obj, "public_access", &self->acl.public_access, error);
}

static gboolean
read_tags(Ovpn3ConfigObject *self, JsonObject *obj, GError **error)
{
  JsonArray *arr;

  if (!json_get_array(obj, "tags", MAX_TAGS, &arr, error))
    return FALSE;
  for (guint i = 0; arr != NULL && i < json_array_get_length(arr); i++)
    {
      JsonNode *t = json_array_get_element(arr, i);

      if (JSON_NODE_TYPE(t) != JSON_NODE_VALUE || json_node_get_value_type(t) != G_TYPE_STRING
          || !ovpn3_config_tag_is_valid(json_node_get_string(t), error))
        {
          g_prefix_error(error, "invalid 'tags': ");
          if (error != NULL && *error == NULL)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'tags'");
          return FALSE;
        }
      g_ptr_array_add(self->tags, g_strdup(json_node_get_string(t)));
    }
  return TRUE;
}

static gboolean
read_acl(Ovpn3ConfigObject *self, JsonObject *obj, GError **error)
{
  JsonArray *arr;

  if (!json_get_array(obj, "acl", MAX_ACL, &arr, error))
    return FALSE;
  for (guint i = 0; arr != NULL && i < json_array_get_length(arr); i++)
    {
      JsonNode *u = json_array_get_element(arr, i);
      gint64 uid;

      if (JSON_NODE_TYPE(u) != JSON_NODE_VALUE || json_node_get_value_type(u) != G_TYPE_INT64
          || (uid = json_node_get_int(u)) < 0 || uid >= G_MAXUINT32)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'acl'");
          return FALSE;
        }
      ovpn3_acl_grant(&self->acl, (guint32) uid);
    }
  return TRUE;
}

/* A boolean or a string member as a GVariant, else NULL. */
static GVariant *
override_value(JsonNode *n)
{
  if (JSON_NODE_TYPE(n) != JSON_NODE_VALUE)
    return NULL;
  if (json_node_get_value_type(n) == G_TYPE_BOOLEAN)
    return g_variant_ref_sink(g_variant_new_boolean(json_node_get_boolean(n)));
  if (json_node_get_value_type(n) == G_TYPE_STRING)
    return g_variant_ref_sink(g_variant_new_string(json_node_get_string(n)));
  return NULL;
}

static gboolean
read_overrides(Ovpn3ConfigObject *self, JsonObject *obj, GError **error)
{
  JsonNode *member = json_object_get_member(obj, "overrides");
  g_autoptr(GList) names = NULL;
  JsonObject *ov;

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT(member))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'overrides'");
      return FALSE;
    }
  ov = json_node_get_object(member);
  names = json_object_get_members(ov);
  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autoptr(GVariant) value = override_value(json_object_get_member(ov, l->data));

      /* stored before ovpn3 refused it: dropped, the profile still loads */
      if (value != NULL && ovpn3_config_override_refusal(l->data, value) != NULL)
        {
          g_warning("profile %s: dropping override '%s': %s", self->path, (const char *) l->data,
                    ovpn3_config_override_refusal(l->data, value));
          continue;
        }
      if (value == NULL || !ovpn3_config_override_check(l->data, value, error))
        {
          g_prefix_error(error, "invalid 'overrides': ");
          if (error != NULL && *error == NULL)
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "invalid 'overrides'");
          return FALSE;
        }
      g_tree_insert(self->overrides, g_strdup(l->data), g_steal_pointer(&value));
    }
  return TRUE;
}

Ovpn3ConfigObject *
ovpn3_config_object_new_from_json(Ovpn3ConfigManager *manager, JsonNode *node, GError **error)
{
  g_autoptr(Ovpn3ConfigObject) self = g_object_new(OVPN3_TYPE_CONFIG_OBJECT, NULL);
  g_autoptr(Ovpn3Profile) profile = NULL;
  JsonObject *obj;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  obj = json_node_get_object(node);
  self->manager = manager;
  if (!read_scalars(self, obj, error))
    return NULL;
  self->persistent = TRUE;
  if (!read_tags(self, obj, error) || !read_acl(self, obj, error)
      || !read_overrides(self, obj, error))
    return NULL;

  profile = ovpn3_profile_new_from_json(json_object_get_member(obj, "profile"), error);
  if (profile == NULL)
    return NULL;
  ovpn3_config_object_set_profile(self, profile);
  /* sealed means valid at sealing time; a profile that no longer
   * validates stays unsealed-valid=false rather than being trusted */
  return g_steal_pointer(&self);
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
  ovpn3_config_object_set_name(self, old->name);
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

gboolean
ovpn3_config_object_commit(Ovpn3ConfigObject *self, JsonNode *snapshot, GError **error)
{
  if (ovpn3_config_manager_save(self->manager, self, error))
    return TRUE;
  restore(self, snapshot);
  return FALSE;
}

JsonNode *
ovpn3_config_object_snapshot(Ovpn3ConfigObject *self)
{
  return self->persistent ? ovpn3_config_object_to_json(self) : NULL;
}
