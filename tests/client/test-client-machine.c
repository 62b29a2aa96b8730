/* test-client-machine.c — the backend client's state machine driven by the
 * management transcripts recorded from openvpn 2.6 (tests/data/mgmt/), without
 * D-Bus, openvpn or netcfg: every notification of a transcript goes through
 * client_events_dispatch(); the outputs (Ovpn3ClientOutputs) are recorded.
 * A stand-in user fills each queue slot from the scenario's answers and calls
 * Connect when the session waits for input; the recorder's own commands
 * become what a session manager would ask: `signal "SIGUSR1"` a Restart,
 * `signal "SIGTERM"` a Disconnect. netcfg answers an apply only after the
 * next event (so CONN_CONNECTED is deferred as with a slow netcfg), the
 * back-off openvpn asks for ends at once, and the transcript's end is
 * openvpn's exit.
 *
 * Checked for each transcript: the sequence of states, StatusChange,
 * AttentionRequired, queue slots and commands against
 * tests/client/machine/<name>.trace (MACHINE_UPDATE_GOLDEN=1 rewrites them),
 * and, independently of that file, that every credential command the
 * recording sent (username, password, cr-response) is the one the client
 * sends, byte for byte and in order; plus the facts of docs/architecture.md
 * §5 by hand in check_scenario().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-test-client-machine"

#include "config.h"

#include <string.h>

#include "client-backend-private.h"

#define PROFILE_BASE "client\ndev tun\nremote 127.0.0.1 1194 udp\nauth-user-pass\n"

typedef struct
{
  const char *name;
  const char *transcript; /* NULL: the name */
  /* the recorder's SIGUSR1 is a Pause (Resume once openvpn holds), not a Restart */
  gboolean pause;
  const char *profile_extra;
  /* "slot name=value", in the order the user gives them; the last value of
   * a name is given again when it is asked for again */
  const char *const answers[6];
} Scenario;

#define ALICE "username=alice", "password=right \"pw\" \\ ok"

static const Scenario scenarios[] = {
  { .name = "connect", .answers = { ALICE } },
  { .name = "auth-retry", .answers = { "username=alice", "password=wrong", ALICE } },
  { .name = "cr-text", .answers = { ALICE, "auth_pending=654321" } },
  { .name = "crv1", .answers = { ALICE, "dynamic_challenge=123456" } },
  { .name = "fatal-prompt" },
  { .name = "hold" },
  { .name = "kill-restart", .answers = { ALICE } },
  { .name = "management-client", .answers = { ALICE } },
  { .name = "private-key", .answers = { "pk_passphrase=not-it", "pk_passphrase=key-secret" } },
  { .name = "sighup", .answers = { ALICE } },
  { .name = "static-challenge",
    .profile_extra = "static-challenge \"Enter OTP, please\" 1\n",
    .answers = { ALICE, "static_challenge=123 456" } },
  { .name = "web-auth", .answers = { ALICE } },
  { .name = "connect-pause", .transcript = "connect", .pause = TRUE, .answers = { ALICE } },
};

typedef struct
{
  const Scenario *scenario;
  Ovpn3ClientBackend *be;
  GString *trace;
  GPtrArray *sent; /* char*: every command line as sent */
  gboolean apply_pending;
  gboolean used[G_N_ELEMENTS(scenarios[0].answers)];
} Replay;

static Replay *current;
static const char *transcripts_dir; /* tests/data/mgmt */
static const char *traces_dir;      /* tests/client/machine */

/* ---- the recorder ------------------------------------------------------------------- */

static void
rec_state(Ovpn3ClientBackend *self, Ovpn3ClientState from, Ovpn3ClientState to, const char *reason)
{
  g_string_append_printf(current->trace, "state %s -> %s (%s)\n", client_state_name(from),
                         client_state_name(to), reason);
}

static void
rec_log(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *message)
{
  if (category >= OVPN3_LOG_CATEGORY_WARN)
    g_string_append_printf(current->trace, "log %u %s\n", category, message);
}

static void
rec_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message)
{
  g_string_append_printf(current->trace, "StatusChange %u %u \"%s\"\n", major, minor, message);
}

