#define G_LOG_DOMAIN "ovpn3-cli-profile-info"

#include "config.h"

#include "ovpn3-cli-profile-info.h"

static void
set_from(JsonObject *obj, const char *member, GVariant *props, const char *key)
{
  g_autoptr(GVariant) v = props != NULL ? g_variant_lookup_value(props, key, NULL) : NULL;

  json_object_set_member(obj, member, ovpn3_variant_to_json(v));
}

JsonObject *
ovpn3_profile_info_json(const char *path, GVariant *props)
{
  JsonObject *obj = json_object_new();
  guint32 owner;

  json_object_set_string_member(obj, "path", path);
  set_from(obj, "name", props, "name");
  set_from(obj, "owner", props, "owner");
  if (ovpn3_vardict_u32(props, "owner", &owner))
    {
      g_autofree char *owner_name = ovpn3_cli_user_name(owner);
      json_object_set_string_member(obj, "owner_name", owner_name);
    }
  else
    json_object_set_null_member(obj, "owner_name");
  set_from(obj, "tags", props, "tags");
  set_from(obj, "import_timestamp", props, "import_timestamp");
  set_from(obj, "last_used_timestamp", props, "last_used_timestamp");
  set_from(obj, "used_count", props, "used_count");
  set_from(obj, "persistent", props, "persistent");
  set_from(obj, "single_use", props, "single_use");
  set_from(obj, "sealed", props, "readonly");
  set_from(obj, "locked_down", props, "locked_down");
  set_from(obj, "public_access", props, "public_access");
  set_from(obj, "transfer_owner_session", props, "transfer_owner_session");
  set_from(obj, "dco", props, "dco");
  set_from(obj, "valid", props, "valid");
  set_from(obj, "acl", props, "acl");
  set_from(obj, "overrides", props, "overrides");
  /* a secret: say that it is set, never what it is */
  if (JSON_NODE_HOLDS_OBJECT(json_object_get_member(obj, "overrides"))
      && json_object_has_member(json_object_get_object_member(obj, "overrides"), "proxy-password"))
    json_object_set_string_member(json_object_get_object_member(obj, "overrides"), "proxy-password",
                                  "(set)");
  return obj;
}

static gboolean
flag(GVariant *props, const char *key)
{
  gboolean v = FALSE;

  return ovpn3_vardict_bool(props, key, &v) && v;
}

char *
ovpn3_profile_info_flags(GVariant *props)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new();
  gboolean valid = TRUE;

  if (flag(props, "persistent"))
    g_ptr_array_add(words, (gpointer) "persistent");
  if (flag(props, "single_use"))
    g_ptr_array_add(words, (gpointer) "single-use");
  if (flag(props, "readonly"))
    g_ptr_array_add(words, (gpointer) "sealed");
  if (flag(props, "locked_down"))
    g_ptr_array_add(words, (gpointer) "locked-down");
  if (flag(props, "public_access"))
    g_ptr_array_add(words, (gpointer) "public");
  if (ovpn3_vardict_bool(props, "valid", &valid) && !valid)
    g_ptr_array_add(words, (gpointer) "invalid");
  if (words->len == 0)
    return NULL;
  g_ptr_array_add(words, NULL);
  return g_strjoinv(",", (char **) words->pdata);
}

char *
ovpn3_profile_info_tags(GVariant *props)
{
  g_autofree const char **tags = NULL;

  if (props == NULL || !g_variant_lookup(props, "tags", "^a&s", &tags) || tags[0] == NULL)
    return NULL;
  return g_strjoinv(", ", (char **) tags);
}

char *
ovpn3_profile_info_acl(GVariant *props)
{
  g_autoptr(GVariant) acl
      = props != NULL ? g_variant_lookup_value(props, "acl", G_VARIANT_TYPE("au")) : NULL;
  g_autoptr(GString) out = NULL;
  gsize n;
  const guint32 *uids;

  if (acl == NULL)
    return NULL;
  uids = g_variant_get_fixed_array(acl, &n, sizeof(guint32));
  if (n == 0)
    return g_strdup("nobody else");
  out = g_string_new(NULL);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *name = ovpn3_cli_user_name(uids[i]);
      g_string_append_printf(out, "%s%s (%u)", i > 0 ? ", " : "", name, uids[i]);
    }
  return g_string_free(g_steal_pointer(&out), FALSE);
}

const char *
ovpn3_profile_info_yesno(GVariant *props, const char *key)
{
  gboolean v;

  if (!ovpn3_vardict_bool(props, key, &v))
    return NULL;
  return v ? "yes" : "no";
}

char *
ovpn3_profile_info_overrides(GVariant *props)
{
  g_autoptr(GVariant) ov
      = props != NULL ? g_variant_lookup_value(props, "overrides", G_VARIANT_TYPE_VARDICT) : NULL;
  g_autoptr(GString) out = NULL;
  GVariantIter iter;
  const char *key;
  GVariant *value;

  if (ov == NULL || g_variant_n_children(ov) == 0)
    return NULL;
  out = g_string_new(NULL);
  g_variant_iter_init(&iter, ov);
  while (g_variant_iter_next(&iter, "{&sv}", &key, &value))
    {
      if (out->len > 0)
        g_string_append(out, ", ");
      if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
        g_string_append_printf(out, "%s=%s", key, g_variant_get_boolean(value) ? "yes" : "no");
      else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
        g_string_append_printf(
            out, "%s=%s", key,
            g_str_equal(key, "proxy-password") ? "(set)" : g_variant_get_string(value, NULL));
      g_variant_unref(value);
    }
  return g_string_free(g_steal_pointer(&out), FALSE);
}
