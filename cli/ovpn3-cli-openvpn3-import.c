#define G_LOG_DOMAIN "ovpn3-cli-openvpn3-import"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-openvpn3.h"
#include "ovpn3-cli-upstream.h"

/* upstream's files are small; a bigger one is not one of them */
#define MAX_FILE_SIZE (4 * 1024 * 1024)

/* ---- the option ----------------------------------------------------------------------------- */

static char *from_dir;

gboolean
ovpn3_cli_openvpn3_option(const char *option_name, const char *value, gpointer data, GError **error)
{
  g_free(from_dir);
  from_dir = g_strdup(value != NULL && *value != '\0' ? value : OVPN3_OPENVPN3_CONFIGS_DIR);
  return TRUE;
}

const char *
ovpn3_cli_openvpn3_dir(void)
{
  return from_dir;
}

/* ---- one file ------------------------------------------------------------------------------- */

static GVariant *
config_call(const char *path, const char *method, GVariant *args, GError **error)
{
  return ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, method, args, NULL,
                        error);
}

/* The call's outcome, with the reason in plain words on failure. */
static gboolean
done(GVariant *reply, GError **error, const char *what)
{
  if (reply != NULL)
    {
      g_variant_unref(reply);
      return TRUE;
    }
  ovpn3_cli_strip_remote_error(*error);
  g_prefix_error(error, "%s: ", what);
  return FALSE;
}

static JsonObject *
load_file(const char *file, JsonParser *parser, GError **error)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  JsonNode *root;

  if (!g_file_get_contents(file, &text, &len, error))
    return NULL;
  if (len > MAX_FILE_SIZE)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "larger than %d bytes",
                  MAX_FILE_SIZE);
      return NULL;
    }
  if (!json_parser_load_from_data(parser, text, (gssize) len, error))
    {
      g_prefix_error(error, "not JSON: ");
      return NULL;
    }
  root = json_parser_get_root(parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }
  return json_node_get_object(root);
}

static gboolean
member_type(JsonObject *o, const char *name, JsonNodeType type, GType value_type)
{
  JsonNode *n = json_object_get_member(o, name);

  if (n == NULL || JSON_NODE_TYPE(n) != type)
    return FALSE;
  return type != JSON_NODE_VALUE || json_node_get_value_type(n) == value_type;
}

/* What every file must have: name, owner, profile; what it may have, of the right type. */
static gboolean
check_fields(JsonObject *o, GError **error)
{
  static const struct
  {
    const char *name;
    JsonNodeType type;
  } optional[] = { { "tags", JSON_NODE_ARRAY },
                   { "overrides", JSON_NODE_OBJECT },
                   { "acl", JSON_NODE_ARRAY } };
  const char *missing = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(optional); i++)
    if (json_object_has_member(o, optional[i].name)
        && !member_type(o, optional[i].name, optional[i].type, G_TYPE_INVALID))
      {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a %s", optional[i].name,
                    optional[i].type == JSON_NODE_ARRAY ? "list" : "JSON object");
        return FALSE;
      }

  if (!member_type(o, "name", JSON_NODE_VALUE, G_TYPE_STRING)
      || *json_object_get_string_member(o, "name") == '\0')
    missing = "name";
  else if (!member_type(o, "owner", JSON_NODE_VALUE, G_TYPE_INT64)
           || json_object_get_int_member(o, "owner") < 0
           || json_object_get_int_member(o, "owner") > G_MAXUINT32)
    missing = "owner (a UID)";
  else if (!member_type(o, "profile", JSON_NODE_OBJECT, G_TYPE_INVALID))
    missing = "profile";
  if (missing == NULL)
    return TRUE;
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "no %s", missing);
  return FALSE;
}