static void
rec_attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message)
{
  g_string_append_printf(current->trace, "AttentionRequired %u %u \"%s\"\n", type, group, message);
}

static void
rec_send(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd)
{
  g_autofree char *line
      = g_strndup(ovpn3_mgmt_command_get_line(cmd), ovpn3_mgmt_command_get_length(cmd) - 1);

  /* the values of secrets stay out of the trace file */
  g_string_append_printf(current->trace, "send %s\n",
                         ovpn3_mgmt_command_is_secret(cmd) ? ovpn3_mgmt_command_describe(cmd)
                                                           : line);
  g_ptr_array_add(current->sent, g_steal_pointer(&line));
  ovpn3_mgmt_command_free(cmd);
}

static void
rec_stop(Ovpn3ClientBackend *self, guint timeout_s)
{
  g_string_append_printf(current->trace, "stop openvpn (%u s)\n", timeout_s);
}

static void
rec_apply(Ovpn3ClientBackend *self, const Ovpn3NetSettings *settings)
{
  g_string_append_printf(current->trace, "apply network (%u addresses, %u routes)\n",
                         settings->addresses->len, settings->routes->len);
  current->apply_pending = TRUE;
}

static void
rec_finish(Ovpn3ClientBackend *self, gboolean remove_device)
{
  g_string_append_printf(current->trace, "finish (%s)\n",
                         remove_device ? "device removed" : "no device");
}

static const Ovpn3ClientOutputs recorder = {
  .state_changed = rec_state,
  .log = rec_log,
  .status = rec_status,
  .attention = rec_attention,
  .send = rec_send,
  .stop = rec_stop,
  .apply_network = rec_apply,
  .finish = rec_finish,
};

/* ---- the stand-in user -------------------------------------------------------------- */

static const char *
answer_for(Replay *r, const char *slot)
{
  gsize len = strlen(slot);
  const char *last = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(r->scenario->answers) && r->scenario->answers[i]; i++)
    {
      const char *a = r->scenario->answers[i];

      if (strncmp(a, slot, len) != 0 || a[len] != '=')
        continue;
      if (!r->used[i])
        {
          r->used[i] = TRUE;
          return a + len + 1;
        }
      last = a + len + 1;
    }
  return last;
}

/* Fills one unprovided slot; FALSE if there was none or no answer. */
static gboolean
provide_one(Replay *r)
{
  g_autoptr(GVariant) pairs = g_variant_ref_sink(ovpn3_client_queue_get_type_group(r->be->queue));
  g_autoptr(GVariant) ids = NULL;
  g_autoptr(GVariant) slot = NULL;
  g_autoptr(GError) error = NULL;
  guint type, group, id;
  const char *name, *value;

  if (g_variant_n_children(pairs) == 0)
    return FALSE;
  g_variant_get_child(pairs, 0, "(uu)", &type, &group);
  ids = g_variant_ref_sink(ovpn3_client_queue_check(r->be->queue, type, group));
  g_variant_get_child(ids, 0, "u", &id);
  slot = ovpn3_client_queue_fetch(r->be->queue, type, group, id, &error);
  g_assert_no_error(error);
  g_variant_get(slot, "(uuu&s&sb)", NULL, NULL, NULL, &name, NULL, NULL);
  value = answer_for(r, name);
  if (value == NULL)
    return FALSE;
  g_string_append_printf(r->trace, "user provides %u %u %s\n", type, group, name);
  g_assert_true(ovpn3_client_queue_provide(r->be->queue, type, group, id, value, &error));
  g_assert_no_error(error);
  return TRUE;
}

/* Connects once openvpn waits (in its hold or at a prompt), as a user who is
 * slower than openvpn would. */
static gboolean
connect_if_waiting(Replay *r)
{
  if (r->be->state != OVPN3_CLIENT_STATE_WAITING_INPUT || !ovpn3_client_queue_complete(r->be->queue)
      || (!r->be->in_hold && r->be->pending_prompt == PROMPT_NONE))
    return FALSE;
  g_string_append(r->trace, "user: Connect\n");
  client_session_connect(r->be);
  return TRUE;
}

