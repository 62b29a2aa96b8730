#define G_LOG_DOMAIN "ovpn3-profile-json"

#include "config.h"

#include <string.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-allowlist.h"
#include "ovpn3-profile-lexer.h"
#include "ovpn3-profile-private.h"

/* The docs/dbus-api.md §9.1 `profile` object (also FetchJSON):
 *   "dev": ["tun"]                              one occurrence: array of string args
 *   "remote": [["a", "1194"], ["b"]]            repeatable (or repeated): array of such arrays
 *   "ca": "-----BEGIN …\n"                      inline block: its content
 *   "connection": [["remote a 1194\n…"], …]     <connection>: its rendered content, per block
 * Older Import formats accepted by ovpn3_profile_new_from_json(): "name": "whole arg string"
 * and, for repeatable options, "name": ["arg string", "arg string"]. */

static JsonNode *
directive_value(Ovpn3ProfileDirective *d, gboolean as_element)
{
  JsonNode *node;

  if (d->children != NULL || d->block != NULL)
    {
      g_autoptr(GString) s = g_string_new(NULL);
      if (d->children != NULL)
        ovpn3_profile_render_directives(s, d->children, OVPN3_PROFILE_RENDER_DEFAULT);
      else
        g_string_append(s, d->block);
      if (!as_element)
        return json_node_init_string(json_node_alloc(), s->str);
      JsonArray *arr = json_array_new();
      json_array_add_string_element(arr, s->str);
      node = json_node_init_array(json_node_alloc(), arr);
      json_array_unref(arr);
      return node;
    }

  JsonArray *arr = json_array_new();
  for (char **a = d->args; *a != NULL; a++)
    json_array_add_string_element(arr, *a);
  node = json_node_init_array(json_node_alloc(), arr);
  json_array_unref(arr);
  return node;
}

JsonNode *
ovpn3_profile_to_json(Ovpn3Profile *self)
{
  GPtrArray *directives;
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new();
  JsonObject *obj;
  JsonNode *root;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), NULL);
  directives = ovpn3_profile_get_directives(self);
  groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < directives->len; i++)
    {
      Ovpn3ProfileDirective *d = directives->pdata[i];
      GPtrArray *g = g_hash_table_lookup(groups, d->name);
      if (g == NULL)
        {
          g = g_ptr_array_new();
          g_hash_table_insert(groups, d->name, g);
          g_ptr_array_add(order, d->name);
        }
      g_ptr_array_add(g, d);
    }

  obj = json_object_new();
  for (guint i = 0; i < order->len; i++)
    {
      const char *name = order->pdata[i];
      GPtrArray *g = g_hash_table_lookup(groups, name);
      const Ovpn3ProfileOptInfo *o = ovpn3_profile_allowlist_lookup(name);
      gboolean repeat = g->len > 1 || (o != NULL && (o->flags & OVPN3_OPT_REPEAT));

      if (!repeat)
        {
          json_object_set_member(obj, name, directive_value(g->pdata[0], FALSE));
          continue;
        }
      JsonArray *arr = json_array_new();
      for (guint j = 0; j < g->len; j++)
        json_array_add_element(arr, directive_value(g->pdata[j], TRUE));
      json_object_set_array_member(obj, name, arr);
    }
  root = json_node_init_object(json_node_alloc(), obj);
  json_object_unref(obj);
  return root;
}

char *
ovpn3_profile_to_json_string(Ovpn3Profile *self)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail(OVPN3_IS_PROFILE(self), NULL);
  node = ovpn3_profile_to_json(self);
  return json_to_string(node, FALSE);
}

typedef struct
{
  GPtrArray *out;
  guint count;
  GError *error;
} FromJson;

static void
json_error(FromJson *fj, const char *name)
{
  if (fj->error == NULL)
    g_set_error(&fj->error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_INVALID_JSON,
                "Invalid configuration profile: the value of '%s' has the wrong type", name);
}

static gboolean
is_block_string(const Ovpn3ProfileOptInfo *o, const char *s)
{
  if (o == NULL || !(o->flags & OVPN3_OPT_BLOCK))
    return FALSE;
  return (o->flags & OVPN3_OPT_BLOCK_ONLY) || strchr(s, '\n') != NULL;
}

/* "name": "whole arg string" (older format) */
static gboolean
add_from_arg_string(FromJson *fj, const char *name, const char *s)
{
  g_auto(GStrv) tokens = NULL;

  if (!g_utf8_validate(s, -1, NULL) || strchr(s, '\n') != NULL || strchr(s, '\r') != NULL)
    {
      ovpn3_profile_set_error(&fj->error, OVPN3_PROFILE_ERROR_INVALID, 0,
                              "an argument of '%s' is not printable text", name);
      return FALSE;
    }
  if (!ovpn3_profile_lex_tokenize(s, strlen(s), 0, &tokens, &fj->error))
    return FALSE;
  return ovpn3_profile_add_directive(fj->out, name, (const char *const *) tokens, NULL, FALSE, 0,
                                     &fj->count, &fj->error);
}