static gboolean
add_tags(const char *path, JsonObject *o, GError **error)
{
  JsonArray *tags
      = json_object_has_member(o, "tags") ? json_object_get_array_member(o, "tags") : NULL;

  for (guint i = 0; tags != NULL && i < json_array_get_length(tags); i++)
    {
      JsonNode *t = json_array_get_element(tags, i);
      if (!JSON_NODE_HOLDS_VALUE(t) || json_node_get_value_type(t) != G_TYPE_STRING)
        continue; /* upstream skips what is not a tag, too */
      if (!done(config_call(path, "AddTag", g_variant_new("(s)", json_node_get_string(t)), error),
                error, "tag"))
        return FALSE;
    }
  return TRUE;
}

static gboolean
set_overrides(const char *path, JsonObject *o, GError **error)
{
  JsonObject *ov = json_object_has_member(o, "overrides")
                       ? json_object_get_object_member(o, "overrides")
                       : NULL;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (ov == NULL)
    return TRUE;
  json_object_iter_init_ordered(&iter, ov);
  while (json_object_iter_next_ordered(&iter, &key, &value))
    {
      GType t = JSON_NODE_HOLDS_VALUE(value) ? json_node_get_value_type(value) : G_TYPE_INVALID;
      g_autofree char *what = g_strdup_printf("override '%.64s'", key);
      GVariant *v;

      if (t == G_TYPE_BOOLEAN)
        v = g_variant_new_boolean(json_node_get_boolean(value));
      else if (t == G_TYPE_STRING)
        v = g_variant_new_string(json_node_get_string(value));
      else
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a string or boolean",
                      what);
          return FALSE;
        }
      if (!done(config_call(path, "SetOverride", g_variant_new("(sv)", key, v), error), error,
                what))
        return FALSE;
    }
  return TRUE;
}

static gboolean
grant_access(const char *path, JsonObject *o, GError **error)
{
  JsonArray *acl = json_object_has_member(o, "acl") ? json_object_get_array_member(o, "acl") : NULL;

  for (guint i = 0; acl != NULL && i < json_array_get_length(acl); i++)
    {
      JsonNode *u = json_array_get_element(acl, i);
      gint64 uid = JSON_NODE_HOLDS_VALUE(u) && json_node_get_value_type(u) == G_TYPE_INT64
                       ? json_node_get_int(u)
                       : -1;

      if (uid < 0 || uid > G_MAXUINT32)
        {
          g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "acl: not a UID");
          return FALSE;
        }
      if (!done(config_call(path, "AccessGrant", g_variant_new("(u)", (guint32) uid), error), error,
                "acl"))
        return FALSE;
    }
  return TRUE;
}

/* The boolean flags upstream stores, set when present. */
static gboolean
set_flags(const char *path, JsonObject *o, GError **error)
{
  static const char *const flags[]
      = { "public_access", "locked_down", "transfer_owner_session", "dco", NULL };

  for (guint i = 0; flags[i] != NULL; i++)
    {
      if (!member_type(o, flags[i], JSON_NODE_VALUE, G_TYPE_BOOLEAN))
        continue;
      if (!ovpn3_cli_set_property(
              OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, flags[i],
              g_variant_new_boolean(json_object_get_boolean_member(o, flags[i])), error))
        return done(NULL, error, flags[i]);
    }
  return TRUE;
}

/* Everything after Import; the owner last but one (root may change it after that too) and the
 * seal last. */
static gboolean
apply_fields(const char *path, JsonObject *o, GError **error)
{
  guint32 owner = (guint32) json_object_get_int_member(o, "owner");

  if (!add_tags(path, o, error) || !set_overrides(path, o, error) || !grant_access(path, o, error)
      || !set_flags(path, o, error))
    return FALSE;
  if (owner != 0
      && !done(ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                              "TransferOwnership", g_variant_new("(ou)", path, owner), NULL, error),
               error, "owner"))
    return FALSE;
  if (member_type(o, "readonly", JSON_NODE_VALUE, G_TYPE_BOOLEAN)
      && json_object_get_boolean_member(o, "readonly"))
    return done(config_call(path, "Seal", NULL, error), error, "seal");
  return TRUE;
}