/* Fills every slot it has an answer for and connects, until nothing more is
 * asked (an answer may open another slot: the static challenge). */
static void
act_as_user(Replay *r)
{
  for (guint round = 0; round < 4; round++)
    {
      gboolean provided = FALSE;

      while (provide_one(r))
        provided = TRUE;
      if (!connect_if_waiting(r) && !provided)
        return;
    }
}

/* ---- the replay --------------------------------------------------------------------- */

static void
after_event(Replay *r, gboolean apply_was_pending)
{
  if (apply_was_pending && r->apply_pending)
    {
      r->apply_pending = FALSE;
      g_string_append(r->trace, "netcfg: applied\n");
      client_network_applied(r->be, NULL);
    }
  if (r->be->hold_timer_id != 0)
    {
      g_clear_handle_id(&r->be->hold_timer_id, g_source_remove);
      g_string_append(r->trace, "back-off over\n");
      client_hold_expired(r->be);
    }
  act_as_user(r);
  if (r->be->state == OVPN3_CLIENT_STATE_PAUSED && r->be->in_hold)
    {
      g_string_append(r->trace, "manager: Resume\n");
      client_session_resume(r->be, NULL);
    }
}

static void
feed(Replay *r, Ovpn3MgmtParser *parser, const char *line)
{
  Ovpn3MgmtEvent *event;

  ovpn3_mgmt_parser_feed(parser, line);
  while ((event = ovpn3_mgmt_parser_pop(parser)) != NULL)
    {
      gboolean apply_was_pending = r->apply_pending;

      {
        g_autofree char *shown = g_strndup(event->line, 60);

        g_string_append_printf(r->trace, "< %s\n", g_strchomp(shown));
      }
      client_events_dispatch(r->be, event);
      ovpn3_mgmt_event_unref(event);
      after_event(r, apply_was_pending);
    }
}

/* A command of the recording: what the session manager would have asked for. */
static void
recorded_command(Replay *r, const char *command, GPtrArray *credentials)
{
  if (g_str_has_prefix(command, "username ") || g_str_has_prefix(command, "password ")
      || g_str_has_prefix(command, "cr-response "))
    g_ptr_array_add(credentials, g_strdup(command));
  else if (g_str_equal(command, "signal \"SIGUSR1\"") && r->scenario->pause)
    {
      g_string_append(r->trace, "manager: Pause\n");
      client_session_pause(r->be, "test", NULL);
    }
  else if (g_str_equal(command, "signal \"SIGUSR1\""))
    {
      g_string_append(r->trace, "manager: Restart\n");
      client_session_restart(r->be);
    }
  else if (g_str_equal(command, "signal \"SIGTERM\""))
    {
      g_string_append(r->trace, "manager: Disconnect\n");
      client_stop_session(r->be, FALSE);
    }
}

static Ovpn3ClientBackend *
new_backend(const Scenario *scenario)
{
  Ovpn3ClientBackend *be = g_object_new(OVPN3_TYPE_CLIENT_BACKEND, NULL);
  g_autofree char *text = g_strconcat(
      PROFILE_BASE, scenario->profile_extra != NULL ? scenario->profile_extra : "", NULL);
  g_autoptr(GError) error = NULL;

  be->out = &recorder;
  be->engine = (Ovpn3EngineId) OVPN3_ENGINE_ID_INIT;
  be->token = g_strdup("test-token");
  be->log_level = OVPN3_LOG_LEVEL_MAX;
  be->queue = ovpn3_client_queue_new();
  g_signal_connect(be->queue, "provided", G_CALLBACK(client_on_queue_provided), be);
  be->profile = ovpn3_profile_new_from_text(text, -1, &error);
  g_assert_no_error(error);
  be->pull_filters = g_new0(char *, 1);
  be->initialized = TRUE;
  /* as client_run_start() leaves it once openvpn runs */
  client_set_state(be, OVPN3_CLIENT_STATE_CONNECTING, "test: openvpn started");
  return be;
}

