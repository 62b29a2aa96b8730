/* ovpn3-unattended.c — ovpn3-session-unattended PROFILE: find the profile by name, NewTunnel,
 * answer its questions from systemd credentials, Connect, then follow it for systemd (READY=1,
 * STATUS=) until it ends or the unit is stopped.  Nothing is ever read from a terminal.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-unattended"

#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-unattended.h"

#define PROGRAM   "ovpn3-session-unattended"
#define CLEAN_MAX 300

/* ---- output --------------------------------------------------------------------------------- */

char *
ovpn3_unattended_clean(const char *text)
{
  char *s = g_utf8_make_valid(text, -1);
  gsize n = strlen(s);

  for (char *p = s; *p != '\0'; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      *p = ' ';
  if (n > CLEAN_MAX)
    {
      n = CLEAN_MAX;
      while (n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80)
        n--; /* not inside a character */
      s[n] = '\0';
    }
  return s;
}

/* One line to out (after prefix) and the same as the unit's STATUS=, control characters
 * removed. */
static void emit(FILE *out, const char *prefix, const char *format, va_list ap) G_GNUC_PRINTF(3, 0);

static void
emit(FILE *out, const char *prefix, const char *format, va_list ap)
{
  g_autofree char *text = g_strdup_vprintf(format, ap);
  g_autofree char *clean = ovpn3_unattended_clean(text);

  fprintf(out, "%s%s\n", prefix, clean);
  fflush(out);
  sd_notifyf(0, "STATUS=%s", clean);
}

void
ovpn3_unattended_status(const char *format, ...)
{
  va_list ap;

  va_start(ap, format);
  emit(stdout, "", format, ap);
  va_end(ap);
}

int
ovpn3_unattended_fail(int code, const char *format, ...)
{
  va_list ap;

  va_start(ap, format);
  emit(stderr, PROGRAM ": ", format, ap);
  va_end(ap);
  return code;
}

int
ovpn3_unattended_bus_fail(const GError *error, const char *what)
{
  g_autoptr(GError) copy = g_error_copy(error);
  Ovpn3CliErrorKind kind = ovpn3_cli_error_kind(error);
  int code = OVPN3_UNATTENDED_EXIT_FAILED;

  ovpn3_cli_strip_remote_error(copy);
  if (kind == OVPN3_CLI_ERROR_KIND_ACCESS || kind == OVPN3_CLI_ERROR_KIND_POLICY)
    code = OVPN3_UNATTENDED_EXIT_CONFIG;
  return ovpn3_unattended_fail(code, "%s: %s", what, copy->message);
}

void
ovpn3_unattended_disconnect(Ovpn3Unattended *u)
{
  g_autoptr(GVariant) r = NULL;

  if (u->session_path == NULL || u->session_gone)
    return;
  r = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, u->session_path, OVPN3_SESSIONS_INTERFACE,
                     "Disconnect", NULL, NULL, NULL);
}

/* ---- the steps ------------------------------------------------------------------------------ */

/* Of several profiles of that name (root may see every user's), the one of the caller's own,
 * if there is exactly one; else NULL. */
static const char *
own_one(const char *const *paths)
{
  const char *found = NULL;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      g_autoptr(GVariant) owner = ovpn3_cli_get_property(OVPN3_CONFIG_BUS_NAME, paths[i],
                                                         OVPN3_CONFIG_INTERFACE, "owner", NULL);

      if (owner == NULL || !g_variant_is_of_type(owner, G_VARIANT_TYPE_UINT32)
          || g_variant_get_uint32(owner) != geteuid())
        continue;
      if (found != NULL)
        return NULL;
      found = paths[i];
    }
  return found;
}

static int
find_profile(Ovpn3Unattended *u)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **paths = NULL;
  const char *chosen;
  gsize n = 0;

  reply = ovpn3_cli_call(OVPN3_CONFIG_BUS_NAME, OVPN3_CONFIG_PATH, OVPN3_CONFIG_INTERFACE,
                         "LookupConfigName", g_variant_new("(s)", u->profile),
                         G_VARIANT_TYPE("(ao)"), &error);
  if (reply == NULL)
    return ovpn3_unattended_bus_fail(error, "cannot look up the profile");
  g_variant_get(reply, "(^a&o)", &paths);
  n = g_strv_length((char **) paths);
  chosen = n == 1 ? paths[0] : NULL;
  if (n == 0)
    return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_CONFIG,
                                 "no profile named '%s' that user %s may use (import it with "
                                 "`ovpn3 config-import --persistent`; names are case-sensitive)",
                                 u->profile, g_get_user_name());
  if (n > 1)
    chosen = own_one(paths);
  if (chosen == NULL)
    return ovpn3_unattended_fail(OVPN3_UNATTENDED_EXIT_CONFIG,
                                 "%zu profiles are named '%s' and not exactly one is user %s's: "
                                 "rename all but one (`ovpn3 config-manage --path PATH --rename "
                                 "NEW`)",
                                 n, u->profile, g_get_user_name());
  u->config_path = g_strdup(chosen);
  return OVPN3_UNATTENDED_EXIT_OK;
}

