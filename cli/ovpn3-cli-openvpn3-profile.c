#define G_LOG_DOMAIN "ovpn3-cli-openvpn3-profile"

#include "config.h"

#include <string.h>

#include "ovpn3-cli-openvpn3.h"

/* OpenVPN 3 Linux stores a profile as its options in JSON (OptionListJSON in its
 * src/common/core-extensions.hpp), in one of the formats its json_import() reads:
 *   1)  "key": "the rest of the line" (tags: "key": "the block's text")
 *   2)  "remote": ["host1 1194 udp", "host2 1194 tcp"]   (options that may repeat)
 *   3a) "key": ["arg1", "arg2"] (tags: "ca": ["the block's text"])
 *   3b) "remote": [["host1", "1194", "udp"], ["host2", "1194", "tcp"]]
 * Options given with no argument are [] or "".  Everything is untrusted: names are checked,
 * no line can be smuggled in through a value. */

/* Options written as <key>…</key> blocks; options that may repeat (upstream's lists). */
static const char *const tag_options[] = { "auth-user-pass",
                                           "ca",
                                           "cert",
                                           "connection",
                                           "dh",
                                           "extra-certs",
                                           "http-proxy-user-pass",
                                           "key",
                                           "pkcs12",
                                           "tls-auth",
                                           "tls-crypt",
                                           "tls-crypt-v2",
                                           NULL };
static const char *const repeated_options[]
    = { "connection", "peer-fingerprint", "pull-filter", "remote", "route", "route-ipv6", NULL };
/* Access Server meta options upstream writes as "setenv opt KEY VALUE"; its other upper-case
 * meta options it drops, and so does this. */
static const char *const setenv_meta_options[]
    = { "AUTOLOGIN", "FRIENDLY_NAME", "PROFILE", "USERNAME", NULL };

static gboolean
bad(GError **error, const char *key, const char *why)
{
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "option '%.64s': %s", key, why);
  return FALSE;
}

static gboolean
valid_key(const char *key)
{
  if (*key == '\0' || strlen(key) > 64)
    return FALSE;
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
is_meta(const char *key)
{
  return g_ascii_isupper(key[0]);
}

/* One argument as the config parser reads it back: quoted when it has to be. */
static void
append_arg(GString *line, const char *arg)
{
  if (*arg != '\0' && strpbrk(arg, " \t\"'\\#;") == NULL)
    {
      g_string_append(line, arg);
      return;
    }
  g_string_append_c(line, '"');
  for (const char *p = arg; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c(line, '\\');
      g_string_append_c(line, *p);
    }
  g_string_append_c(line, '"');
}

static gboolean
has_control(const char *s)
{
  for (const char *p = s; *p != '\0'; p++)
    if ((unsigned char) *p < 0x20 && *p != '\t')
      return TRUE;
  return FALSE;
}

/* "<key>\n@text</key>\n"; the text may not close the block early.  Without a text the option
 * stays a line (auth-user-pass alone: ask the user), as upstream writes it back. */
static gboolean
add_block(GString *out, const char *key, const char *text, GError **error)
{
  g_autofree char *close = g_strdup_printf("</%s>", key);

  if (*text == '\0')
    {
      g_string_append_printf(out, "%s\n", key);
      return TRUE;
    }

  if (strstr(text, close) != NULL)
    return bad(error, key, "its block contains its own closing tag");
  g_string_append_printf(out, "<%s>\n%s", key, text);
  if (*text != '\0' && text[strlen(text) - 1] != '\n')
    g_string_append_c(out, '\n');
  g_string_append_printf(out, "%s\n", close);
  return TRUE;
}

/* Formats 1 and 2: @raw is the rest of the line (or a block's text). */
static gboolean
add_raw(GString *out, const char *key, const char *raw, GError **error)
{
  if (g_strv_contains(tag_options, key))
    return add_block(out, key, raw, error);
  if (has_control(raw))
    return bad(error, key, "its value has a line break or a control character");
  if (is_meta(key))
    g_string_append(out, "setenv opt ");
  g_string_append(out, key);
  if (*raw != '\0')
    g_string_append_printf(out, " %s", raw);
  g_string_append_c(out, '\n');
  return TRUE;
}

/* Format 3a: one option's arguments. */
static gboolean
add_args(GString *out, const char *key, JsonArray *args, GError **error)
{
  guint n = json_array_get_length(args);
  g_autoptr(GString) line = g_string_new(NULL);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *a = json_array_get_element(args, i);
      if (!JSON_NODE_HOLDS_VALUE(a) || json_node_get_value_type(a) != G_TYPE_STRING)
        return bad(error, key, "an argument is not a string");
    }
  if (g_strv_contains(tag_options, key))
    return add_block(out, key, n > 0 ? json_array_get_string_element(args, 0) : "", error);
  if (is_meta(key))
    g_string_append(line, "setenv opt ");
  g_string_append(line, key);
  for (guint i = 0; i < n; i++)
    {
      const char *arg = json_array_get_string_element(args, i);
      if (has_control(arg))
        return bad(error, key, "an argument has a line break or a control character");
      g_string_append_c(line, ' ');
      append_arg(line, arg);
    }
  g_string_append_printf(out, "%s\n", line->str);
  return TRUE;
}

/* An array value: 3b (arrays), 2 (strings of a repeated option) or 3a. */
static gboolean
add_array(GString *out, const char *key, JsonArray *arr, GError **error)
{
  guint n = json_array_get_length(arr);
  JsonNode *first = n > 0 ? json_array_get_element(arr, 0) : NULL;

  if (first != NULL && JSON_NODE_HOLDS_ARRAY(first))
    {
      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element(arr, i);
          if (!JSON_NODE_HOLDS_ARRAY(e))
            return bad(error, key, "a list mixes lists and strings");
          if (!add_args(out, key, json_node_get_array(e), error))
            return FALSE;
        }
      return TRUE;
    }
  if (first != NULL && g_strv_contains(repeated_options, key))
    {
      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element(arr, i);
          if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
            return bad(error, key, "a value is not a string");
          if (!add_raw(out, key, json_node_get_string(e), error))
            return FALSE;
        }
      return TRUE;
    }
  return add_args(out, key, arr, error);
}

static gboolean
add_option(GString *out, const char *key, JsonNode *value, GError **error)
{
  if (!valid_key(key))
    return bad(error, key, "not an option name");
  if (is_meta(key) && !g_strv_contains(setenv_meta_options, key))
    return TRUE; /* dropped, as upstream drops it */
  if (JSON_NODE_HOLDS_ARRAY(value))
    return add_array(out, key, json_node_get_array(value), error);
  if (JSON_NODE_HOLDS_VALUE(value) && json_node_get_value_type(value) == G_TYPE_STRING)
    return add_raw(out, key, json_node_get_string(value), error);
  return bad(error, key, "its value is neither a string nor a list");
}

char *
ovpn3_openvpn3_profile_text(JsonObject *profile, GError **error)
{
  g_autoptr(GString) out = g_string_new(NULL);
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  json_object_iter_init_ordered(&iter, profile);
  while (json_object_iter_next_ordered(&iter, &key, &value))
    if (!add_option(out, key, value, error))
      return NULL;
  if (out->len == 0)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "the profile has no options");
      return NULL;
    }
  return g_string_free(g_steal_pointer(&out), FALSE);
}