static char *
replay(const Scenario *scenario, GPtrArray *sent, GPtrArray *credentials)
{
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  Ovpn3MgmtParser *parser = ovpn3_mgmt_parser_new();
  Replay r = { .scenario = scenario, .trace = g_string_new(NULL), .sent = sent };

  path = g_strdup_printf("%s/%s.transcript", transcripts_dir,
                         scenario->transcript != NULL ? scenario->transcript : scenario->name);
  g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
  g_assert_no_error(error);
  current = &r;
  r.be = new_backend(scenario);
  lines = g_strsplit(contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* notifications only: the answers to commands are the mgmt client's */
      if (g_str_has_prefix(lines[i], "< >"))
        feed(&r, parser, lines[i] + 2);
      else if (g_str_has_prefix(lines[i], "> "))
        {
          const char *command = strchr(lines[i] + 2, ' ');

          if (command != NULL)
            recorded_command(&r, command + 1, credentials);
        }
    }
  /* openvpn closed the connection and exited (as client-run.c's on_exited()) */
  g_string_append(r.trace, "openvpn exits\n");
  client_events_exited(r.be, 0);
  client_finish(r.be);
  g_string_append_printf(r.trace, "final state %s\n", client_state_name(r.be->state));
  ovpn3_mgmt_parser_free(parser);
  g_object_unref(r.be);
  current = NULL;
  return g_string_free(r.trace, FALSE);
}

/* ---- the checks --------------------------------------------------------------------- */

static void assert_has(const char *trace, const char *format, ...) G_GNUC_PRINTF(2, 3);

static void
assert_has(const char *trace, const char *format, ...)
{
  g_autofree char *needle = NULL;
  va_list args;

  va_start(args, format);
  needle = g_strdup_vprintf(format, args);
  va_end(args);
  if (strstr(trace, needle) == NULL)
    g_error("\"%s\" is not in the trace:\n%s", needle, trace);
}

static guint
count(const char *trace, const char *needle)
{
  guint n = 0;

  for (const char *p = strstr(trace, needle); p != NULL; p = strstr(p + 1, needle))
    n++;
  return n;
}

