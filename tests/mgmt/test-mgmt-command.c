#define G_LOG_DOMAIN "ovpn3-test-mgmt-command"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-command.h"

static void
assert_line(Ovpn3MgmtCommand *cmd, const char *expected, Ovpn3MgmtResponseShape shape)
{
  g_autofree gchar *want = g_strconcat(expected, "\n", NULL);

  g_assert_nonnull(cmd);
  g_assert_cmpstr(ovpn3_mgmt_command_get_line(cmd), ==, want);
  g_assert_cmpuint(ovpn3_mgmt_command_get_length(cmd), ==, strlen(want));
  g_assert_cmpint(ovpn3_mgmt_command_get_shape(cmd), ==, shape);
  ovpn3_mgmt_command_free(cmd);
}

#define REFUSED(call)                                                           \
  G_STMT_START                                                                  \
  {                                                                             \
    Ovpn3MgmtCommand *_c = (call);                                              \
    g_assert_null(_c);                                                          \
    g_assert_error(error, OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_INVALID_ARGUMENT); \
    g_clear_error(&error);                                                      \
  }                                                                             \
  G_STMT_END

#define S OVPN3_MGMT_RESPONSE_SINGLE

static void
test_quoting(void)
{
  GError *error = NULL;

  assert_line(ovpn3_mgmt_command_password("Auth", "a\"b\\c d", &error),
              "password \"Auth\" \"a\\\"b\\\\c d\"", S);
  assert_line(ovpn3_mgmt_command_password("Auth", "", &error), "password \"Auth\" \"\"", S);
  /* UTF-8 passes through; # and ; are harmless inside quotes. */
  assert_line(ovpn3_mgmt_command_username("Auth", "#jürgen;", &error),
              "username \"Auth\" \"#jürgen;\"", S);
  assert_line(ovpn3_mgmt_command_password("Auth", "'single'", &error),
              "password \"Auth\" \"'single'\"", S);
  g_assert_no_error(error);
}

static void
test_refused(void)
{
  const char *bad[] = { "tab\there", "cr\r", "lf\nsignal SIGTERM", "\x01", "del\x7f", "\x1b[0m" };
  GError *error = NULL;
  gsize i;

  for (i = 0; i < G_N_ELEMENTS(bad); i++)
    {
      REFUSED(ovpn3_mgmt_command_password("Auth", bad[i], &error));
      error = NULL;
      REFUSED(ovpn3_mgmt_command_username(bad[i], "x", &error));
      error = NULL;
      REFUSED(ovpn3_mgmt_command_static_challenge("Auth", "pw", bad[i], &error));
      error = NULL;
      REFUSED(ovpn3_mgmt_command_cr_response(bad[i], &error));
      error = NULL;
      REFUSED(ovpn3_mgmt_command_crv1_response("s", bad[i], &error));
      error = NULL;
      REFUSED(ovpn3_mgmt_command_login_password(bad[i], &error));
      error = NULL;
    }
  REFUSED(ovpn3_mgmt_command_password("Auth", "\xff\xfe", &error));
  error = NULL;
  REFUSED(ovpn3_mgmt_command_password("Auth", NULL, &error));
  error = NULL;
  REFUSED(ovpn3_mgmt_command_new(S, FALSE, &error, "Bad Verb", NULL));
  error = NULL;
  REFUSED(ovpn3_mgmt_command_new(S, FALSE, &error, "", NULL));
  error = NULL;
  REFUSED(ovpn3_mgmt_command_crv1_response("a:b", "x", &error));
}

