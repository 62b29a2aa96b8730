#define G_LOG_DOMAIN "ovpn3-cli-select"

#include "config.h"

#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-select.h"

#define SESSIONS_HINT "`ovpn3 sessions-list` shows your sessions"

/* An object path below @prefix, and not @prefix itself. */
static gboolean
is_path_below(const char *text, const char *prefix)
{
  return g_variant_is_object_path(text) && g_str_has_prefix(text, prefix)
         && strlen(text) > strlen(prefix);
}

/* LookupConfigName(@name) on the manager object @manager (@iface) of @dest: the paths, or NULL
 * reported as @what (*exit_code set). */
static char **
lookup_name(Ovpn3Cli *cli, const char *dest, const char *manager, const char *iface,
            const char *name, const char *what, int *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  char **paths = NULL;

  reply = ovpn3_cli_call(dest, manager, iface, "LookupConfigName", g_variant_new("(s)", name),
                         G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    {
      *exit_code = ovpn3_cli_report(cli, error, what, NULL);
      return NULL;
    }
  g_variant_get(reply, "(^ao)", &paths);
  return paths;
}

/* "\n  <path>" for every path: the choices of an ambiguous name. */
static char *
list_paths(char **paths)
{
  GString *list = g_string_new(NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    g_string_append_printf(list, "\n  %s", paths[i]);
  return g_string_free(list, FALSE);
}

/* ---- profiles ------------------------------------------------------------------------------- */

static char *
config_by_name(Ovpn3Cli *cli, const char *name, int *exit_code)
{
  g_autofree char *what = g_strdup_printf("cannot look up the profile '%s'", name);
  g_auto(GStrv) paths = NULL;
  g_autofree char *list = NULL;
  guint n;

  paths = lookup_name(cli, OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, name,
                      what, exit_code);
  if (paths == NULL)
    return NULL;
  n = g_strv_length(paths);
  if (n == 1)
    return g_strdup(paths[0]);
  if (n == 0)
    {
      *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND,
                                  "Names are case-sensitive; `ovpn3 configs-list` shows the "
                                  "profiles you can use",
                                  "no profile named '%s' among the profiles you can use", name);
      return NULL;
    }
  list = list_paths(paths);
  *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR,
                              "Choose one with --path PATH (or rename one with `ovpn3 "
                              "config-manage --path PATH --rename NEW`)",
                              "%u profiles are named '%s':%s", n, name, list);
  return NULL;
}

char *
ovpn3_cli_select_config(Ovpn3Cli *cli, const char *name, const char *path, int *exit_code)
{
  if (name == NULL && path == NULL)
    {
      *exit_code = ovpn3_cli_usage_error(cli, "say which profile: --config NAME or --path PATH");
      return NULL;
    }
  if (name != NULL && path != NULL)
    {
      *exit_code = ovpn3_cli_usage_error(cli, "give either --config or --path, not both");
      return NULL;
    }
  if (path != NULL || is_path_below(name, OVPN3_CONFIG_PATH_PREFIX))
    {
      const char *p = path != NULL ? path : name;

      if (!is_path_below(p, OVPN3_CONFIG_PATH_PREFIX))
        {
          *exit_code
              = ovpn3_cli_usage_error(cli, "'%s' is not a profile path (they look like %s<id>)", p,
                                      OVPN3_CONFIG_PATH_PREFIX);
          return NULL;
        }
      return g_strdup(p);
    }
  return config_by_name(cli, name, exit_code);
}

/* ---- sessions ------------------------------------------------------------------------------- */

static char *
session_by_interface(Ovpn3Cli *cli, const char *interface, int *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *found;

  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "LookupInterface", g_variant_new("(s)", interface), G_VARIANT_TYPE("(o)"),
                         &error);
  if (reply == NULL)
    {
      if (ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_OTHER
          && strstr(error->message, "Interface not found") != NULL)
        *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND, SESSIONS_HINT,
                                    "no session of yours uses the interface '%s'", interface);
      else
        *exit_code = ovpn3_cli_report(cli, error, "cannot look up the interface", NULL);
      return NULL;
    }
  g_variant_get(reply, "(&o)", &found);
  return g_strdup(found);
}

static char *
session_by_config(Ovpn3Cli *cli, const char *config, int *exit_code)
{
  g_auto(GStrv) paths = NULL;
  g_autofree char *list = NULL;
  guint n;

  paths = lookup_name(cli, OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                      config, "cannot look up the session", exit_code);
  if (paths == NULL)
    return NULL;
  n = g_strv_length(paths);
  if (n == 1)
    return g_strdup(paths[0]);
  if (n == 0)
    {
      *exit_code
          = ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND, SESSIONS_HINT,
                           "no session of yours was started from a profile named '%s'", config);
      return NULL;
    }
  list = list_paths(paths);
  *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR, "Choose one with --path PATH",
                              "%u sessions were started from '%s':%s", n, config, list);
  return NULL;
}

char *
ovpn3_cli_select_session(Ovpn3Cli *cli, const char *config, const char *path, const char *interface,
                         int *exit_code)
{
  guint given = (config != NULL) + (path != NULL) + (interface != NULL);

  if (given == 0)
    {
      *exit_code = ovpn3_cli_usage_error(
          cli, "say which session: --path PATH, --config NAME or --interface DEV");
      return NULL;
    }
  if (given > 1)
    {
      *exit_code = ovpn3_cli_usage_error(cli, "give only one of --path, --config, --interface");
      return NULL;
    }
  if (interface != NULL)
    return session_by_interface(cli, interface, exit_code);
  if (config != NULL)
    return session_by_config(cli, config, exit_code);
  if (!is_path_below(path, OVPN3_SESSIONS_PATH_PREFIX))
    {
      *exit_code = ovpn3_cli_usage_error(cli, "'%s' is not a session path (they look like %s<id>)",
                                         path, OVPN3_SESSIONS_PATH_PREFIX);
      return NULL;
    }
  return g_strdup(path);
}