/* The rows of docs/architecture.md §5 each scenario exercises. */
static void
check_scenario(const char *name, const char *trace)
{
  const guint conn = OVPN3_STATUS_MAJOR_CONNECTION;

  /* first hold: notifications on, then release */
  assert_has(trace, "send state \"on\"\nsend log \"on\"\nsend bytecount \"1\"\n"
                    "send hold \"release\"\n");
  if (g_str_equal(name, "connect"))
    {
      g_assert_cmpuint(count(trace, "StatusChange 2 7 "), ==, 2);
      assert_has(trace, "state CONNECTED -> RESTARTING (Restart)\nStatusChange %u %u \"\"\n", conn,
                 OVPN3_STATUS_MINOR_CONN_RECONNECTING);
      assert_has(trace, "state RESTARTING -> CONNECTING (restarted)\n");
      assert_has(trace, "openvpn exits\nStatusChange %u %u \"\"\nstate DISCONNECTING -> DONE", conn,
                 OVPN3_STATUS_MINOR_CONN_DONE);
    }
  else if (g_str_equal(name, "connect-pause"))
    {
      assert_has(trace,
                 "manager: Pause\nstate CONNECTED -> PAUSED (Pause)\nStatusChange %u %u "
                 "\"Reason: test\"\nsend signal \"SIGUSR1\"\n",
                 conn, OVPN3_STATUS_MINOR_CONN_PAUSING);
      /* silent RECONNECTING, CONN_PAUSED at the hold, then Resume releases it */
      assert_has(trace,
                 "StatusChange %u %u \"\"\nmanager: Resume\nstate PAUSED -> CONNECTING (Resume)\n"
                 "StatusChange %u %u \"\"\nsend hold \"release\"\n",
                 conn, OVPN3_STATUS_MINOR_CONN_PAUSED, conn, OVPN3_STATUS_MINOR_CONN_RESUMING);
      g_assert_cmpuint(count(trace, "StatusChange 2 12 "), ==, 0);
    }
  else if (g_str_equal(name, "auth-retry"))
    {
      assert_has(trace, "StatusChange %u %u \"bad password, try again\"\n", conn,
                 OVPN3_STATUS_MINOR_CONN_AUTH_FAILED);
      assert_has(trace, "AttentionRequired %u %u \"%s\"\n", T_CRED,
                 OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
      assert_has(trace, "state CONNECTING -> WAITING_INPUT (authentication failed)\n");
      g_assert_cmpuint(count(trace, "StatusChange 2 7 "), ==, 1);
    }
  else if (g_str_equal(name, "crv1"))
    {
      assert_has(trace, "AttentionRequired %u %u \"Enter PIN (it's 6 digits), ok?\"\n", T_CRED,
                 OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC);
      assert_has(trace, "StatusChange %u %u \"%s\"\n", conn, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER,
                 TEXT_NEED_DYNAMIC);
      /* the auth-failure RECONNECTING is silent */
      g_assert_cmpuint(count(trace, "StatusChange 2 12 "), ==, 0);
    }
  else if (g_str_equal(name, "cr-text"))
    assert_has(trace, "AttentionRequired %u %u \"Enter your TOTP code\"\n", T_CRED,
               OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING);
  else if (g_str_equal(name, "web-auth"))
    assert_has(trace,
               "StatusChange %u %u \"https://auth.example.test/login?session=abc,def\"\n"
               "AttentionRequired %u %u \"https://",
               OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_SESS_AUTH_URL, T_CRED,
               OVPN3_ATTENTION_GROUP_OPEN_URL);
  else if (g_str_equal(name, "static-challenge"))
    assert_has(trace, "StatusChange %u %u \"Client disconnected by server\"\n", conn,
               OVPN3_STATUS_MINOR_CONN_FAILED);
  else if (g_str_equal(name, "private-key"))
    assert_has(trace, "StatusChange %u %u \"Private key passphrase verification failed\"\n", conn,
               OVPN3_STATUS_MINOR_CONN_AUTH_FAILED);
  else if (g_str_equal(name, "kill-restart"))
    assert_has(trace, "StatusChange %u %u \"server-pushed-connection-reset\"\n", conn,
               OVPN3_STATUS_MINOR_CONN_RECONNECTING);
}

static void
compare_golden(const char *name, const char *trace)
{
  g_autofree char *path = g_strdup_printf("%s/%s.trace", traces_dir, name);
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;

  if (g_getenv("MACHINE_UPDATE_GOLDEN") != NULL)
    {
      g_assert_true(g_file_set_contents(path, trace, -1, &error));
      return;
    }
  g_assert_true(g_file_get_contents(path, &expected, NULL, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(trace, ==, expected);
}

static void
test_replay(gconstpointer data)
{
  const Scenario *scenario = data;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) credentials = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) sent_credentials = g_ptr_array_new();
  g_autofree char *trace = replay(scenario, sent, credentials);

  compare_golden(scenario->name, trace);
  check_scenario(scenario->name, trace);
  /* every credential the recording sent is what the client sends */
  for (guint i = 0; i < sent->len; i++)
    {
      const char *line = g_ptr_array_index(sent, i);

      if (g_str_has_prefix(line, "username ") || g_str_has_prefix(line, "password ")
          || g_str_has_prefix(line, "cr-response "))
        g_ptr_array_add(sent_credentials, (gpointer) line);
    }
  /* without answers the client has nothing to send (the hold scenario's recording
   * sends an unasked-for username to see openvpn refuse it) */
  if (scenario->answers[0] == NULL)
    {
      g_assert_cmpuint(sent_credentials->len, ==, 0);
      return;
    }
  g_assert_cmpuint(sent_credentials->len, ==, credentials->len);
  for (guint i = 0; i < credentials->len; i++)
    g_assert_cmpstr(g_ptr_array_index(sent_credentials, i), ==, g_ptr_array_index(credentials, i));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  if (argc != 3)
    g_error("usage: %s [test options] <tests/data/mgmt> <tests/client/machine>", argv[0]);
  transcripts_dir = argv[1];
  traces_dir = argv[2];
  for (gsize i = 0; i < G_N_ELEMENTS(scenarios); i++)
    {
      g_autofree char *path = g_strdup_printf("/client/machine/%s", scenarios[i].name);

      g_test_add_data_func(path, &scenarios[i], test_replay);
    }
  return g_test_run();
}
