#define G_LOG_DOMAIN "ovpn3-cli-version"

#include "config.h"

#include <stdio.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"

static struct
{
  gboolean services;
  gboolean json;
} ver;

const GOptionEntry *
ovpn3_cmd_version_entries(void)
{
  static const GOptionEntry entries[] = {
    { "services", 's', 0, G_OPTION_ARG_NONE, &ver.services, "Also ask each service for its version",
      NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &ver.json, "Print JSON (see ovpn3(1))", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

typedef struct
{
  const char *label;
  const char *bus_name;
  const char *path;
  char *version; /* NULL: not available */
  char *implementation;
  char *error;
} Service;

/* One GetAll per service for `version` (and our `implementation`), all in parallel, each with
 * the retry rule of ovpn3_cli_call. */
static void
query(Service *services, guint n)
{
  /* per service: Get version, Get implementation (GetAll is not open to everyone on netcfg) */
  g_autofree Ovpn3CliGetAll *items = g_new0(Ovpn3CliGetAll, 2 * n);

  for (guint i = 0; i < 2 * n; i++)
    {
      items[i].dest = services[i / 2].bus_name;
      items[i].path = services[i / 2].path;
      items[i].iface = services[i / 2].bus_name;
      items[i].property = i % 2 == 0 ? "version" : "implementation";
    }
  ovpn3_cli_get_all_batch(items, 2 * n);
  for (guint i = 0; i < 2 * n; i++)
    {
      Service *s = &services[i / 2];
      GVariant *v = items[i].props;

      if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
        {
          if (i % 2 == 0)
            s->version = g_variant_dup_string(v, NULL);
          else
            s->implementation = g_variant_dup_string(v, NULL);
        }
      if (items[i].error != NULL && i % 2 == 0)
        {
          g_autofree char *name = g_dbus_error_get_remote_error(items[i].error);
          ovpn3_cli_strip_remote_error(items[i].error);
          s->error = g_strdup_printf("%s%s%s", items[i].error->message, name != NULL ? " — " : "",
                                     name != NULL ? name : "");
        }
      g_clear_pointer(&items[i].props, g_variant_unref);
      g_clear_error(&items[i].error);
    }
}

static void
print_services_json(JsonBuilder *b, const Service *services, guint n)
{
  json_builder_set_member_name(b, "services");
  json_builder_begin_object(b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_set_member_name(b, services[i].bus_name);
      json_builder_begin_object(b);
      ovpn3_json_member_boolean(b, "available", services[i].version != NULL);
      ovpn3_json_member_string(b, "version", services[i].version);
      ovpn3_json_member_string(b, "implementation", services[i].implementation);
      json_builder_end_object(b);
    }
  json_builder_end_object(b);
}

static void
print_json(const Service *services, guint n)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  ovpn3_json_member_string(b, "version", OVPN3_VERSION);
  ovpn3_json_member_string(b, "api_version", OVPN3_API_VERSION);
  if (ver.services)
    print_services_json(b, services, n);
  json_builder_end_object(b);
  ovpn3_cli_print_json_builder(b);
}

static void
print_services_table(Ovpn3Cli *cli, const Service *services, guint n)
{
  static const char *const headers[] = { "SERVICE", "BUS NAME", "VERSION", "IMPLEMENTATION", NULL };
  g_autoptr(Ovpn3Table) table = ovpn3_table_new(headers);

  printf("\n");
  for (guint i = 0; i < n; i++)
    {
      char **row = g_new0(char *, 5);
      row[0] = g_strdup(services[i].label);
      row[1] = g_strdup(services[i].bus_name);
      row[2]
          = services[i].version != NULL ? g_strdup(services[i].version) : g_strdup("not available");
      row[3] = g_strdup(services[i].implementation);
      ovpn3_table_add_row_take(table, row);
    }
  ovpn3_table_print(table, stdout, cli->color_out);
  for (guint i = 0; i < n; i++)
    if (services[i].version == NULL && cli->verbose && services[i].error != NULL)
      fprintf(stderr, "%s: %s\n", services[i].bus_name, services[i].error);
}

static void
print_text(Ovpn3Cli *cli, const Service *services, guint n)
{
  printf("ovpn3 %s (D-Bus API %s)\n", OVPN3_VERSION, OVPN3_API_VERSION);
  if (ver.services)
    print_services_table(cli, services, n);
}

static void
services_clear(Service *services, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_free(services[i].version);
      g_free(services[i].implementation);
      g_free(services[i].error);
    }
}

int
ovpn3_cmd_version(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  Service services[] = {
    { "configuration", OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, NULL, NULL, NULL },
    { "sessions", OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, NULL, NULL, NULL },
    { "log", OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, NULL, NULL, NULL },
    { "backends", OVPN3_BACKENDS_BUS_NAME, OVPN3_BACKENDS_PATH, NULL, NULL, NULL },
    { "netcfg", OVPN3_NETCFG_BUS_NAME, OVPN3_NETCFG_PATH, NULL, NULL, NULL },
  };
  guint n = G_N_ELEMENTS(services);
  gboolean all = TRUE;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("version"), ovpn3_cmd_version_entries(), &argc,
                       &argv, &code))
    return code;
  if (ver.services)
    {
      query(services, n);
      for (guint i = 0; i < n; i++)
        all = all && services[i].version != NULL;
    }
  if (ver.json)
    print_json(services, n);
  else
    print_text(cli, services, n);
  services_clear(services, n);
  if (!all)
    return ovpn3_cli_fail(cli, OVPN3_EXIT_UNAVAILABLE,
                          "Run with --verbose for the reasons; the services are started on "
                          "demand by the system bus",
                          "not every service is available");
  return OVPN3_EXIT_OK;
}
