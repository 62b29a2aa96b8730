#define G_LOG_DOMAIN "ovpn3-cli-session-manage"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ovpn3-names.h"
#include "ovpn3-cli.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-change.h"
#include "ovpn3-cli-output.h"
#include "ovpn3-cli-session.h"
#include "ovpn3-cli-upstream.h"

#define SESSION_OWNER_HINT                                                           \
  "Only the session's owner (and users it was shared with) may do this; see `ovpn3 " \
  "session-acl --show`"

static const Ovpn3CliTarget session_target
    = { OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_INTERFACE, SESSION_OWNER_HINT };

#define LEVEL_UNSET (-1)
#define LEVEL_SHOW  (-2) /* --log-level without a value, as openvpn3's */

static gboolean
parse_level(Ovpn3Cli *cli, int level, int *code)
{
  if (level == LEVEL_UNSET || level == LEVEL_SHOW)
    return TRUE;
  if (level < 0 || level > OVPN3_LOG_LEVEL_MAX)
    {
      *code = ovpn3_cli_usage_error(cli, "--log-level takes 0 to %d", OVPN3_LOG_LEVEL_MAX);
      return FALSE;
    }
  return TRUE;
}

/* ==== session-manage ========================================================================= */

static struct
{
  char *config;
  char *path;
  char *interface;
  gboolean pause, resume, restart, disconnect, cleanup, background;
  int log_level;
  int timeout;
} sm = { .log_level = LEVEL_UNSET };

static gboolean
on_log_level(const char *option_name, const char *value, gpointer data, GError **error)
{
  gint64 n;

  if (value == NULL)
    {
      sm.log_level = LEVEL_SHOW;
      return TRUE;
    }
  if (!g_ascii_string_to_signed(value, 10, 0, G_MAXINT, &n, NULL))
    {
      g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                  "--log-level takes 0 to %d, not '%s'", OVPN3_LOG_LEVEL_MAX, value);
      return FALSE;
    }
  sm.log_level = (int) n;
  return TRUE;
}

const GOptionEntry *
ovpn3_cmd_session_manage_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SESSION_SELECT_ENTRIES(sm.config, sm.path, sm.interface),
    { "pause", 'P', 0, G_OPTION_ARG_NONE, &sm.pause, "Pause the connection", NULL },
    { "resume", 'R', 0, G_OPTION_ARG_NONE, &sm.resume, "Resume a paused connection", NULL },
    { "restart", 0, 0, G_OPTION_ARG_NONE, &sm.restart, "Reconnect now", NULL },
    { "disconnect", 'D', 0, G_OPTION_ARG_NONE, &sm.disconnect, "End the session", NULL },
    { "cleanup", 0, 0, G_OPTION_ARG_NONE, &sm.cleanup,
      "End every session of yours that has no working backend", NULL },
    { "log-level", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer) on_log_level,
      "Set the session's log level (0-6); without LEVEL show it", "[LEVEL]" },
    { "background", 'b', 0, G_OPTION_ARG_NONE, &sm.background,
      "With --resume/--restart: do not wait for the connection", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &sm.timeout,
      "With --resume/--restart: give up waiting after this many seconds", "SECONDS" },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static int
cleanup(Ovpn3Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **paths = NULL;
  guint ended = 0;

  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "FetchAvailableSessions", NULL, G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    return ovpn3_cli_report(cli, error, "cannot list the sessions", NULL);
  g_variant_get(reply, "(^a&o)", &paths);
  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GVariant) status = ovpn3_cli_get_property(OVPN3_SESSIONS_BUS_NAME, paths[i],
                                                          OVPN3_SESSIONS_INTERFACE, "status", NULL);
      guint32 major = 0, minor = 0;
      const char *msg = "";
      g_autoptr(GVariant) r = NULL;

      if (status != NULL && g_variant_is_of_type(status, G_VARIANT_TYPE("(uus)")))
        {
          g_variant_get(status, "(uu&s)", &major, &minor, &msg);
          if (major != 0 || minor != 0 || *msg != '\0')
            continue;
        }
      r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, paths[i], OVPN3_SESSIONS_INTERFACE, "Disconnect",
                         NULL, NULL, NULL);
      if (r != NULL)
        {
          printf("Ended %s\n", paths[i]);
          ended++;
        }
    }
  printf("%u stale session%s ended.\n", ended, ended == 1 ? "" : "s");
  return OVPN3_EXIT_OK;
}

static void
print_final_stats(const char *path)
{
  g_autoptr(GVariant) stats = ovpn3_cli_get_property(OVPN3_SESSIONS_BUS_NAME, path,
                                                     OVPN3_SESSIONS_INTERFACE, "statistics", NULL);
  gint64 in = 0, out = 0;

  if (stats == NULL || !g_variant_is_of_type(stats, G_VARIANT_TYPE("a{sx}")))
    return;
  if (g_variant_lookup(stats, "BYTES_IN", "x", &in)
      | g_variant_lookup(stats, "BYTES_OUT", "x", &out))
    {
      g_autofree char *rx = g_format_size((guint64) MAX(in, 0));
      g_autofree char *tx = g_format_size((guint64) MAX(out, 0));
      printf("Received %s, sent %s.\n", rx, tx);
    }
}