static void
test_limits(void)
{
  g_autofree gchar *t256 = g_strnfill(OVPN3_MGMT_MAX_TOKEN, 'a');
  g_autofree gchar *t257 = g_strnfill(OVPN3_MGMT_MAX_TOKEN + 1, 'a');
  g_autofree gchar *q256 = g_strnfill(OVPN3_MGMT_MAX_TOKEN, '"');
  g_autofree gchar *b1025 = g_strnfill(1025, 'A');
  GError *error = NULL;
  Ovpn3MgmtCommand *cmd;

  cmd = ovpn3_mgmt_command_password("Auth", t256, &error);
  g_assert_no_error(error);
  ovpn3_mgmt_command_free(cmd);
  REFUSED(ovpn3_mgmt_command_password("Auth", t257, &error));
  error = NULL;

  /* The injection by overflow of docs/openvpn-management.md §2: refused before anything is
   * sent. */
  REFUSED(ovpn3_mgmt_command_password("Auth", b1025, &error));
  error = NULL;

  /* Escaping counts against the line limit: 256 quotes become 512 bytes. */
  cmd = ovpn3_mgmt_command_password("Auth", q256, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(ovpn3_mgmt_command_get_length(cmd), ==,
                   strlen("password \"Auth\" \"\"\n") + 512);
  ovpn3_mgmt_command_free(cmd);
  REFUSED(ovpn3_mgmt_command_new(S, FALSE, &error, "needstr", q256, q256, NULL));
  error = NULL;

  /* Exactly 1023 bytes (plus \n) is fine, 1024 is not:
   * "needstr" + 4 × ' ""' = 19, 256 + 256 + 200 backslashes (400 escaped) + 92. */
  {
    g_autofree gchar *a = g_strnfill(256, 'a');
    g_autofree gchar *b = g_strnfill(256, 'b');
    g_autofree gchar *c = g_strnfill(200, '\\');
    g_autofree gchar *d = g_strnfill(92, 'd');
    g_autofree gchar *d1 = g_strnfill(93, 'd');

    cmd = ovpn3_mgmt_command_new(S, FALSE, &error, "needstr", a, b, c, d, NULL);
    g_assert_no_error(error);
    g_assert_cmpuint(ovpn3_mgmt_command_get_length(cmd), ==, OVPN3_MGMT_MAX_COMMAND_LINE + 1);
    ovpn3_mgmt_command_free(cmd);
    REFUSED(ovpn3_mgmt_command_new(S, FALSE, &error, "needstr", a, b, c, d1, NULL));
  }
}

static void
test_challenges(void)
{
  GError *error = NULL;
  Ovpn3MgmtCommand *cmd;

  cmd = ovpn3_mgmt_command_static_challenge("Auth", "right \"pw\" \\ ok", "123 456", &error);
  g_assert_no_error(error);
  g_assert_true(ovpn3_mgmt_command_is_secret(cmd));
  g_assert_null(strstr(ovpn3_mgmt_command_describe(cmd), "SCRV1"));
  assert_line(cmd, "password \"Auth\" \"SCRV1:cmlnaHQgInB3IiBcIG9r:MTIzIDQ1Ng==\"", S);

  cmd = ovpn3_mgmt_command_crv1_response("state42", "123456", &error);
  assert_line(cmd, "password \"Auth\" \"CRV1::state42::123456\"", S);
  cmd = ovpn3_mgmt_command_cr_response("654321", &error);
  assert_line(cmd, "cr-response \"NjU0MzIx\"", S);
  g_assert_no_error(error);

  /* base64 grows the token: a long static response is refused. */
  {
    g_autofree gchar *pw = g_strnfill(190, 'p');
    REFUSED(ovpn3_mgmt_command_static_challenge("Auth", pw, "r", &error));
  }
}

static void
test_helpers(void)
{
  GError *error = NULL;

  assert_line(ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_QUERY), "hold", S);
  assert_line(ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_RELEASE), "hold \"release\"", S);
  assert_line(ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_ON), "hold \"on\"", S);
  assert_line(ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_OFF), "hold \"off\"", S);
  assert_line(ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGUSR1), "signal \"SIGUSR1\"", S);
  assert_line(ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGTERM), "signal \"SIGTERM\"", S);
  assert_line(ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGHUP), "signal \"SIGHUP\"", S);
  assert_line(ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGUSR2), "signal \"SIGUSR2\"", S);
  assert_line(ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGINT), "signal \"SIGINT\"", S);
  {
    Ovpn3MgmtSignal sig = OVPN3_MGMT_SIGHUP;

    g_assert_true(ovpn3_mgmt_signal_from_name("SIGTERM", &sig));
    g_assert_cmpint(sig, ==, OVPN3_MGMT_SIGTERM);
    g_assert_false(ovpn3_mgmt_signal_from_name("SIGKILL", &sig));
    g_assert_false(ovpn3_mgmt_signal_from_name("sigterm", &sig));
    g_assert_false(ovpn3_mgmt_signal_from_name(NULL, &sig));
    g_assert_cmpint(sig, ==, OVPN3_MGMT_SIGTERM);
  }

  assert_line(ovpn3_mgmt_command_state_query(), "state", OVPN3_MGMT_RESPONSE_MULTI);
  assert_line(ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ON), "state \"on\"", S);
  assert_line(ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_OFF), "state \"off\"", S);
  assert_line(ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ALL), "state \"all\"",
              OVPN3_MGMT_RESPONSE_MULTI);
  assert_line(ovpn3_mgmt_command_history(OVPN3_MGMT_STREAM_STATE, 3), "state \"3\"",
              OVPN3_MGMT_RESPONSE_MULTI);
  assert_line(ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ON_ALL), "state \"on\" \"all\"",
              OVPN3_MGMT_RESPONSE_SUCCESS_MULTI);
  assert_line(ovpn3_mgmt_command_log(OVPN3_MGMT_REALTIME_ON_ALL), "log \"on\" \"all\"",
              OVPN3_MGMT_RESPONSE_SUCCESS_MULTI);
  assert_line(ovpn3_mgmt_command_echo(OVPN3_MGMT_REALTIME_ON), "echo \"on\"", S);
  assert_line(ovpn3_mgmt_command_history(OVPN3_MGMT_STREAM_LOG, 20), "log \"20\"",
              OVPN3_MGMT_RESPONSE_MULTI);
  {
    Ovpn3MgmtRealtime mode = OVPN3_MGMT_REALTIME_OFF;

    g_assert_true(ovpn3_mgmt_realtime_from_name("on all", &mode));
    g_assert_cmpint(mode, ==, OVPN3_MGMT_REALTIME_ON_ALL);
    g_assert_false(ovpn3_mgmt_realtime_from_name("bogus", &mode));
    g_assert_false(ovpn3_mgmt_realtime_from_name(NULL, &mode));
    g_assert_cmpint(mode, ==, OVPN3_MGMT_REALTIME_ON_ALL);
  }

  assert_line(ovpn3_mgmt_command_bytecount(5), "bytecount \"5\"", S);
  assert_line(ovpn3_mgmt_command_status(), "status", OVPN3_MGMT_RESPONSE_MULTI);
  assert_line(ovpn3_mgmt_command_needok("token-insertion-request", TRUE, &error),
              "needok \"token-insertion-request\" \"ok\"", S);
  assert_line(ovpn3_mgmt_command_needok("x", FALSE, &error), "needok \"x\" \"cancel\"", S);
  assert_line(ovpn3_mgmt_command_needstr("pkcs11-id-request", "pkcs11:id=1", &error),
              "needstr \"pkcs11-id-request\" \"pkcs11:id=1\"", S);
  assert_line(ovpn3_mgmt_command_remote_accept(), "remote \"ACCEPT\"", S);
  assert_line(ovpn3_mgmt_command_remote_skip(0), "remote \"SKIP\"", S);
  assert_line(ovpn3_mgmt_command_remote_skip(2), "remote \"SKIP\" \"2\"", S);
  assert_line(ovpn3_mgmt_command_remote_mod("vpn.example", 443, &error),
              "remote \"MOD\" \"vpn.example\" \"443\"", S);
  assert_line(ovpn3_mgmt_command_proxy_none(), "proxy \"NONE\"", S);
  assert_line(ovpn3_mgmt_command_proxy_http("p", 3128, TRUE, &error),
              "proxy \"HTTP\" \"p\" \"3128\" \"nct\"", S);
  assert_line(ovpn3_mgmt_command_proxy_http("p", 3128, FALSE, &error),
              "proxy \"HTTP\" \"p\" \"3128\"", S);
  assert_line(ovpn3_mgmt_command_proxy_socks("s", 1080, &error), "proxy \"SOCKS\" \"s\" \"1080\"",
              S);
  g_assert_no_error(error);
  REFUSED(ovpn3_mgmt_command_remote_mod("h", 0, &error));
  error = NULL;
  REFUSED(ovpn3_mgmt_command_proxy_socks("h", 70000, &error));
  error = NULL;

  assert_line(ovpn3_mgmt_command_version(3), "version \"3\"", OVPN3_MGMT_RESPONSE_NONE);
  assert_line(ovpn3_mgmt_command_exit(), "exit", OVPN3_MGMT_RESPONSE_NONE);
  assert_line(ovpn3_mgmt_command_pid(), "pid", S);
  assert_line(ovpn3_mgmt_command_forget_passwords(), "forget-passwords", S);
  assert_line(ovpn3_mgmt_command_login_password("pa ss\"word", &error), "pa ss\"word",
              OVPN3_MGMT_RESPONSE_PW_LOGIN);
  g_assert_no_error(error);
}

