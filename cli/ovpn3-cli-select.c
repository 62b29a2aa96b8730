#define G_LOG_DOMAIN "ovpn3-cli-select"

#include "config.h"

#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-select.h"

static gboolean
is_config_path(const char *text)
{
  return g_variant_is_object_path(text) && g_str_has_prefix(text, OVPN3_CONFIG_PATH_PREFIX)
         && strlen(text) > strlen(OVPN3_CONFIG_PATH_PREFIX);
}

char *
ovpn3_cli_select_config(Ovpn3Cli *cli, const char *name, const char *path, int *exit_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **paths = NULL;
  g_autoptr(GString) list = NULL;
  guint n;

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
  if (path != NULL || is_config_path(name))
    {
      const char *p = path != NULL ? path : name;

      if (!is_config_path(p))
        {
          *exit_code
              = ovpn3_cli_usage_error(cli, "'%s' is not a profile path (they look like %s<id>)", p,
                                      OVPN3_CONFIG_PATH_PREFIX);
          return NULL;
        }
      return g_strdup(p);
    }

  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                         "LookupConfigName", g_variant_new("(s)", name), G_VARIANT_TYPE("(ao)"),
                         &error);
  if (reply == NULL)
    {
      g_autofree char *what = g_strdup_printf("cannot look up the profile '%s'", name);
      *exit_code = ovpn3_cli_report(cli, error, what, NULL);
      return NULL;
    }
  g_variant_get(reply, "(^a&o)", &paths);
  n = g_strv_length((char **) paths);
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
  list = g_string_new(NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(list, "\n  %s", paths[i]);
  *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR,
                              "Choose one with --path PATH (or rename one with `ovpn3 "
                              "config-manage --path PATH --rename NEW`)",
                              "%u profiles are named '%s':%s", n, name, list->str);
  return NULL;
}
