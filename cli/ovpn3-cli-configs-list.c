#define G_LOG_DOMAIN "ovpn3-cli-configs-list"

/* ovpn3-cli-configs-list.c — `ovpn3 configs-list`: every profile the user may see with its
 * properties, in one call of the configuration manager's FetchConfigsProperties
 * (docs/compatibility.md §4); from a service without it (or when the answer would be too
 * large for one message), the search method and one GetAll per profile, pipelined. Each
 * profile's dictionary is decoded once. */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-profile-info.h"

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
  const char *path; /* of the reply it came in (Listing) */
  Ovpn3ProfileProps p;
} Row;

/* What the rows point into. */
typedef struct
{
  GArray *rows; /* Row */
  GVariant *reply;
  char **paths;
  Ovpn3CliGetAll *items;
  guint n_items;
} Listing;

static void
listing_clear(Listing *l)
{
  for (guint i = 0; i < l->rows->len; i++)
    ovpn3_profile_props_clear(&g_array_index(l->rows, Row, i).p);
  g_array_unref(l->rows);
  g_clear_pointer(&l->reply, g_variant_unref);
  if (l->items != NULL)
    ovpn3_cli_get_all_items_free(l->items, l->n_items);
  g_strfreev(l->paths);
}

static int
row_cmp(gconstpointer a, gconstpointer b)
{
  const Row *ra = a, *rb = b;
  int c = g_strcmp0(ovpn3_profile_props_str(&ra->p, OVPN3_PROFILE_NAME),
                    ovpn3_profile_props_str(&rb->p, OVPN3_PROFILE_NAME));

  return c != 0 ? c : g_strcmp0(ra->path, rb->path);
}

static gboolean
has_wildcard(const char *s)
{
  return strpbrk(s, "*?") != NULL;
}

static gboolean
row_matches(const Ovpn3ProfileProps *p, guint32 owner_uid)
{
  const char *name = ovpn3_profile_props_str(p, OVPN3_PROFILE_NAME);

  if (lst.filter_name != NULL
      && (name == NULL
          || !(has_wildcard(lst.filter_name) ? g_pattern_match_simple(lst.filter_name, name)
                                             : g_str_equal(lst.filter_name, name))))
    return FALSE;
  if (lst.filter_config != NULL && !g_str_has_prefix(name ?: "", lst.filter_config))
    return FALSE;
  if (lst.filter_tag != NULL)
    {
      g_autofree const char **tags = NULL;

      if (p->v[OVPN3_PROFILE_TAGS] == NULL)
        return FALSE;
      tags = g_variant_get_strv(p->v[OVPN3_PROFILE_TAGS], NULL);
      if (!g_strv_contains(tags, lst.filter_tag))
        return FALSE;
    }
  return lst.filter_owner == NULL
         || (p->v[OVPN3_PROFILE_OWNER] != NULL
             && g_variant_get_uint32(p->v[OVPN3_PROFILE_OWNER]) == owner_uid);
}

/* Decodes dict (NULL: gone meanwhile) into a row of l when it matches the filters. */
static void
add_row(Listing *l, const char *path, GVariant *dict, guint32 owner_uid)
{
  Row row = { path, { { NULL } } };

  if (dict == NULL)
    return;
  ovpn3_profile_props_init(&row.p, dict);
  if (row_matches(&row.p, owner_uid))
    g_array_append_val(l->rows, row);
  else
    ovpn3_profile_props_clear(&row.p);
}

/* ---- from a service without FetchConfigsProperties ---------------------------------------- */

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

/* The search, then one GetAll per profile, pipelined; an unreadable profile is reported (the
 * exit code), one removed meanwhile is simply not listed. FALSE when the search failed. */
static gboolean
list_by_get_all(Ovpn3Cli *cli, guint32 owner_uid, Listing *l, int *code)
{
  g_autoptr(GError) error = NULL, first_error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *what = NULL;
  GVariant *args;
  const char *method = search_method(owner_uid, &args);
  guint unreadable = 0;

  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, method,
                         args, G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    {
      *code = ovpn3_cli_report(cli, error, "cannot list the profiles", NULL);
      return FALSE;
    }
  g_variant_get(reply, "(^ao)", &l->paths);
  l->items = ovpn3_cli_get_all_paths(OVPN3_CONFIG_BUS_NAME, (const char *const *) l->paths,
                                     OVPN3_CONFIG_INTERFACE, &l->n_items);
  for (guint i = 0; i < l->n_items; i++)
    {
      GError *e = l->items[i].error;

      if (e != NULL && ovpn3_cli_error_kind(e) != OVPN3_CLI_ERROR_KIND_NOT_FOUND)
        {
          unreadable++;
          if (first_error == NULL)
            first_error = g_error_copy(e);
        }
      add_row(l, l->items[i].path, l->items[i].props, owner_uid);
    }
  *code = OVPN3_EXIT_OK;
  if (unreadable > 0)
    {
      what = g_strdup_printf("%u of %u profiles could not be read", unreadable, l->n_items);
      *code = ovpn3_cli_report(cli, first_error, what, NULL);
    }
  return TRUE;
}

