#define G_LOG_DOMAIN "ovpn3-cli-admin"

/* ovpn3-cli-admin-services.c — `ovpn3 admin log-service` and `ovpn3 admin
 * netcfg-service` (ovpn3-admin(8)): the services' settings, shown and changed
 * through their manager objects' properties, as upstream's
 * `openvpn3-admin log-service` / `netcfg-service` do. */

#include "config.h"

#include <stdio.h>

#include "ovpn3-cli-admin.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-names.h"

/* One property to set: a boolean option (text parsed here) or a string/level. */
typedef struct
{
  const char *option; /* for messages, "--timestamp" */
  const char *property;
  char *text; /* the option's value, NULL: not given */
  char type;  /* 'b', 'u' (0–6) or 's' */
} Change;

static GVariant *
change_value(Ovpn3Cli *cli, Change *c, int *code)
{
  gboolean b;
  guint64 level;

  if (c->type == 's')
    return g_variant_new_string(c->text);
  if (c->type == 'b' && ovpn3_cli_parse_bool(c->text, &b))
    return g_variant_new_boolean(b);
  if (c->type == 'u' && g_ascii_string_to_unsigned(c->text, 10, 0, 6, &level, NULL))
    return g_variant_new_uint32((guint32) level);
  *code = ovpn3_cli_usage_error(cli, "%s: '%s' is not %s", c->option, c->text,
                                c->type == 'b' ? "true or false" : "a log level from 0 to 6");
  return NULL;
}

/* Sets every given change in order; stops at the first failure (reported). */
static gboolean
apply_changes(Ovpn3Cli *cli, const char *bus_name, const char *path, Change *changes, guint n,
              int *code)
{
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *what = NULL;
      GVariant *value;

      if (changes[i].text == NULL)
        continue;
      value = change_value(cli, &changes[i], code);
      if (value == NULL)
        return FALSE;
      if (!ovpn3_cli_set_property(bus_name, path, bus_name, changes[i].property, value, &error))
        {
          what = g_strdup_printf("cannot change %s", changes[i].property);
          *code = ovpn3_cli_report(cli, error, what,
                                   ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_ACCESS
                                       ? "Run it as root."
                                       : NULL);
          return FALSE;
        }
    }
  return TRUE;
}

static const char *
enabled(GVariant *props, const char *key)
{
  gboolean b = FALSE;

  if (!ovpn3_vardict_bool(props, key, &b))
    return "-";
  return b ? "enabled" : "disabled";
}

/* All the manager's properties as JSON, or as labelled lines (labels[i] for keys[i]). */
static void
print_settings(Ovpn3Cli *cli, GVariant *props, gboolean json, const char *const *keys,
               const char *const *labels)
{
  g_autoptr(Ovpn3Fields) fields = NULL;

  if (json)
    {
      g_autoptr(JsonNode) node = ovpn3_variant_to_json(props);

      ovpn3_cli_print_json(node);
      return;
    }
  fields = ovpn3_fields_new();
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GVariant) v = g_variant_lookup_value(props, keys[i], NULL);
      guint32 u;

      if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
        ovpn3_fields_add(fields, labels[i], enabled(props, keys[i]));
      else if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32)
               && ovpn3_vardict_u32(props, keys[i], &u))
        ovpn3_fields_add_take(fields, labels[i], g_strdup_printf("%u", u));
      else if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY))
        {
          g_autofree const char **list = g_variant_get_strv(v, NULL);

          ovpn3_fields_add_take(fields, labels[i],
                                list[0] != NULL ? g_strjoinv(", ", (char **) list) : NULL);
        }
      else
        ovpn3_fields_add(fields, labels[i], ovpn3_vardict_str(props, keys[i]) ?: "-");
    }
  ovpn3_fields_print(fields, stdout, cli->color_out);
}

static int
show_settings(Ovpn3Cli *cli, const char *bus_name, const char *path, gboolean json,
              const char *const *keys, const char *const *labels)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) props = ovpn3_cli_get_all(bus_name, path, bus_name, &error);

  if (props == NULL)
    return ovpn3_cli_report(cli, error, "cannot read the service's settings", NULL);
  print_settings(cli, props, json, keys, labels);
  return OVPN3_EXIT_OK;
}