/* One occurrence given as an array of strings (args, or [block]). */
static gboolean
add_from_string_array(FromJson *fj, const char *name, const Ovpn3ProfileOptInfo *o, JsonArray *arr)
{
  guint n = json_array_get_length(arr);
  g_autoptr(GPtrArray) args = g_ptr_array_new();

  for (guint i = 0; i < n; i++)
    {
      JsonNode *e = json_array_get_element(arr, i);
      if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
        {
          json_error(fj, name);
          return FALSE;
        }
      g_ptr_array_add(args, (gpointer) json_node_get_string(e));
    }
  if (n == 1 && is_block_string(o, args->pdata[0]))
    return ovpn3_profile_add_directive(fj->out, name, NULL, args->pdata[0], FALSE, 0, &fj->count,
                                       &fj->error);
  g_ptr_array_add(args, NULL);
  return ovpn3_profile_add_directive(fj->out, name, (const char *const *) args->pdata, NULL, FALSE,
                                     0, &fj->count, &fj->error);
}

static void
from_json_member(JsonObject *obj, const char *name, JsonNode *value, gpointer user_data)
{
  FromJson *fj = user_data;
  const Ovpn3ProfileOptInfo *o = ovpn3_profile_allowlist_lookup(name);

  if (fj->error != NULL)
    return;

  if (JSON_NODE_HOLDS_VALUE(value) && json_node_get_value_type(value) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string(value);
      if (is_block_string(o, s))
        ovpn3_profile_add_directive(fj->out, name, NULL, s, FALSE, 0, &fj->count, &fj->error);
      else
        add_from_arg_string(fj, name, s);
      return;
    }
  if (!JSON_NODE_HOLDS_ARRAY(value))
    {
      json_error(fj, name);
      return;
    }

  JsonArray *arr = json_node_get_array(value);
  guint n = json_array_get_length(arr);
  JsonNode *first = n > 0 ? json_array_get_element(arr, 0) : NULL;

  if (first != NULL && JSON_NODE_HOLDS_ARRAY(first))
    {
      /* array of arrays: one per occurrence */
      for (guint i = 0; i < n && fj->error == NULL; i++)
        {
          JsonNode *e = json_array_get_element(arr, i);
          if (!JSON_NODE_HOLDS_ARRAY(e))
            {
              json_error(fj, name);
              return;
            }
          add_from_string_array(fj, name, o, json_node_get_array(e));
        }
      return;
    }
  if (n > 0 && o != NULL && (o->flags & OVPN3_OPT_REPEAT))
    {
      /* older format: a list of whole arg strings (or of blocks for <connection>) */
      for (guint i = 0; i < n && fj->error == NULL; i++)
        {
          JsonNode *e = json_array_get_element(arr, i);
          if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
            {
              json_error(fj, name);
              return;
            }
          const char *s = json_node_get_string(e);
          if (is_block_string(o, s))
            ovpn3_profile_add_directive(fj->out, name, NULL, s, FALSE, 0, &fj->count, &fj->error);
          else
            add_from_arg_string(fj, name, s);
        }
      return;
    }
  add_from_string_array(fj, name, o, arr);
}

Ovpn3Profile *
ovpn3_profile_new_from_json(JsonNode *node, GError **error)
{
  FromJson fj = { 0 };
  g_autoptr(GPtrArray) directives = NULL;

  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
    {
      g_set_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_INVALID_JSON,
                  "Invalid configuration profile: the profile is not a JSON object");
      return NULL;
    }
  directives = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_profile_directive_free);
  fj.out = directives;
  json_object_foreach_member(json_node_get_object(node), from_json_member, &fj);
  if (fj.error != NULL)
    {
      g_propagate_error(error, fj.error);
      return NULL;
    }
  if (!ovpn3_profile_check_rendered_size(directives, error))
    return NULL;
  return ovpn3_profile_new_take(g_steal_pointer(&directives));
}

Ovpn3Profile *
ovpn3_profile_new_from_json_string(const char *json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail(json != NULL, NULL);
  if (strlen(json) > 4 * OVPN3_PROFILE_MAX_SIZE)
    {
      g_set_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_TOO_LARGE,
                  "Invalid configuration profile: the JSON profile is too large");
      return NULL;
    }
  if (!json_parser_load_from_data(parser, json, -1, &local))
    {
      g_set_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_INVALID_JSON,
                  "Invalid configuration profile: not valid JSON: %s", local->message);
      return NULL;
    }
  return ovpn3_profile_new_from_json(json_parser_get_root(parser), error);
}
