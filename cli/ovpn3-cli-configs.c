#define G_LOG_DOMAIN "ovpn3-cli-configs"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-inline.h"
#include "ovpn3-cli-openvpn3.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-profile-info.h"
#include "ovpn3-cli-select.h"
#include "ovpn3-cli-upstream.h"

#define MAX_TAG_LEN 128

/* ==== config-import ========================================================================== */

static struct
{
  char *file;
  char *name;
  gboolean persistent;
  char **tags;
  gboolean json;
  gboolean allow_outside;
} imp;

const GOptionEntry *
ovpn3_cmd_config_import_entries(void)
{
  static const GOptionEntry entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &imp.file, "The profile file to import", "FILE" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &imp.name,
      "Name of the profile (default: the file name without .ovpn/.conf)", "NAME" },
    { "persistent", 'p', 0, G_OPTION_ARG_NONE, &imp.persistent,
      "Keep the profile across restarts of the service and reboots", NULL },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &imp.tags, "Add a tag (may be repeated)", "TAG" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &imp.json, "Print the result as JSON", NULL },
    { "allow-outside-files", 0, 0, G_OPTION_ARG_NONE, &imp.allow_outside,
      "Also inline files outside the profile's folder or reached through symbolic links", NULL },
    OVPN3_CLI_OPENVPN3_ENTRY,
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static char *
default_name(const char *file)
{
  g_autofree char *base = g_path_get_basename(file);
  static const char *const exts[] = { ".ovpn", ".conf", NULL };

  for (guint i = 0; exts[i] != NULL; i++)
    if (g_str_has_suffix(base, exts[i]) && strlen(base) > strlen(exts[i]))
      base[strlen(base) - strlen(exts[i])] = '\0';
  return g_steal_pointer(&base);
}

static gboolean
check_tags(Ovpn3Cli *cli, char **tags, int *code)
{
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    {
      if (tags[i][0] == '\0')
        {
          *code = ovpn3_cli_usage_error(cli, "a tag cannot be empty");
          return FALSE;
        }
      if (strlen(tags[i]) > MAX_TAG_LEN)
        {
          *code = ovpn3_cli_usage_error(cli, "the tag '%.20s…' is longer than %d characters",
                                        tags[i], MAX_TAG_LEN);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (g_str_equal(tags[i], tags[j]))
          {
            *code = ovpn3_cli_usage_error(cli, "the tag '%s' is given twice", tags[i]);
            return FALSE;
          }
    }
  return TRUE;
}

/* The name to import under, once the arguments are checked; NULL (*code set) if they are not. */
static char *
import_name(Ovpn3Cli *cli, int *code)
{
  g_autofree char *name = NULL;

  if (imp.file == NULL)
    {
      *code = ovpn3_cli_usage_error(cli, "say which file to import: --config FILE");
      return NULL;
    }
  if (!check_tags(cli, imp.tags, code))
    return NULL;
  name = imp.name != NULL ? g_strdup(imp.name) : default_name(imp.file);
  if (*name == '\0')
    {
      *code = ovpn3_cli_usage_error(cli, "the name cannot be empty");
      return NULL;
    }
  return g_steal_pointer(&name);
}

/* The profile with its files inlined, read as the calling user. */
static Ovpn3Inlined *
read_profile(Ovpn3Cli *cli, int *code)
{
  g_autoptr(GError) error = NULL;
  Ovpn3Inlined *inlined = ovpn3_cli_inline_profile(imp.file, imp.allow_outside, &error);

  if (inlined == NULL)
    {
      *code = ovpn3_cli_report(cli, error, NULL,
                               error->code == OVPN3_EXIT_ACCESS_DENIED
                                   ? "ovpn3 reads the profile and its files as you: make them "
                                     "readable by your user (no sudo needed)"
                                   : NULL);
      return NULL;
    }
  /* what goes to the service (and later the server), always; stdout stays for --json */
  ovpn3_inlined_print_files(inlined);
  return inlined;
}

/* Import refused: a refused profile is explained line by line, anything else reported. */
static int
report_import_error(Ovpn3Cli *cli, const GError *error, Ovpn3Inlined *inlined)
{
  g_autoptr(GError) copy = g_error_copy(error);
  g_autofree char *text = NULL;
  int code;

  ovpn3_cli_strip_remote_error(copy);
  if (ovpn3_cli_error_kind(error) != OVPN3_CLI_ERROR_KIND_OTHER
      || !g_str_has_prefix(copy->message, "Invalid configuration profile"))
    return ovpn3_cli_report(cli, error, "cannot import the profile", NULL);
  text = ovpn3_inlined_explain(inlined, copy->message);
  code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR,
                        "Fix the profile and import it again; see ovpn3(1) for the "
                        "options ovpn3 accepts",
                        "the profile was refused: %s", text);
  if (cli->verbose)
    {
      g_autofree char *raw = g_dbus_error_get_remote_error(error);
      fprintf(stderr, "D-Bus error: %s: %s\n", raw != NULL ? raw : "?", copy->message);
    }
  return code;
}