/* ==== admin log-service ====================================================================== */

static struct
{
  Change changes[5];
  gboolean list;
  gboolean json;
} ls = { .changes = {
             { "--log-level", "log_level", NULL, 'u' },
             { "--timestamp", "timestamp", NULL, 'b' },
             { "--dbus-details", "log_dbus_details", NULL, 'b' },
             { "--enable-log-prefix", "log_prefix_logtag", NULL, 'b' },
             { "--destination", OVPN3_LOG_PROP_DESTINATION, NULL, 's' },
         } };

const GOptionEntry *
ovpn3_cmd_admin_log_service_entries(void)
{
  static const GOptionEntry entries[] = {
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &ls.changes[0].text,
      "Records up to this level are written (0-6)", "N" },
    { "timestamp", 0, 0, G_OPTION_ARG_STRING, &ls.changes[1].text,
      "Time stamps in a file or on stderr (true/false)", "BOOL" },
    { "dbus-details", 0, 0, G_OPTION_ARG_STRING, &ls.changes[2].text,
      "Also write the sender's bus name, path and interface (true/false)", "BOOL" },
    { "enable-log-prefix", 0, 0, G_OPTION_ARG_STRING, &ls.changes[3].text,
      "Start each message with its {tag:N} (true/false)", "BOOL" },
    { "destination", 0, 0, G_OPTION_ARG_STRING, &ls.changes[4].text,
      "Where records go: journald, stderr or an absolute FILE path (root)", "WHERE" },
    { "list-subscriptions", 0, 0, G_OPTION_ARG_NONE, &ls.list,
      "List the services attached to the log service", NULL },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &ls.json, "Print JSON", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static int
list_subscriptions(Ovpn3Cli *cli)
{
  static const char *const headers[] = { "TAG", "BUS NAME", "INTERFACE", "PATH", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(Ovpn3Table) table = ovpn3_table_new(headers);
  const char *tag, *name, *iface, *path;

  reply = ovpn3_cli_call(OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, OVPN3_LOG_INTERFACE,
                         "GetSubscriberList", NULL, G_VARIANT_TYPE("(a(ssss))"), &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "cannot list the log subscriptions", "Run it as root.");
  if (ls.json)
    {
      g_autoptr(JsonNode) node = ovpn3_variant_to_json(reply);

      ovpn3_cli_print_json(node);
      return OVPN3_EXIT_OK;
    }
  g_variant_get(reply, "(a(ssss))", &iter);
  while (g_variant_iter_next(iter, "(&s&s&s&s)", &tag, &name, &iface, &path))
    {
      char **row = g_new0(char *, 5);

      row[0] = g_strdup(tag);
      row[1] = g_strdup(name);
      row[2] = g_strdup(iface);
      row[3] = g_strdup(path);
      ovpn3_table_add_row_take(table, row);
    }
  if (ovpn3_table_rows(table) == 0)
    printf("No attached log subscriptions.\n");
  else
    ovpn3_table_print(table, stdout, cli->color_out);
  return OVPN3_EXIT_OK;
}

int
ovpn3_cmd_admin_log_service(Ovpn3Cli *cli, int argc, char **argv)
{
  static const char *const keys[]
      = { "log_method",        "log_destination", "num_attached", "log_level", "log_dbus_details",
          "log_prefix_logtag", "timestamp",       "config_file",  NULL };
  static const char *const labels[]
      = { "Log method",    "Destination",    "Attached",   "Log level",
          "D-Bus details", "Log tag prefix", "Timestamps", "Settings file" };
  int code = OVPN3_EXIT_OK;

  if (!ovpn3_cli_admin_parse(cli, &argc, &argv, &code))
    return code;
  if (ls.list)
    return list_subscriptions(cli);
  if (!apply_changes(cli, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, ls.changes, G_N_ELEMENTS(ls.changes),
                     &code))
    return code;
  return show_settings(cli, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, ls.json, keys, labels);
}

/* ==== admin netcfg-service =================================================================== */

static struct
{
  Change changes[2];
  gboolean list;
  char *unsubscribe;
  gboolean json;
} ns = { .changes = {
             { "--dns-backend", OVPN3_NETCFG_PROP_DNS_BACKEND, NULL, 's' },
             { "--log-level", "log_level", NULL, 'u' },
         } };

const GOptionEntry *
ovpn3_cmd_admin_netcfg_service_entries(void)
{
  static const GOptionEntry entries[] = {
    { "dns-backend", 0, 0, G_OPTION_ARG_STRING, &ns.changes[0].text,
      "Where DNS goes: auto, resolved or resolv-conf (root)", "BACKEND" },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &ns.changes[1].text, "netcfg's own log level (0-6)",
      "N" },
    { "list-subscribers", 0, 0, G_OPTION_ARG_NONE, &ns.list,
      "List the NetworkChange subscribers (root)", NULL },
    { "unsubscribe", 0, 0, G_OPTION_ARG_STRING, &ns.unsubscribe,
      "End a subscriber's NetworkChange subscription (root)", "UNIQUE-NAME" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &ns.json, "Print JSON", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static int
list_subscribers(Ovpn3Cli *cli)
{
  static const char *const headers[] = { "BUS NAME", "FILTER", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) iter = NULL;
  g_autoptr(Ovpn3Table) table = ovpn3_table_new(headers);
  const char *name;
  guint32 filter;

  reply = ovpn3_cli_call(OVPN3_NETCFG_BUS_NAME, OVPN3_NETCFG_PATH, OVPN3_NETCFG_INTERFACE,
                         "NotificationSubscriberList", NULL, G_VARIANT_TYPE("(a(su))"), &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "cannot list the subscribers", "Run it as root.");
  if (ns.json)
    {
      g_autoptr(JsonNode) node = ovpn3_variant_to_json(reply);

      ovpn3_cli_print_json(node);
      return OVPN3_EXIT_OK;
    }
  g_variant_get(reply, "(a(su))", &iter);
  while (g_variant_iter_next(iter, "(&su)", &name, &filter))
    {
      char **row = g_new0(char *, 3);

      row[0] = g_strdup(name);
      row[1] = g_strdup_printf("0x%x", filter);
      ovpn3_table_add_row_take(table, row);
    }
  if (ovpn3_table_rows(table) == 0)
    printf("No NetworkChange subscribers.\n");
  else
    ovpn3_table_print(table, stdout, cli->color_out);
  return OVPN3_EXIT_OK;
}

static int
unsubscribe(Ovpn3Cli *cli, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = ovpn3_cli_call(OVPN3_NETCFG_BUS_NAME, OVPN3_NETCFG_PATH, OVPN3_NETCFG_INTERFACE,
                         "NotificationUnsubscribe", g_variant_new("(s)", name), NULL, &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "cannot end the subscription", NULL);
  printf("Unsubscribed %s.\n", name);
  return OVPN3_EXIT_OK;
}

int
ovpn3_cmd_admin_netcfg_service(Ovpn3Cli *cli, int argc, char **argv)
{
  static const char *const keys[]
      = { OVPN3_NETCFG_PROP_DNS_BACKEND, "log_level", "global_dns_servers", NULL };
  static const char *const labels[] = { "DNS backend", "Log level", "Global DNS servers" };
  int code = OVPN3_EXIT_OK;

  if (!ovpn3_cli_admin_parse(cli, &argc, &argv, &code))
    return code;
  if (ns.unsubscribe != NULL)
    return unsubscribe(cli, ns.unsubscribe);
  if (ns.list)
    return list_subscribers(cli);
  if (!apply_changes(cli, OVPN3_NETCFG_BUS_NAME, OVPN3_NETCFG_PATH, ns.changes,
                     G_N_ELEMENTS(ns.changes), &code))
    return code;
  return show_settings(cli, OVPN3_NETCFG_BUS_NAME, OVPN3_NETCFG_PATH, ns.json, keys, labels);
}
