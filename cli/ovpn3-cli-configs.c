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

/* ==== configs-list =========================================================================== */

static struct
{
  gboolean json;
  char *filter_name;
  char *filter_config;
  char *filter_tag;
  char *filter_owner;
  gboolean paths;
  gboolean count;
} lst;

const GOptionEntry *
ovpn3_cmd_configs_list_entries(void)
{
  static const GOptionEntry entries[] = {
    { "json", 'j', 0, G_OPTION_ARG_NONE, &lst.json, "Print a JSON array (see ovpn3(1))", NULL },
    { "filter-name", 0, 0, G_OPTION_ARG_STRING, &lst.filter_name,
      "Only profiles with this name (* and ? are wildcards)", "NAME" },
    { "filter-config", 0, 0, G_OPTION_ARG_STRING, &lst.filter_config,
      "Only profiles whose name starts with PREFIX", "PREFIX" },
    { "filter-tag", 0, 0, G_OPTION_ARG_STRING, &lst.filter_tag, "Only profiles with this tag",
      "TAG" },
    { "filter-owner", 0, 0, G_OPTION_ARG_STRING, &lst.filter_owner,
      "Only profiles owned by this user (name or UID)", "USER" },
    { "paths", 0, 0, G_OPTION_ARG_NONE, &lst.paths, "Also show each profile's D-Bus path", NULL },
    { "count", 0, 0, G_OPTION_ARG_NONE, &lst.count,
      "Only print how many profiles match (\"Configurations found: N\")", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

typedef struct
{
  const char *path;
  GVariant *props;
  const char *name; /* of props, looked up once for the sort */
} Row;

static int
row_cmp(gconstpointer a, gconstpointer b)
{
  const Row *ra = a, *rb = b;
  int c = g_strcmp0(ra->name, rb->name);

  return c != 0 ? c : g_strcmp0(ra->path, rb->path);
}

static gboolean
has_wildcard(const char *s)
{
  return strpbrk(s, "*?") != NULL;
}

static gboolean
row_matches(GVariant *props, guint32 owner_uid)
{
  if (props == NULL)
    return FALSE; /* gone meanwhile */
  if (lst.filter_name != NULL)
    {
      const char *name = ovpn3_vardict_str(props, "name");
      if (name == NULL
          || !(has_wildcard(lst.filter_name) ? g_pattern_match_simple(lst.filter_name, name)
                                             : g_str_equal(lst.filter_name, name)))
        return FALSE;
    }
  if (lst.filter_config != NULL
      && !g_str_has_prefix(ovpn3_vardict_str(props, "name") ?: "", lst.filter_config))
    return FALSE;
  if (lst.filter_tag != NULL)
    {
      g_autofree const char **tags = NULL;
      if (!g_variant_lookup(props, "tags", "^a&s", &tags) || !g_strv_contains(tags, lst.filter_tag))
        return FALSE;
    }
  if (lst.filter_owner != NULL)
    {
      guint32 owner;
      if (!ovpn3_vardict_u32(props, "owner", &owner) || owner != owner_uid)
        return FALSE;
    }
  return TRUE;
}

/* The most selective search the service offers (the rest is filtered here); *args for it. */
static const char *
search_method(guint32 owner_uid, GVariant **args)
{
  *args = NULL;
  if (lst.filter_name != NULL && !has_wildcard(lst.filter_name))
    {
      *args = g_variant_new("(s)", lst.filter_name);
      return "LookupConfigName";
    }
  if (lst.filter_tag != NULL)
    {
      *args = g_variant_new("(s)", lst.filter_tag);
      return "SearchByTag";
    }
  if (lst.filter_owner != NULL)
    {
      g_autofree char *uid_text = g_strdup_printf("%u", owner_uid);
      *args = g_variant_new("(s)", uid_text);
      return "SearchByOwner";
    }
  return "FetchAvailableConfigs";
}

/* The paths the service's search returns; NULL (*code set) on failure. */
static char **
find_profiles(Ovpn3Cli *cli, guint32 owner_uid, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GVariant *args;
  const char *method = search_method(owner_uid, &args);
  char **paths = NULL;

  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, method,
                         args, G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    {
      *code = ovpn3_cli_report(cli, error, "cannot list the profiles", NULL);
      return NULL;
    }
  g_variant_get(reply, "(^ao)", &paths);
  return paths;
}

/* The rows that match the filters into @rows; an unreadable profile is reported (the exit code),
 * one removed meanwhile is simply not listed. */
static int
collect_rows(Ovpn3Cli *cli, Ovpn3CliGetAll *items, guint n, guint32 owner_uid, GArray *rows)
{
  g_autoptr(GError) first_error = NULL;
  g_autofree char *what = NULL;
  guint unreadable = 0;

  for (guint i = 0; i < n; i++)
    {
      Row row = { items[i].path, items[i].props, NULL };

      if (items[i].error != NULL
          && ovpn3_cli_error_kind(items[i].error) != OVPN3_CLI_ERROR_KIND_NOT_FOUND)
        {
          unreadable++;
          if (first_error == NULL)
            first_error = g_error_copy(items[i].error);
        }
      g_clear_error(&items[i].error);
      if (!row_matches(row.props, owner_uid))
        continue;
      row.name = ovpn3_vardict_str(row.props, "name");
      g_array_append_val(rows, row);
    }
  if (unreadable == 0)
    return OVPN3_EXIT_OK;
  what = g_strdup_printf("%u of %u profiles could not be read", unreadable, n);
  return ovpn3_cli_report(cli, first_error, what, NULL);
}

static void
print_rows_json(GArray *rows)
{
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
  JsonArray *arr = json_array_new();

  for (guint i = 0; i < rows->len; i++)
    {
      Row *r = &g_array_index(rows, Row, i);
      json_array_add_object_element(arr, ovpn3_profile_info_json(r->path, r->props));
    }
  json_node_take_array(root, arr);
  ovpn3_cli_print_json(root);
}

static void
print_no_rows(int code)
{
  gboolean filtered = lst.filter_name || lst.filter_config || lst.filter_tag || lst.filter_owner;

  printf("%s\n", filtered ? "No profile matches." : "No profiles.");
  if (!filtered && code == OVPN3_EXIT_OK)
    printf("Import one with `ovpn3 config-import --config FILE`.\n");
}

/* The cells of one profile's line in the table. */
static char **
row_cells(const Row *r)
{
  g_autoptr(GStrvBuilder) cb = g_strv_builder_new();
  guint32 owner = 0, used = 0;
  guint64 t = 0;
  g_autofree char *owner_s = NULL, *imported = NULL, *last = NULL, *uses = NULL;
  g_autofree char *flags = NULL, *tags = NULL;

  owner_s = ovpn3_vardict_u32(r->props, "owner", &owner) ? ovpn3_cli_user_name(owner) : NULL;
  imported
      = ovpn3_vardict_u64(r->props, "import_timestamp", &t) ? ovpn3_cli_format_time(t, "-") : NULL;
  t = 0;
  last = ovpn3_vardict_u64(r->props, "last_used_timestamp", &t) ? ovpn3_cli_format_time(t, "never")
                                                                : NULL;
  uses = ovpn3_vardict_u32(r->props, "used_count", &used) ? g_strdup_printf("%u", used) : NULL;
  flags = ovpn3_profile_info_flags(r->props);
  tags = ovpn3_profile_info_tags(r->props);
  g_strv_builder_add(cb, ovpn3_vardict_str(r->props, "name") ?: "");
  g_strv_builder_add(cb, owner_s ?: "");
  g_strv_builder_add(cb, imported ?: "");
  g_strv_builder_add(cb, last ?: "");
  g_strv_builder_add(cb, uses ?: "");
  g_strv_builder_add(cb, flags ?: "");
  g_strv_builder_add(cb, tags ?: "");
  if (lst.paths)
    g_strv_builder_add(cb, r->path);
  return g_strv_builder_end(cb);
}

static void
print_rows_table(Ovpn3Cli *cli, GArray *rows)
{
  static const char *const headers[]
      = { "NAME", "OWNER", "IMPORTED", "LAST USED", "USES", "FLAGS", "TAGS", "PATH", NULL };
  g_autoptr(Ovpn3Table) table = ovpn3_table_new_without(headers, lst.paths ? NULL : "PATH");

  for (guint i = 0; i < rows->len; i++)
    ovpn3_table_add_row_take(table, row_cells(&g_array_index(rows, Row, i)));
  ovpn3_table_print(table, stdout, cli->color_out);
}

int
ovpn3_cmd_configs_list(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_auto(GStrv) paths = NULL;
  g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(Row));
  Ovpn3CliGetAll *items;
  guint n;
  guint32 owner_uid = 0;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("configs-list"),
                       ovpn3_cmd_configs_list_entries(), &argc, &argv, &code))
    return code;
  if (lst.count && lst.json)
    return ovpn3_cli_usage_error(cli, "give --count or --json, not both");
  if (cli->verbose)
    lst.paths = TRUE; /* more about each profile, as openvpn3's configs-list --verbose */
  if (lst.filter_owner != NULL && !ovpn3_cli_parse_user(lst.filter_owner, &owner_uid))
    return ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND, NULL, "there is no user '%s'",
                          lst.filter_owner);
  paths = find_profiles(cli, owner_uid, &code);
  if (paths == NULL)
    return code;
  /* one GetAll per profile, pipelined */
  items = ovpn3_cli_get_all_paths(OVPN3_CONFIG_BUS_NAME, (const char *const *) paths,
                                  OVPN3_CONFIG_INTERFACE, &n);
  code = collect_rows(cli, items, n, owner_uid, rows);
  g_array_sort(rows, row_cmp);
  if (lst.count)
    printf("Configurations found: %u\n", rows->len);
  else if (lst.json)
    print_rows_json(rows);
  else if (rows->len == 0)
    print_no_rows(code);
  else
    print_rows_table(cli, rows);
  ovpn3_cli_get_all_items_free(items, n);
  return code;
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