/* Import one file: the new profile's path, or NULL with @error (nothing is left behind). */
static char *
import_file(const char *file, JsonObject **fields, JsonParser *parser, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GVariant) reply = NULL;
  char *path = NULL;
  JsonObject *o = load_file(file, parser, error);

  *fields = o;
  if (o == NULL || !check_fields(o, error))
    return NULL;
  text = ovpn3_openvpn3_profile_text(json_object_get_object_member(o, "profile"), error);
  if (text == NULL)
    return NULL;
  reply = ovpn3_cli_call(
      OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, "Import",
      g_variant_new("(ssbb)", json_object_get_string_member(o, "name"), text, FALSE, TRUE),
      G_VARIANT_TYPE("(o)"), error);
  if (reply == NULL)
    {
      ovpn3_cli_strip_remote_error(*error);
      return NULL;
    }
  g_variant_get(reply, "(o)", &path);
  if (!apply_fields(path, o, error))
    {
      g_autoptr(GVariant) rm G_GNUC_UNUSED = config_call(path, "Remove", NULL, NULL);
      g_clear_pointer(&path, g_free);
    }
  return path;
}

/* ---- the folder ----------------------------------------------------------------------------- */

static int
compare_paths(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* The *.json files of @dir, sorted; NULL (*code set) when it cannot be read. */
static GPtrArray *
list_files(Ovpn3Cli *cli, const char *dir, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) d = g_dir_open(dir, 0, &error);
  GPtrArray *files;
  const char *entry;

  if (d == NULL)
    {
      *code = ovpn3_cli_fail(cli,
                             g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                                 ? OVPN3_EXIT_NOT_FOUND
                                 : OVPN3_EXIT_ERROR,
                             "Give the folder: --from-openvpn3 DIR", "%s", error->message);
      return NULL;
    }
  files = g_ptr_array_new_with_free_func(g_free);
  while ((entry = g_dir_read_name(d)) != NULL)
    if (g_str_has_suffix(entry, ".json"))
      g_ptr_array_add(files, g_build_filename(dir, entry, NULL));
  g_ptr_array_sort(files, compare_paths);
  return files;
}

int
ovpn3_cli_import_openvpn3(Ovpn3Cli *cli, const char *dir)
{
  g_autoptr(GPtrArray) files = NULL;
  guint refused = 0;
  int code = OVPN3_EXIT_OK;

  if (geteuid() != 0)
    return ovpn3_cli_fail(cli, OVPN3_EXIT_ACCESS_DENIED,
                          "Run it as root: the profiles belong to their users",
                          "only root may import OpenVPN 3 Linux's profiles");
  files = list_files(cli, dir, &code);
  if (files == NULL)
    return code;
  if (files->len == 0)
    printf("No OpenVPN 3 Linux profiles (*.json) in %s.\n", dir);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index(files, i);
      g_autoptr(JsonParser) parser = json_parser_new();
      g_autoptr(GError) error = NULL;
      JsonObject *o = NULL;
      g_autofree char *path = import_file(file, &o, parser, &error);

      if (path == NULL)
        {
          printf("%s: refused: %s\n", file, error->message);
          refused++;
          continue;
        }
      {
        g_autofree char *name = g_strdup(json_object_get_string_member(o, "name"));

        for (char *c = name; *c != '\0'; c++)
          if ((unsigned char) *c < 0x20 || *c == 0x7f)
            *c = '?'; /* keep control characters off the terminal */
        printf("%s: imported as %s ('%s', owner %" G_GINT64_FORMAT ")\n", file, path, name,
               json_object_get_int_member(o, "owner"));
      }
    }
  fflush(stdout);
  return refused > 0 ? OVPN3_EXIT_ERROR : OVPN3_EXIT_OK;
}
