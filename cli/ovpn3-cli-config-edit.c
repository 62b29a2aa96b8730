#define G_LOG_DOMAIN "ovpn3-cli-config-edit"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-change.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-profile-info.h"
#include "ovpn3-cli-select.h"
#include "ovpn3-cli-upstream.h"

#define OWNER_HINT                                                                            \
  "Only the profile's owner can change it (see `ovpn3 config-acl --show`); a sealed profile " \
  "cannot be changed at all"

/* Overrides of boolean type (docs/dbus-api.md §9.2); every other one is a string. */
static const char *const bool_overrides[] = { "persist-tun",
                                              "dns-fallback-google",
                                              "dns-setup-disabled",
                                              "dns-sync-lookup",
                                              "auth-fail-retry",
                                              "enable-legacy-algorithms",
                                              "proxy-auth-cleartext",
                                              "reconnect-on-network-change",
                                              NULL };
#define SECRET_OVERRIDE "proxy-password"

static const Ovpn3CliTarget profile_target
    = { OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_INTERFACE, OWNER_HINT };

/* "Name" and "Path" of the profile at @path, for the other fields to follow; NULL (*code set)
 * when it cannot be read. */
static Ovpn3Fields *
profile_fields(Ovpn3Cli *cli, const char *path, GVariant **props, int *code)
{
  g_autoptr(GError) error = NULL;
  Ovpn3Fields *f;

  *props = ovpn3_cli_get_all(OVPN3_CONFIG_BUS_NAME, path, OVPN3_CONFIG_INTERFACE, &error);
  if (*props == NULL)
    {
      *code = ovpn3_cli_report(cli, error, "cannot read the profile", NULL);
      return NULL;
    }
  f = ovpn3_fields_new();
  ovpn3_fields_add(f, "Name", ovpn3_vardict_str(*props, "name"));
  ovpn3_fields_add(f, "Path", path);
  return f;
}

static gboolean
parse_yesno_option(Ovpn3Cli *cli, const char *option, const char *text, int *value, int *code)
{
  gboolean b;

  if (text == NULL)
    {
      *value = -1;
      return TRUE;
    }
  if (!ovpn3_cli_parse_bool(text, &b))
    {
      *code = ovpn3_cli_usage_error(cli, "--%s takes yes or no, not '%s'", option, text);
      return FALSE;
    }
  *value = b;
  return TRUE;
}

/* ==== config-manage ========================================================================== */

static struct
{
  char *name;
  char *path;
  char *rename;
  char **tags;
  char **remove_tags;
  char **set_overrides;
  char **unset_overrides;
  char *dco;
  gboolean show;
  gboolean exists;
  gboolean quiet;
} man;

const GOptionEntry *
ovpn3_cmd_config_manage_entries(void)
{
  static GOptionEntry *all;
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SELECT_ENTRIES(man.name, man.path),
    { "rename", 'r', 0, G_OPTION_ARG_STRING, &man.rename, "Give the profile a new name", "NEW" },
    { "tag", 't', 0, G_OPTION_ARG_STRING_ARRAY, &man.tags, "Add a tag (may be repeated)", "TAG" },
    { "remove-tag", 0, 0, G_OPTION_ARG_STRING_ARRAY, &man.remove_tags,
      "Remove a tag (may be repeated)", "TAG" },
    { "set-override", 0, 0, G_OPTION_ARG_STRING_ARRAY, &man.set_overrides,
      "Set an override, e.g. port-override=1194 (may be repeated; see ovpn3(1))", "KEY=VALUE" },
    { "unset-override", 'u', 0, G_OPTION_ARG_STRING_ARRAY, &man.unset_overrides,
      "Remove an override (may be repeated)", "KEY" },
    { "dco", 0, 0, G_OPTION_ARG_STRING, &man.dco, "Use data channel offload (yes or no)",
      "yes|no" },
    { "show", 's', 0, G_OPTION_ARG_NONE, &man.show, "Show the settings (after any change)", NULL },
    { "exists", 0, 0, G_OPTION_ARG_NONE, &man.exists,
      "Only check that the profile exists (exit 0) or not (exit 3)", NULL },
    { "quiet", 0, 0, G_OPTION_ARG_NONE, &man.quiet,
      "Print nothing but errors (with --exists: nothing at all)", NULL },
    G_OPTION_ENTRY_NULL,
  };

  /* openvpn3's spellings: one option per override, after ours */
  if (all == NULL)
    all = ovpn3_cli_entries_join(entries, ovpn3_cli_upstream_override_entries());
  return all;
}

