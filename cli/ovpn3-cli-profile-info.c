#define G_LOG_DOMAIN "ovpn3-cli-profile-info"

#include "config.h"

#include <string.h>

#include "ovpn3-cli-profile-info.h"

/* The name and type of each Ovpn3ProfileProp (docs/dbus-api.md §3.1). */
static const struct
{
  const char *key;
  const char *type;
} props_spec[OVPN3_PROFILE_N_PROPS] = {
  [OVPN3_PROFILE_OWNER] = { "owner", "u" },
  [OVPN3_PROFILE_NAME] = { "name", "s" },
  [OVPN3_PROFILE_ACL] = { "acl", "au" },
  [OVPN3_PROFILE_PUBLIC_ACCESS] = { "public_access", "b" },
  [OVPN3_PROFILE_SINGLE_USE] = { "single_use", "b" },
  [OVPN3_PROFILE_PERSISTENT] = { "persistent", "b" },
  [OVPN3_PROFILE_IMPORT_TIMESTAMP] = { "import_timestamp", "t" },
  [OVPN3_PROFILE_LAST_USED_TIMESTAMP] = { "last_used_timestamp", "t" },
  [OVPN3_PROFILE_LOCKED_DOWN] = { "locked_down", "b" },
  [OVPN3_PROFILE_READONLY] = { "readonly", "b" },
  [OVPN3_PROFILE_TAGS] = { "tags", "as" },
  [OVPN3_PROFILE_USED_COUNT] = { "used_count", "u" },
  [OVPN3_PROFILE_VALID] = { "valid", "b" },
  [OVPN3_PROFILE_OVERRIDES] = { "overrides", "a{sv}" },
  [OVPN3_PROFILE_TRANSFER_OWNER_SESSION] = { "transfer_owner_session", "b" },
  [OVPN3_PROFILE_DCO] = { "dco", "b" },
};

void
ovpn3_profile_props_init(Ovpn3ProfileProps *p, GVariant *dict)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  memset(p, 0, sizeof *p);
  if (dict == NULL || !g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT))
    return;
  g_variant_iter_init(&iter, dict);
  while (g_variant_iter_next(&iter, "{&sv}", &key, &value))
    {
      guint i = 0;

      while (i < OVPN3_PROFILE_N_PROPS && strcmp(props_spec[i].key, key) != 0)
        i++;
      /* the first of a key given twice, as g_variant_lookup() */
      if (i < OVPN3_PROFILE_N_PROPS && p->v[i] == NULL
          && g_variant_is_of_type(value, G_VARIANT_TYPE(props_spec[i].type)))
        p->v[i] = value;
      else
        g_variant_unref(value);
    }
}

void
ovpn3_profile_props_clear(Ovpn3ProfileProps *p)
{
  for (guint i = 0; i < OVPN3_PROFILE_N_PROPS; i++)
    g_clear_pointer(&p->v[i], g_variant_unref);
}

const char *
ovpn3_profile_props_str(const Ovpn3ProfileProps *p, Ovpn3ProfileProp which)
{
  return p->v[which] != NULL ? g_variant_get_string(p->v[which], NULL) : NULL;
}

static void
set_from(JsonObject *obj, const char *member, const Ovpn3ProfileProps *p, Ovpn3ProfileProp which)
{
  json_object_set_member(obj, member, ovpn3_variant_to_json(p->v[which]));
}