/* Import: the new profile's path, or NULL (*code set). */
static char *
import_profile(Ovpn3Cli *cli, const char *name, Ovpn3Inlined *inlined, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  char *path = NULL;

  reply = ovpn3_cli_call(
      OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, "Import",
      g_variant_new("(ssbb)", name, ovpn3_inlined_text(inlined), FALSE, imp.persistent),
      G_VARIANT_TYPE("(o)"), &error);
  if (reply == NULL)
    {
      *code = report_import_error(cli, error, inlined);
      return NULL;
    }
  g_variant_get(reply, "(o)", &path);
  return path;
}

/* AddTag for every --tag; all or nothing: a failure takes the half-made profile away again. */
static int
add_tags(Ovpn3Cli *cli, const char *path)
{
  for (guint i = 0; imp.tags != NULL && imp.tags[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) r
          = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, "AddTag",
                           g_variant_new("(s)", imp.tags[i]), NULL, &error);
      if (r == NULL)
        {
          g_autofree char *what = g_strdup_printf("cannot add the tag '%s'", imp.tags[i]);
          g_autoptr(GVariant) rm = NULL;
          int code = ovpn3_cli_report(cli, error, what, "Nothing was imported; try again");

          rm = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, "Remove", NULL,
                              NULL, NULL);
          return code;
        }
    }
  return OVPN3_EXIT_OK;
}

/* Validate: NULL when the profile can be used, else why not. */
static char *
validation_message(const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) r = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE,
                                         "Validate", NULL, NULL, &error);

  if (r != NULL)
    return NULL;
  ovpn3_cli_strip_remote_error(error);
  return g_strdup(error->message);
}

static void
print_import_json(const char *name, const char *path, Ovpn3Inlined *inlined, const char *invalid)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  ovpn3_json_member_string(b, "path", path);
  ovpn3_json_member_string(b, "name", name);
  ovpn3_json_member_boolean(b, "persistent", imp.persistent);
  json_builder_set_member_name(b, "tags");
  json_builder_begin_array(b);
  for (guint i = 0; imp.tags != NULL && imp.tags[i] != NULL; i++)
    json_builder_add_string_value(b, imp.tags[i]);
  json_builder_end_array(b);
  json_builder_set_member_name(b, "inlined_files");
  json_builder_add_int_value(b, ovpn3_inlined_count(inlined));
  ovpn3_json_member_boolean(b, "valid", invalid == NULL);
  ovpn3_json_member_string(b, "validation_message", invalid);
  json_builder_end_object(b);
  ovpn3_cli_print_json_builder(b);
}

static void
print_import_text(const char *name, const char *path, Ovpn3Inlined *inlined)
{
  guint n = ovpn3_inlined_count(inlined);

  printf("Imported '%s'%s: %s\n", name, imp.persistent ? " (persistent)" : "", path);
  if (n > 0)
    printf("%u referenced file%s inlined.\n", n, n == 1 ? "" : "s");
  if (!imp.persistent)
    printf("Not persistent: it is forgotten when the configuration service restarts "
           "(use --persistent to keep it).\n");
}