static void
test_more_helpers(void)
{
  GError *error = NULL;
  g_autofree gchar *sig = g_strnfill(100, 'A');
  g_autofree gchar *bad_end = NULL;

  assert_line(ovpn3_mgmt_command_pkcs11_id_count(), "pkcs11-id-count", OVPN3_MGMT_RESPONSE_PKCS11);
  assert_line(ovpn3_mgmt_command_pkcs11_id_get(2), "pkcs11-id-get \"2\"",
              OVPN3_MGMT_RESPONSE_PKCS11);
  assert_line(ovpn3_mgmt_command_remote_entry_count(), "remote-entry-count",
              OVPN3_MGMT_RESPONSE_MULTI);
  assert_line(ovpn3_mgmt_command_remote_entry_get_all(), "remote-entry-get \"all\"",
              OVPN3_MGMT_RESPONSE_MULTI);
  assert_line(ovpn3_mgmt_command_auth_retry("interact", &error), "auth-retry \"interact\"", S);
  REFUSED(ovpn3_mgmt_command_auth_retry("always", &error));

  /* Multi-line input: 64-character base64 lines, then END. */
  assert_line(ovpn3_mgmt_command_pk_sig(sig, &error),
              "pk-sig\n"
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
              "END",
              S);
  REFUSED(ovpn3_mgmt_command_pk_sig("AAAA\nsignal SIGTERM", &error));
  REFUSED(ovpn3_mgmt_command_pk_sig("", &error));
  assert_line(ovpn3_mgmt_command_certificate("-----BEGIN CERTIFICATE-----\r\nMIIB\n"
                                             "-----END CERTIFICATE-----\n",
                                             &error),
              "certificate\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\nEND", S);
  g_assert_no_error(error);
  /* A line "END" would end the block early and run the rest as commands. */
  REFUSED(ovpn3_mgmt_command_certificate("MIIB\nEND\nsignal SIGTERM\n", &error));
  REFUSED(ovpn3_mgmt_command_certificate("MII\tB\n", &error));
  REFUSED(ovpn3_mgmt_command_certificate("\n\n", &error));
  bad_end = g_strnfill(1024, 'x');
  REFUSED(ovpn3_mgmt_command_certificate(bad_end, &error));
}