static int
show_manage(Ovpn3Cli *cli, const char *path)
{
  int code = OVPN3_EXIT_OK;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(Ovpn3Fields) f = profile_fields(cli, path, &props, &code);
  guint32 u;
  guint64 t;

  if (f == NULL)
    return code;
  ovpn3_fields_add_take(f, "Owner",
                        ovpn3_vardict_u32(props, "owner", &u) ? ovpn3_cli_user_name(u) : NULL);
  ovpn3_fields_add_take(f, "Tags", ovpn3_profile_info_tags(props));
  ovpn3_fields_add_take(f, "Overrides", ovpn3_profile_info_overrides(props));
  ovpn3_fields_add(f, "DCO", ovpn3_profile_info_yesno(props, "dco"));
  ovpn3_fields_add(f, "Persistent", ovpn3_profile_info_yesno(props, "persistent"));
  ovpn3_fields_add(f, "Valid", ovpn3_profile_info_yesno(props, "valid"));
  ovpn3_fields_add_take(
      f, "Imported",
      ovpn3_vardict_u64(props, "import_timestamp", &t) ? ovpn3_cli_format_time(t, "-") : NULL);
  ovpn3_fields_add_take(f, "Last used",
                        ovpn3_vardict_u64(props, "last_used_timestamp", &t)
                            ? ovpn3_cli_format_time(t, "never")
                            : NULL);
  ovpn3_fields_add_take(
      f, "Uses", ovpn3_vardict_u32(props, "used_count", &u) ? g_strdup_printf("%u", u) : NULL);
  ovpn3_fields_print(f, stdout, cli->color_out);
  return OVPN3_EXIT_OK;
}

static int
set_override(Ovpn3Cli *cli, const char *path, const char *spec)
{
  const char *eq = strchr(spec, '=');
  g_autofree char *key = eq != NULL ? g_strndup(spec, (gsize) (eq - spec)) : g_strdup(spec);
  g_autofree char *what = g_strdup_printf("cannot set the override '%s'", key);
  GVariant *value;
  char *secret = NULL;
  int code;

  if (g_str_equal(key, SECRET_OVERRIDE))
    {
      if (eq != NULL)
        return ovpn3_cli_usage_error(cli,
                                     "do not put the proxy password on the command line (other "
                                     "users can see it); give --set-override %s and type it "
                                     "when asked, or pipe it on stdin",
                                     SECRET_OVERRIDE);
      secret = ovpn3_cli_read_secret("Proxy password: ");
      if (secret == NULL || *secret == '\0')
        {
          ovpn3_cli_secret_free(secret);
          return ovpn3_cli_fail(cli, OVPN3_EXIT_ERROR, NULL, "no proxy password given");
        }
      value = g_variant_new_string(secret);
    }
  else if (eq == NULL)
    return ovpn3_cli_usage_error(cli, "--set-override takes KEY=VALUE, not '%s'", spec);
  else if (g_strv_contains(bool_overrides, key))
    {
      gboolean b;
      if (!ovpn3_cli_parse_bool(eq + 1, &b))
        return ovpn3_cli_usage_error(cli, "the override '%s' takes yes or no, not '%s'", key,
                                     eq + 1);
      value = g_variant_new_boolean(b);
    }
  else
    value = g_variant_new_string(eq + 1);
  code = ovpn3_cli_change_call(cli, &profile_target, path, "SetOverride",
                               g_variant_new("(sv)", key, value), what);
  ovpn3_cli_secret_free(secret);
  return code;
}

/* @method(s) for every string of @values (none: nothing), reported as "<what> '<value>'";
 * stops at the first failure. */
static int
call_for_each(Ovpn3Cli *cli, const char *path, const char *method, char **values, const char *what,
              gboolean *changed)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_autofree char *about = g_strdup_printf("%s '%s'", what, values[i]);
      int code = ovpn3_cli_change_call(cli, &profile_target, path, method,
                                       g_variant_new("(s)", values[i]), about);

      if (code != OVPN3_EXIT_OK)
        return code;
      *changed = TRUE;
    }
  return OVPN3_EXIT_OK;
}