JsonObject *
ovpn3_profile_props_json(const char *path, const Ovpn3ProfileProps *p)
{
  JsonObject *obj = json_object_new();
  JsonNode *overrides;

  json_object_set_string_member(obj, "path", path);
  set_from(obj, "name", p, OVPN3_PROFILE_NAME);
  set_from(obj, "owner", p, OVPN3_PROFILE_OWNER);
  if (p->v[OVPN3_PROFILE_OWNER] != NULL)
    {
      g_autofree char *owner_name
          = ovpn3_cli_user_name(g_variant_get_uint32(p->v[OVPN3_PROFILE_OWNER]));
      json_object_set_string_member(obj, "owner_name", owner_name);
    }
  else
    json_object_set_null_member(obj, "owner_name");
  set_from(obj, "tags", p, OVPN3_PROFILE_TAGS);
  set_from(obj, "import_timestamp", p, OVPN3_PROFILE_IMPORT_TIMESTAMP);
  set_from(obj, "last_used_timestamp", p, OVPN3_PROFILE_LAST_USED_TIMESTAMP);
  set_from(obj, "used_count", p, OVPN3_PROFILE_USED_COUNT);
  set_from(obj, "persistent", p, OVPN3_PROFILE_PERSISTENT);
  set_from(obj, "single_use", p, OVPN3_PROFILE_SINGLE_USE);
  set_from(obj, "sealed", p, OVPN3_PROFILE_READONLY);
  set_from(obj, "locked_down", p, OVPN3_PROFILE_LOCKED_DOWN);
  set_from(obj, "public_access", p, OVPN3_PROFILE_PUBLIC_ACCESS);
  set_from(obj, "transfer_owner_session", p, OVPN3_PROFILE_TRANSFER_OWNER_SESSION);
  set_from(obj, "dco", p, OVPN3_PROFILE_DCO);
  set_from(obj, "valid", p, OVPN3_PROFILE_VALID);
  set_from(obj, "acl", p, OVPN3_PROFILE_ACL);
  set_from(obj, "overrides", p, OVPN3_PROFILE_OVERRIDES);
  /* a secret: say that it is set, never what it is */
  overrides = json_object_get_member(obj, "overrides");
  if (JSON_NODE_HOLDS_OBJECT(overrides)
      && json_object_has_member(json_node_get_object(overrides), "proxy-password"))
    json_object_set_string_member(json_node_get_object(overrides), "proxy-password", "(set)");
  return obj;
}

JsonObject *
ovpn3_profile_info_json(const char *path, GVariant *props)
{
  Ovpn3ProfileProps p;
  JsonObject *obj;

  ovpn3_profile_props_init(&p, props);
  obj = ovpn3_profile_props_json(path, &p);
  ovpn3_profile_props_clear(&p);
  return obj;
}

static gboolean
flag(const Ovpn3ProfileProps *p, Ovpn3ProfileProp which)
{
  return p->v[which] != NULL && g_variant_get_boolean(p->v[which]);
}

char *
ovpn3_profile_props_flags(const Ovpn3ProfileProps *p)
{
  static const struct
  {
    Ovpn3ProfileProp which;
    const char *word;
  } words[] = {
    { OVPN3_PROFILE_PERSISTENT, "persistent" }, { OVPN3_PROFILE_SINGLE_USE, "single-use" },
    { OVPN3_PROFILE_READONLY, "sealed" },       { OVPN3_PROFILE_LOCKED_DOWN, "locked-down" },
    { OVPN3_PROFILE_PUBLIC_ACCESS, "public" },
  };
  g_autoptr(GString) out = g_string_new(NULL);

  for (guint i = 0; i < G_N_ELEMENTS(words); i++)
    if (flag(p, words[i].which))
      g_string_append_printf(out, "%s%s", out->len > 0 ? "," : "", words[i].word);
  if (p->v[OVPN3_PROFILE_VALID] != NULL && !g_variant_get_boolean(p->v[OVPN3_PROFILE_VALID]))
    g_string_append_printf(out, "%s%s", out->len > 0 ? "," : "", "invalid");
  if (out->len == 0)
    return NULL;
  return g_string_free(g_steal_pointer(&out), FALSE);
}

/* fn's text for a GetAll dictionary, decoded once for it. */
static char *
from_props(GVariant *props, char *(*fn)(const Ovpn3ProfileProps *p))
{
  Ovpn3ProfileProps p;
  char *text;

  ovpn3_profile_props_init(&p, props);
  text = fn(&p);
  ovpn3_profile_props_clear(&p);
  return text;
}

char *
ovpn3_profile_info_flags(GVariant *props)
{
  return from_props(props, ovpn3_profile_props_flags);
}

char *
ovpn3_profile_props_tags(const Ovpn3ProfileProps *p)
{
  g_autofree const char **tags = NULL;

  if (p->v[OVPN3_PROFILE_TAGS] == NULL)
    return NULL;
  tags = g_variant_get_strv(p->v[OVPN3_PROFILE_TAGS], NULL);
  if (tags[0] == NULL)
    return NULL;
  return g_strjoinv(", ", (char **) tags);
}

char *
ovpn3_profile_info_tags(GVariant *props)
{
  return from_props(props, ovpn3_profile_props_tags);
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