static void
test_secret(void)
{
  GError *error = NULL;
  g_autoptr(Ovpn3MgmtCommand) pw = ovpn3_mgmt_command_password("Auth", "hunter2", &error);
  g_autoptr(Ovpn3MgmtCommand) user = ovpn3_mgmt_command_username("Auth", "alice", &error);
  g_autoptr(Ovpn3MgmtCommand) hold = ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_RELEASE);
  gsize len;
  gsize i;

  g_assert_true(ovpn3_mgmt_command_is_secret(pw));
  g_assert_true(ovpn3_mgmt_command_is_secret(user));
  g_assert_false(ovpn3_mgmt_command_is_secret(hold));
  g_assert_cmpstr(ovpn3_mgmt_command_describe(pw), ==, "password");
  g_assert_cmpstr(ovpn3_mgmt_command_describe(hold), ==, "hold \"release\"");

  len = ovpn3_mgmt_command_get_length(pw);
  ovpn3_mgmt_command_wipe(pw);
  for (i = 0; i < len; i++)
    g_assert_cmpint(ovpn3_mgmt_command_get_line(pw)[i], ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mgmt/command/quoting", test_quoting);
  g_test_add_func("/mgmt/command/refused", test_refused);
  g_test_add_func("/mgmt/command/limits", test_limits);
  g_test_add_func("/mgmt/command/challenges", test_challenges);
  g_test_add_func("/mgmt/command/helpers", test_helpers);
  g_test_add_func("/mgmt/command/more-helpers", test_more_helpers);
  g_test_add_func("/mgmt/command/secret", test_secret);
  return g_test_run();
}