/* The changes config-manage asks for, in this order; stops at the first failure. */
static int
apply_manage(Ovpn3Cli *cli, const char *path, int dco, gboolean *changed)
{
  int code = OVPN3_EXIT_OK;

  if (man.rename != NULL)
    {
      code = ovpn3_cli_change_set(cli, &profile_target, path, "name",
                                  g_variant_new_string(man.rename), "cannot rename");
      *changed = code == OVPN3_EXIT_OK;
    }
  if (code == OVPN3_EXIT_OK)
    code = call_for_each(cli, path, "RemoveTag", man.remove_tags, "cannot remove the tag", changed);
  if (code == OVPN3_EXIT_OK)
    code = call_for_each(cli, path, "AddTag", man.tags, "cannot add the tag", changed);
  if (code == OVPN3_EXIT_OK)
    code = call_for_each(cli, path, "UnsetOverride", man.unset_overrides,
                         "cannot remove the override", changed);
  for (guint i = 0; code == OVPN3_EXIT_OK && man.set_overrides != NULL && man.set_overrides[i]; i++)
    {
      code = set_override(cli, path, man.set_overrides[i]);
      *changed = *changed || code == OVPN3_EXIT_OK;
    }
  for (char **up = ovpn3_cli_upstream_overrides(); code == OVPN3_EXIT_OK && up != NULL && *up; up++)
    {
      code = set_override(cli, path, *up);
      *changed = *changed || code == OVPN3_EXIT_OK;
    }
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_set_yesno(cli, &profile_target, path, "dco", dco, "cannot change DCO",
                                      changed);
  return code;
}

int
ovpn3_cmd_config_manage(Ovpn3Cli *cli, int argc, char **argv)
{
  int code, dco;
  g_autofree char *path = NULL;
  gboolean changed = FALSE;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("config-manage"),
                       ovpn3_cmd_config_manage_entries(), &argc, &argv, &code))
    return code;
  if (!parse_yesno_option(cli, "dco", man.dco, &dco, &code))
    return code;
  if (man.rename != NULL && *man.rename == '\0')
    return ovpn3_cli_usage_error(cli, "the new name cannot be empty");
  if (man.exists)
    return ovpn3_cli_upstream_exists(cli, man.name, man.path, man.quiet);
  path = ovpn3_cli_select_config(cli, man.name, man.path, &code);
  if (path == NULL)
    return code;
  code = apply_manage(cli, path, dco, &changed);
  if (code != OVPN3_EXIT_OK || (changed && man.quiet && !man.show))
    return code;
  return ovpn3_cli_change_done(cli, path, changed, man.show, "Profile updated.", show_manage);
}

/* ==== config-acl ============================================================================= */

static struct
{
  char *name;
  char *path;
  char **grant;
  char **revoke;
  char *public_access;
  char *lock_down;
  char *transfer;
  gboolean seal;
  gboolean show;
  gboolean force;
} acl;