/* ---- one call ------------------------------------------------------------------------------ */

/* The matching profiles into l->rows; FALSE (*code set) when the listing failed. */
static gboolean
list_profiles(Ovpn3Cli *cli, guint32 owner_uid, Listing *l, int *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) configs = NULL;
  g_autofree char *owner = lst.filter_owner != NULL ? g_strdup_printf("%u", owner_uid) : NULL;
  const char *name
      = lst.filter_name != NULL && !has_wildcard(lst.filter_name) ? lst.filter_name : "";
  GVariantIter iter;
  const char *path;
  GVariant *dict;

  l->reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                            OVPN3_CONFIG_METHOD_FETCH_PROPS,
                            g_variant_new("(sss)", name, lst.filter_tag ?: "", owner ?: ""),
                            G_VARIANT_TYPE("(a(oa{sv}))"), &error);
  /* a service without it, or a listing too large for one message */
  if (l->reply == NULL
      && ((g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
           && ovpn3_cli_error_kind(error) != OVPN3_CLI_ERROR_KIND_NOT_FOUND)
          || g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED)))
    {
      g_debug("%s: %s; one GetAll per profile", OVPN3_CONFIG_METHOD_FETCH_PROPS, error->message);
      return list_by_get_all(cli, owner_uid, l, code);
    }
  if (l->reply == NULL)
    {
      *code = ovpn3_cli_report(cli, error, "cannot list the profiles", NULL);
      return FALSE;
    }
  configs = g_variant_get_child_value(l->reply, 0);
  g_variant_iter_init(&iter, configs);
  while (g_variant_iter_next(&iter, "(&o@a{sv})", &path, &dict))
    {
      add_row(l, path, dict, owner_uid);
      g_variant_unref(dict);
    }
  *code = OVPN3_EXIT_OK;
  return TRUE;
}

/* ---- output -------------------------------------------------------------------------------- */

static void
print_rows_json(GArray *rows)
{
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
  JsonArray *arr = json_array_new();

  for (guint i = 0; i < rows->len; i++)
    {
      Row *r = &g_array_index(rows, Row, i);
      json_array_add_object_element(arr, ovpn3_profile_props_json(r->path, &r->p));
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

static char *
time_cell(const Ovpn3ProfileProps *p, Ovpn3ProfileProp which, const char *never_text)
{
  return p->v[which] != NULL ? ovpn3_cli_format_time(g_variant_get_uint64(p->v[which]), never_text)
                             : NULL;
}

/* The cells of one profile's line in the table. */
static char **
row_cells(const Row *r)
{
  const Ovpn3ProfileProps *p = &r->p;
  g_autoptr(GStrvBuilder) cb = g_strv_builder_new();
  g_autofree char *owner = NULL, *imported = NULL, *last = NULL, *uses = NULL;
  g_autofree char *flags = NULL, *tags = NULL;

  if (p->v[OVPN3_PROFILE_OWNER] != NULL)
    owner = ovpn3_cli_user_name(g_variant_get_uint32(p->v[OVPN3_PROFILE_OWNER]));
  imported = time_cell(p, OVPN3_PROFILE_IMPORT_TIMESTAMP, "-");
  last = time_cell(p, OVPN3_PROFILE_LAST_USED_TIMESTAMP, "never");
  if (p->v[OVPN3_PROFILE_USED_COUNT] != NULL)
    uses = g_strdup_printf("%u", g_variant_get_uint32(p->v[OVPN3_PROFILE_USED_COUNT]));
  flags = ovpn3_profile_props_flags(p);
  tags = ovpn3_profile_props_tags(p);
  g_strv_builder_add(cb, ovpn3_profile_props_str(p, OVPN3_PROFILE_NAME) ?: "");
  g_strv_builder_add(cb, owner ?: "");
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

static void
print_rows(Ovpn3Cli *cli, GArray *rows, int code)
{
  g_array_sort(rows, row_cmp);
  if (lst.count)
    printf("Configurations found: %u\n", rows->len);
  else if (lst.json)
    print_rows_json(rows);
  else if (rows->len == 0)
    print_no_rows(code);
  else
    print_rows_table(cli, rows);
}

int
ovpn3_cmd_configs_list(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  Listing l = { NULL, NULL, NULL, NULL, 0 };
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
  l.rows = g_array_new(FALSE, FALSE, sizeof(Row));
  if (list_profiles(cli, owner_uid, &l, &code))
    print_rows(cli, l.rows, code);
  listing_clear(&l);
  return code;
}