static int
new_tunnel(Ovpn3Unattended *u)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *what = g_strdup_printf("cannot start a session of '%s'", u->profile);

  ovpn3_unattended_status("starting a session of '%s'", u->profile);
  reply = ovpn3_cli_call(OVPN3_SESSIONS_BUS_NAME, OVPN3_SESSIONS_PATH, OVPN3_SESSIONS_INTERFACE,
                         "NewTunnel", g_variant_new("(o)", u->config_path), G_VARIANT_TYPE("(o)"),
                         &error);
  if (reply == NULL)
    return ovpn3_unattended_bus_fail(error, what);
  g_variant_get(reply, "(o)", &u->session_path);
  return OVPN3_UNATTENDED_EXIT_OK;
}

/* A SIGTERM or SIGINT that came while the helper was busy. */
static gboolean
stop_asked(Ovpn3Unattended *u)
{
  while (g_main_context_iteration(NULL, FALSE))
    ;
  return u->stop_asked;
}

static int
run(Ovpn3Unattended *u)
{
  int code = find_profile(u);

  if (code == OVPN3_UNATTENDED_EXIT_OK && !stop_asked(u))
    code = new_tunnel(u);
  if (code == OVPN3_UNATTENDED_EXIT_OK && !stop_asked(u))
    code = ovpn3_unattended_prepare(u);
  if (code == OVPN3_UNATTENDED_EXIT_OK && !stop_asked(u))
    return ovpn3_unattended_follow(u);
  /* refused, or stopped before it connected: leave no session behind */
  ovpn3_unattended_disconnect(u);
  if (code == OVPN3_UNATTENDED_EXIT_OK)
    ovpn3_unattended_status("stopped before connecting");
  return code;
}

static gboolean
parse_args(int *argc, char ***argv)
{
  g_autoptr(GOptionContext) ctx = g_option_context_new("PROFILE");
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary(
      ctx, "Start the ovpn3 profile named PROFILE with nobody at the keyboard, as\n"
           "ovpn3-session@PROFILE.service does: credentials come from files in\n"
           "$CREDENTIALS_DIRECTORY named after what the session asks for (username,\n"
           "password, pk_passphrase, http_proxy_user, http_proxy_pass, socks_proxy_user,\n"
           "socks_proxy_pass). Exit status: 0 stopped, 1 failed or ended, 2 usage,\n"
           "77 authentication failed, 78 cannot work as set up (no such profile,\n"
           "input nobody can give). See ovpn3-session@.service(8).");
  if (!g_option_context_parse(ctx, argc, argv, &error))
    {
      fprintf(stderr, PROGRAM ": %s\n", error->message);
      return FALSE;
    }
  if (*argc != 2 || **argv == NULL || (*argv)[1][0] == '\0')
    {
      fprintf(stderr, PROGRAM ": give the name of one profile (usage: " PROGRAM " PROFILE)\n");
      return FALSE;
    }
  return TRUE;
}

int
ovpn3_unattended_main(int argc, char **argv)
{
  Ovpn3Unattended u = { 0 };
  int code;

  setlocale(LC_ALL, "");
  /* credentials pass through its memory: no core dumps, no ptrace by the same uid
   * (docs/security.md §1) */
  prctl(PR_SET_DUMPABLE, 0);
  if (!parse_args(&argc, &argv))
    return OVPN3_UNATTENDED_EXIT_USAGE;
  u.cli.command = "session-unattended";
  u.profile = argv[1];
  u.loop = g_main_loop_new(NULL, FALSE);
  u.answered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  u.message = g_strdup("");
  /* from now on SIGTERM and SIGINT only ask to stop (ovpn3_unattended_on_signal) */
  u.source_ids[0] = g_unix_signal_add(SIGTERM, ovpn3_unattended_on_signal, &u);
  u.source_ids[1] = g_unix_signal_add(SIGINT, ovpn3_unattended_on_signal, &u);
  code = run(&u);
  for (guint i = 0; i < G_N_ELEMENTS(u.source_ids); i++)
    g_clear_handle_id(&u.source_ids[i], g_source_remove);
  g_hash_table_destroy(u.answered);
  g_main_loop_unref(u.loop);
  g_free(u.config_path);
  g_free(u.session_path);
  g_free(u.message);
  return code;
}