const GOptionEntry *
ovpn3_cmd_config_acl_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SELECT_ENTRIES(acl.name, acl.path),
    { "grant", 'G', 0, G_OPTION_ARG_STRING_ARRAY, &acl.grant,
      "Let this user use the profile (name or UID; may be repeated)", "USER" },
    { "revoke", 'R', 0, G_OPTION_ARG_STRING_ARRAY, &acl.revoke,
      "Take access away from this user (may be repeated)", "USER" },
    { "public-access", 0, 0, G_OPTION_ARG_STRING, &acl.public_access,
      "Let every user use the profile", "yes|no" },
    { "lock-down", 0, 0, G_OPTION_ARG_STRING, &acl.lock_down,
      "Users with access may start it but not read it", "yes|no" },
    { "transfer-owner-session", 'T', 0, G_OPTION_ARG_STRING, &acl.transfer,
      "Sessions started from it belong to the profile's owner", "yes|no" },
    { "seal", 'S', 0, G_OPTION_ARG_NONE, &acl.seal,
      "Make the profile read-only for good (asks first on a terminal)", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &acl.force, "Do not ask before sealing", NULL },
    { "show", 's', 0, G_OPTION_ARG_NONE, &acl.show, "Show the access settings (after any change)",
      NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static int
show_acl(Ovpn3Cli *cli, const char *path)
{
  int code = OVPN3_EXIT_OK;
  g_autoptr(GVariant) props = NULL;
  g_autoptr(Ovpn3Fields) f = profile_fields(cli, path, &props, &code);
  guint32 u;

  if (f == NULL)
    return code;
  if (ovpn3_vardict_u32(props, "owner", &u))
    {
      g_autofree char *owner = ovpn3_cli_user_name(u);
      ovpn3_fields_add_take(f, "Owner", g_strdup_printf("%s (%u)", owner, u));
    }
  else
    ovpn3_fields_add(f, "Owner", NULL);
  ovpn3_fields_add_take(f, "Access granted to", ovpn3_profile_info_acl(props));
  ovpn3_fields_add(f, "Public access", ovpn3_profile_info_yesno(props, "public_access"));
  ovpn3_fields_add(f, "Locked down", ovpn3_profile_info_yesno(props, "locked_down"));
  ovpn3_fields_add(f, "Sealed", ovpn3_profile_info_yesno(props, "readonly"));
  ovpn3_fields_add(f, "Transfer owner session",
                   ovpn3_profile_info_yesno(props, "transfer_owner_session"));
  ovpn3_fields_print(f, stdout, cli->color_out);
  return OVPN3_EXIT_OK;
}

int
ovpn3_cmd_config_acl(Ovpn3Cli *cli, int argc, char **argv)
{
  int code, pub, lock, transfer;
  g_autofree char *path = NULL;
  gboolean changed = FALSE;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("config-acl"), ovpn3_cmd_config_acl_entries(),
                       &argc, &argv, &code))
    return code;
  if (!parse_yesno_option(cli, "public-access", acl.public_access, &pub, &code)
      || !parse_yesno_option(cli, "lock-down", acl.lock_down, &lock, &code)
      || !parse_yesno_option(cli, "transfer-owner-session", acl.transfer, &transfer, &code))
    return code;
  path = ovpn3_cli_select_config(cli, acl.name, acl.path, &code);
  if (path == NULL)
    return code;

  code = ovpn3_cli_change_access(cli, &profile_target, path, acl.grant, TRUE, &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_access(cli, &profile_target, path, acl.revoke, FALSE, &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_set_yesno(cli, &profile_target, path, "public_access", pub,
                                      "cannot change public access", &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_set_yesno(cli, &profile_target, path, "locked_down", lock,
                                      "cannot change lock-down", &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_set_yesno(cli, &profile_target, path, "transfer_owner_session",
                                      transfer, "cannot change transfer-owner-session", &changed);
  if (code == OVPN3_EXIT_OK && acl.seal)
    {
      if (!acl.force && isatty(0)
          && !ovpn3_cli_confirm("Seal the profile? Nobody, not even you, can change it "
                                "afterwards (it can still be removed)."))
        {
          printf("Not sealed.\n");
          return OVPN3_EXIT_ERROR;
        }
      code = ovpn3_cli_change_call(cli, &profile_target, path, "Seal", NULL,
                                   "cannot seal the profile");
      changed = TRUE;
    }
  if (code != OVPN3_EXIT_OK)
    return code;
  return ovpn3_cli_change_done(cli, path, changed, acl.show, "Access settings updated.", show_acl);
}

/* ==== config-remove ========================================================================== */

static struct
{
  char *name;
  char *path;
  gboolean force;
} rem;

const GOptionEntry *
ovpn3_cmd_config_remove_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SELECT_ENTRIES(rem.name, rem.path),
    { "force", 'f', 0, G_OPTION_ARG_NONE, &rem.force, "Do not ask first", NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

int
ovpn3_cmd_config_remove(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autofree char *path = NULL;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("config-remove"),
                       ovpn3_cmd_config_remove_entries(), &argc, &argv, &code))
    return code;
  path = ovpn3_cli_select_config(cli, rem.name, rem.path, &code);
  if (path == NULL)
    return code;
  if (!rem.force && isatty(0))
    {
      g_autoptr(GVariant) name = ovpn3_cli_get_property(OVPN3_CONFIG_BUS_NAME, path,
                                                        OVPN3_CONFIG_INTERFACE, "name", NULL);
      g_autofree char *question
          = g_strdup_printf("Remove the profile '%s' (%s)? This cannot be undone.",
                            name != NULL && g_variant_is_of_type(name, G_VARIANT_TYPE_STRING)
                                ? g_variant_get_string(name, NULL)
                                : "?",
                            path);

      if (!ovpn3_cli_confirm(question))
        {
          printf("Nothing removed.\n");
          return OVPN3_EXIT_ERROR;
        }
    }
  code = ovpn3_cli_change_call(cli, &profile_target, path, "Remove", NULL,
                               "cannot remove the profile");
  if (code == OVPN3_EXIT_OK)
    printf("Profile removed.\n");
  return code;
}