/* --log-level N sets the level, --log-level alone shows it; TRUE (*code set) when the command
 * is done (nothing else asked, or a failure). */
static gboolean
log_level_action(Ovpn3Cli *cli, const char *path, guint actions, int *code)
{
  *code = OVPN3_EXIT_OK;
  if (sm.log_level == LEVEL_SHOW)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GVariant) v = ovpn3_cli_get_property(
          OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, "log_verbosity", &error);

      if (v == NULL)
        {
          *code = ovpn3_cli_report(cli, error, "cannot read the log level", NULL);
          return TRUE;
        }
      printf("Log level: %u\n",
             g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32(v) : 0);
      return actions == 0;
    }
  if (sm.log_level == LEVEL_UNSET)
    return FALSE;
  *code = ovpn3_cli_change_set(cli, &session_target, path, "log_verbosity",
                               g_variant_new_uint32((guint32) sm.log_level),
                               "cannot set the log level");
  if (*code == OVPN3_EXIT_OK && actions == 0)
    printf("Log level set to %d.\n", sm.log_level);
  return *code != OVPN3_EXIT_OK || actions == 0;
}

int
ovpn3_cmd_session_manage(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autofree char *path = NULL;
  guint actions;

  ovpn3_cli_join_optional(&argc, &argv, "--log-level", TRUE);
  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("session-manage"),
                       ovpn3_cmd_session_manage_entries(), &argc, &argv, &code))
    return code;
  actions = sm.pause + sm.resume + sm.restart + sm.disconnect + sm.cleanup;
  if (actions == 0 && sm.log_level == LEVEL_UNSET)
    return ovpn3_cli_usage_error(cli, "say what to do: --pause, --resume, --restart, "
                                      "--disconnect, --cleanup or --log-level");
  if (actions > 1)
    return ovpn3_cli_usage_error(cli, "give only one of --pause, --resume, --restart, "
                                      "--disconnect, --cleanup");
  if (!parse_level(cli, sm.log_level, &code))
    return code;
  if (sm.timeout < 0)
    return ovpn3_cli_usage_error(cli, "--timeout cannot be negative");
  if (sm.cleanup)
    return cleanup(cli);
  path = ovpn3_cli_select_session(cli, sm.config, sm.path, sm.interface, &code);
  if (path == NULL)
    return code;

  if (log_level_action(cli, path, actions, &code))
    return code;
  if (sm.pause)
    {
      code = ovpn3_cli_change_call(cli, &session_target, path, "Pause",
                                   g_variant_new("(s)", "Front-end request"), "cannot pause");
      if (code == OVPN3_EXIT_OK)
        printf("Session paused. Resume it with `ovpn3 session-manage --path %s --resume`.\n", path);
      return code;
    }
  if (sm.disconnect)
    {
      print_final_stats(path);
      code = ovpn3_cli_change_call(cli, &session_target, path, "Disconnect", NULL,
                                   "cannot disconnect");
      if (code == OVPN3_EXIT_OK)
        printf("Session disconnected.\n");
      return code;
    }
  {
    Ovpn3CliConnectOptions options
        = { .background = sm.background, .timeout = (guint) sm.timeout, .connect = FALSE };

    code = ovpn3_cli_change_call(cli, &session_target, path, sm.resume ? "Resume" : "Restart", NULL,
                                 sm.resume ? "cannot resume" : "cannot restart");
    if (code != OVPN3_EXIT_OK)
      return code;
    return ovpn3_cli_session_connect(cli, path, &options);
  }
}

/* ==== session-acl ============================================================================ */

static struct
{
  char *config;
  char *path;
  char *interface;
  char **grant;
  char **revoke;
  char *public_access;
  char *restrict_log;
  char *allow_log;
  gboolean show;
} sa;

const GOptionEntry *
ovpn3_cmd_session_acl_entries(void)
{
  static const GOptionEntry entries[] = {
    OVPN3_CLI_SESSION_SELECT_ENTRIES(sa.config, sa.path, sa.interface),
    { "grant", 'G', 0, G_OPTION_ARG_STRING_ARRAY, &sa.grant,
      "Let this user manage the session (name or UID; may be repeated)", "USER" },
    { "revoke", 'R', 0, G_OPTION_ARG_STRING_ARRAY, &sa.revoke,
      "Take access away from this user (may be repeated)", "USER" },
    { "public-access", 0, 0, G_OPTION_ARG_STRING, &sa.public_access,
      "Let every user manage the session", "yes|no" },
    { "restrict-log-access", 0, 0, G_OPTION_ARG_STRING, &sa.restrict_log,
      "Only the owner may follow the session's log", "yes|no" },
    { "allow-log-access", 0, 0, G_OPTION_ARG_STRING, &sa.allow_log,
      "Users granted access may follow the log too (the opposite of --restrict-log-access)",
      "yes|no" },
    { "show", 's', 0, G_OPTION_ARG_NONE, &sa.show, "Show the access settings (after any change)",
      NULL },
    G_OPTION_ENTRY_NULL,
  };
  return entries;
}

