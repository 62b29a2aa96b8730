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

/* How to say that a name picks none or several objects. */
typedef struct
{
  const char *none_hint;
  const char *none_before; /* "<none_before>'<name>'<none_after>" */
  const char *none_after;
  const char *many_hint;
  const char *many_what; /* "<n> <many_what> '<name>':" and the paths */
} Choice;

/* The one object LookupConfigName(@name) finds; none or several: said as @choice says. */
static char *
lookup_one(Ovpn3Cli *cli, const char *dest, const char *manager, const char *iface,
           const char *name, const char *what, const Choice *choice, int *exit_code)
{
  g_auto(GStrv) paths = lookup_name(cli, dest, manager, iface, name, what, exit_code);
  g_autoptr(GString) list = NULL;
  guint n;

  if (paths == NULL)
    return NULL;
  n = g_strv_length(paths);
  if (n == 1)
    return g_strdup(paths[0]);
  if (n == 0)
    {
      *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND, choice->none_hint, "%s'%s'%s",
                                  choice->none_before, name, choice->none_after);
      return NULL;
    }
  list = g_string_new(NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf(list, "\n  %s", paths[i]);
  *exit_code = ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR, choice->many_hint, "%u %s '%s':%s", n,
                              choice->many_what, name, list->str);
  return NULL;
}

/* ---- profiles ------------------------------------------------------------------------------- */

static char *
config_by_name(Ovpn3Cli *cli, const char *name, int *exit_code)
{
  static const Choice choice = {
    .none_hint = "Names are case-sensitive; `ovpn3 configs-list` shows the profiles you can use",
    .none_before = "no profile named ",
    .none_after = " among the profiles you can use",
    .many_hint = "Choose one with --path PATH (or rename one with `ovpn3 config-manage --path "
                 "PATH --rename NEW`)",
    .many_what = "profiles are named",
  };
  g_autofree char *what = g_strdup_printf("cannot look up the profile '%s'", name);

  return lookup_one(cli, OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE, name,
                    what, &choice, exit_code);
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
  static const Choice choice = {
    .none_hint = SESSIONS_HINT,
    .none_before = "no session of yours was started from a profile named ",
    .none_after = "",
    .many_hint = "Choose one with --path PATH",
    .many_what = "sessions were started from",
  };

  return lookup_one(cli, OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                    config, "cannot look up the session", &choice, exit_code);
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
