#define G_LOG_DOMAIN "ovpn3-cli-change"

#include "config.h"

#include <stdio.h>

#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-change.h"
#include "ovpn3-cli-output.h"

static int
report(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const GError *error, const char *what)
{
  return ovpn3_cli_report(
      cli, error, what,
      ovpn3_cli_error_kind(error) == OVPN3_CLI_ERROR_KIND_ACCESS ? target->access_hint : NULL);
}

int
ovpn3_cli_change_call(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                      const char *method, GVariant *args, const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = ovpn3_cli_call(target->dest, path, target->iface, method, args, NULL, &error);

  if (reply == NULL)
    return report(cli, target, error, what);
  return OVPN3_EXIT_OK;
}

int
ovpn3_cli_change_set(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                     const char *prop, GVariant *value, const char *what)
{
  g_autoptr(GError) error = NULL;

  if (!ovpn3_cli_set_property(target->dest, path, target->iface, prop, value, &error))
    return report(cli, target, error, what);
  return OVPN3_EXIT_OK;
}

int
ovpn3_cli_change_set_yesno(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path,
                           const char *prop, int value, const char *what, gboolean *changed)
{
  int code;

  if (value < 0)
    return OVPN3_EXIT_OK;
  code = ovpn3_cli_change_set(cli, target, path, prop, g_variant_new_boolean(value), what);
  *changed = *changed || code == OVPN3_EXIT_OK;
  return code;
}

int
ovpn3_cli_change_access(Ovpn3Cli *cli, const Ovpn3CliTarget *target, const char *path, char **users,
                        gboolean grant, gboolean *changed)
{
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    {
      guint32 uid;
      g_autofree char *what = NULL;
      int code;

      if (!ovpn3_cli_parse_user(users[i], &uid))
        return ovpn3_cli_fail(cli, OVPN3_EXIT_NOT_FOUND, "Give a user name or a numeric UID",
                              "there is no user '%s'", users[i]);
      what = g_strdup_printf(
          grant ? "cannot grant access to '%s'" : "cannot revoke access for '%s'", users[i]);
      code = ovpn3_cli_change_call(cli, target, path, grant ? "AccessGrant" : "AccessRevoke",
                                   g_variant_new("(u)", uid), what);
      if (code != OVPN3_EXIT_OK)
        return code;
      *changed = TRUE;
    }
  return OVPN3_EXIT_OK;
}

int
ovpn3_cli_change_done(Ovpn3Cli *cli, const char *path, gboolean changed, gboolean show_asked,
                      const char *done_text, Ovpn3CliShowFunc show)
{
  if (changed && !show_asked)
    {
      printf("%s\n", done_text);
      return OVPN3_EXIT_OK;
    }
  return show(cli, path);
}