static int
show_session_acl(Ovpn3Cli *cli, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) p
      = ovpn3_cli_get_all(OVPN3_SESSIONS_BUS_NAME, path, OVPN3_SESSIONS_INTERFACE, &error);
  g_autoptr(Ovpn3Fields) f = NULL;
  g_autoptr(GVariant) acl = NULL;
  g_autoptr(GString) users = g_string_new(NULL);
  guint32 u;
  gboolean b;

  if (p == NULL)
    return ovpn3_cli_report(cli, error, "cannot read the session", NULL);
  f = ovpn3_fields_new();
  ovpn3_fields_add(f, "Profile", ovpn3_vardict_str(p, "config_name"));
  ovpn3_fields_add(f, "Path", path);
  if (ovpn3_vardict_u32(p, "owner", &u))
    {
      g_autofree char *owner = ovpn3_cli_user_name(u);
      ovpn3_fields_add_take(f, "Owner", g_strdup_printf("%s (%u)", owner, u));
    }
  acl = g_variant_lookup_value(p, "acl", G_VARIANT_TYPE("au"));
  if (acl != NULL)
    {
      gsize n;
      const guint32 *uids = g_variant_get_fixed_array(acl, &n, sizeof(guint32));

      for (gsize i = 0; i < n; i++)
        {
          g_autofree char *name = ovpn3_cli_user_name(uids[i]);
          g_string_append_printf(users, "%s%s (%u)", i > 0 ? ", " : "", name, uids[i]);
        }
      ovpn3_fields_add(f, "Access granted to", n > 0 ? users->str : "nobody else");
    }
  if (ovpn3_vardict_bool(p, "public_access", &b))
    ovpn3_fields_add(f, "Public access", b ? "yes" : "no");
  if (ovpn3_vardict_bool(p, "restrict_log_access", &b))
    ovpn3_fields_add(f, "Log restricted to owner", b ? "yes" : "no");
  ovpn3_fields_print(f, stdout, cli->color_out);
  return OVPN3_EXIT_OK;
}

int
ovpn3_cmd_session_acl(Ovpn3Cli *cli, int argc, char **argv)
{
  int code;
  g_autofree char *path = NULL;
  gboolean pub = FALSE, restrict_log = FALSE, changed = FALSE;

  if (!ovpn3_cli_parse(cli, ovpn3_cli_command_lookup("session-acl"),
                       ovpn3_cmd_session_acl_entries(), &argc, &argv, &code))
    return code;
  if (sa.public_access != NULL && !ovpn3_cli_parse_bool(sa.public_access, &pub))
    return ovpn3_cli_usage_error(cli, "--public-access takes yes or no");
  if (sa.restrict_log != NULL && !ovpn3_cli_parse_bool(sa.restrict_log, &restrict_log))
    return ovpn3_cli_usage_error(cli, "--restrict-log-access takes yes or no");
  if (sa.allow_log != NULL && sa.restrict_log != NULL)
    return ovpn3_cli_usage_error(cli, "give --allow-log-access or --restrict-log-access");
  if (sa.allow_log != NULL && !ovpn3_cli_parse_bool(sa.allow_log, &restrict_log))
    return ovpn3_cli_usage_error(cli, "--allow-log-access takes yes or no");
  if (sa.allow_log != NULL)
    {
      sa.restrict_log = sa.allow_log; /* only "given" matters from here */
      restrict_log = !restrict_log;
    }
  path = ovpn3_cli_select_session(cli, sa.config, sa.path, sa.interface, &code);
  if (path == NULL)
    return code;
  code = ovpn3_cli_change_access(cli, &session_target, path, sa.grant, TRUE, &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_access(cli, &session_target, path, sa.revoke, FALSE, &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_set_yesno(cli, &session_target, path, "public_access",
                                      sa.public_access != NULL ? pub : -1,
                                      "cannot change public access", &changed);
  if (code == OVPN3_EXIT_OK)
    code = ovpn3_cli_change_set_yesno(cli, &session_target, path, "restrict_log_access",
                                      sa.restrict_log != NULL ? restrict_log : -1,
                                      "cannot change log access", &changed);
  if (code != OVPN3_EXIT_OK)
    return code;
  return ovpn3_cli_change_done(cli, path, changed, sa.show, "Access settings updated.",
                               show_session_acl);
}