int
ovpn3_cmd_config_import(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autoptr(Ovpn3Inlined) inlined = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autofree char *invalid = NULL;

  ovpn3_cli_join_optional(&argc, &argv, "--from-openvpn3", FALSE);
  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("config-import"),
                       ovpn3_cmd_config_import_entries(), &argc, &argv, &code))
    return code;
  if (ovpn3_cli_openvpn3_dir() != NULL && (imp.file != NULL || imp.name != NULL || imp.tags))
    return ovpn3_cli_usage_error(cli, "--from-openvpn3 takes no --config, --name or --tag");
  if (ovpn3_cli_openvpn3_dir() != NULL)
    return ovpn3_cli_import_openvpn3(cli, ovpn3_cli_openvpn3_dir());
  name = import_name(cli, &code);
  if (name == NULL)
    return code;
  inlined = read_profile(cli, &code);
  if (inlined == NULL)
    return code;
  path = import_profile(cli, name, inlined, &code);
  if (path == NULL)
    return code;
  code = add_tags(cli, path);
  if (code != OVPN3_EXIT_OK)
    return code;
  invalid = validation_message(path);
  if (imp.json)
    print_import_json(name, path, inlined, invalid);
  else
    print_import_text(name, path, inlined);
  if (invalid != NULL)
    fprintf(stderr, "warning: the profile cannot be used to connect yet: %s\n", invalid);
  return OVPN3_EXIT_OK;
}

/* ==== config-dump ============================================================================ */

static struct
{
  char *name;
  char *path;
  gboolean json;
} dmp;

const GOptionEntry *
ovpn3_cmd_config_dump_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SELECT_ENTRIES(dmp.name, dmp.path),
    { "json", 'j', 0, G_OPTION_ARG_NONE, &dmp.json,
      "Print the properties and the profile's options as JSON (see ovpn3(1))", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static const char *
fetch_hint(GError *error)
{
  return ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_ACCESS
             ? "Only the owner and users granted access can read a profile; a locked-down "
               "profile only its owner"
             : NULL;
}

int
ovpn3_cmd_config_dump(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GVariant) reply = NULL;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("config-dump"),
                       ovpn3_cmd_config_dump_entries(), &argc, &argv, &code))
    return code;
  path = ovpn3_cli_select_config(cli, dmp.name, dmp.path, &code);
  if (path == NULL)
    return code;

  if (!dmp.json)
    {
      const char *text;

      reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, "Fetch", NULL,
                             G_VARIANT_TYPE("(s)"), &error);
      if (reply == NULL)
        return ovpn3_cli_report(cli, error, "cannot read the profile", fetch_hint(error));
      g_variant_get(reply, "(&s)", &text);
      fputs(text, stdout);
      if (*text != '\0' && text[strlen(text) - 1] != '\n')
        fputc('\n', stdout);
      return OVPN3_EXIT_OK;
    }
  else
    {
      g_autoptr(GVariant) props = NULL;
      g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
      g_autoptr(JsonParser) parser = json_parser_new();
      JsonObject *obj;
      const char *text;

      props = ovpn3_cli_get_all(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, &error);
      if (props == NULL)
        return ovpn3_cli_report(cli, error, "cannot read the profile", NULL);
      reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, "FetchJSON", NULL,
                             G_VARIANT_TYPE("(s)"), &error);
      if (reply == NULL)
        return ovpn3_cli_report(cli, error, "cannot read the profile", fetch_hint(error));
      g_variant_get(reply, "(&s)", &text);
      obj = ovpn3_profile_info_json(path, props);
      if (json_parser_load_from_data(parser, text, -1, &error))
        json_object_set_member(obj, "profile", json_node_copy(json_parser_get_root(parser)));
      else
        json_object_set_null_member(obj, "profile");
      json_node_take_object(root, obj);
      ovpn3_cli_print_json(root);
      return OVPN3_EXIT_OK;
    }
}
