#define G_LOG_DOMAIN "ovpn3-test-mgmt-client"

#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgmt-test-util.h"

/* The client on one end of a socketpair; the test plays openvpn on the other. */
typedef struct
{
  Ovpn3MgmtClient *client;
  int peer;
  GPtrArray *events;  /* Ovpn3MgmtEvent* */
  GPtrArray *results; /* gchar* (mgmt_test_result_to_string) */
  gboolean closed;
  GError *closed_error;
} Fixture;

static void
on_event(Ovpn3MgmtClient *client, Ovpn3MgmtEvent *event, gpointer user_data)
{
  Fixture *fx = user_data;

  g_ptr_array_add(fx->events, ovpn3_mgmt_event_ref(event));
}

static void
on_closed(Ovpn3MgmtClient *client, GError *error, gpointer user_data)
{
  Fixture *fx = user_data;

  g_assert_false(fx->closed);
  fx->closed = TRUE;
  fx->closed_error = error ? g_error_copy(error) : NULL;
}

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
  int sv[2];
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  sock = g_socket_new_from_fd(sv[0], &error);
  g_assert_no_error(error);
  conn = g_socket_connection_factory_create_connection(sock);
  fx->peer = sv[1];
  fx->client = ovpn3_mgmt_client_new(G_IO_STREAM(conn));
  fx->events = g_ptr_array_new_with_free_func((GDestroyNotify) ovpn3_mgmt_event_unref);
  fx->results = g_ptr_array_new_with_free_func(g_free);
  g_signal_connect(fx->client, "event", G_CALLBACK(on_event), fx);
  g_signal_connect(fx->client, "closed", G_CALLBACK(on_closed), fx);
  ovpn3_mgmt_client_start(fx->client);
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
  ovpn3_mgmt_client_close(fx->client);
  /* Let the cancelled read finish so the client can go. */
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_object_add_weak_pointer(G_OBJECT(fx->client), (gpointer *) &fx->client);
  g_object_unref(fx->client);
  while (fx->client != NULL)
    g_main_context_iteration(NULL, TRUE);
  if (fx->peer >= 0)
    close(fx->peer);
  g_ptr_array_unref(fx->events);
  g_ptr_array_unref(fx->results);
  g_clear_error(&fx->closed_error);
}

static gboolean
on_deadline(gpointer user_data)
{
  g_error("test deadline reached");
  return G_SOURCE_REMOVE;
}

#define RUN_UNTIL(cond)                                       \
  G_STMT_START                                                \
  {                                                           \
    guint _id = g_timeout_add_seconds(10, on_deadline, NULL); \
    while (!(cond))                                           \
      g_main_context_iteration(NULL, TRUE);                   \
    g_source_remove(_id);                                     \
  }                                                           \
  G_STMT_END

static void
peer_write(Fixture *fx, const char *data)
{
  gsize len = strlen(data);
  gsize off = 0;

  while (off < len)
    {
      ssize_t n = write(fx->peer, data + off, len - off);

      g_assert_cmpint(n, >, 0);
      off += (gsize) n;
    }
}

/* Reads one command line (without \n) that the client wrote. */
static gchar *
peer_read_line(Fixture *fx)
{
  GString *s = g_string_new(NULL);
  gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      struct pollfd pfd = { fx->peer, POLLIN, 0 };
      char c;

      g_main_context_iteration(NULL, FALSE);
      if (poll(&pfd, 1, 5) == 1)
        {
          ssize_t n = read(fx->peer, &c, 1);

          g_assert_cmpint(n, ==, 1);
          if (c == '\n')
            return g_string_free(s, FALSE);
          g_string_append_c(s, c);
        }
      g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    }
}

/* Nothing written by the client right now. */
static void
assert_peer_idle(Fixture *fx)
{
  struct pollfd pfd = { fx->peer, POLLIN, 0 };
  int i;

  for (i = 0; i < 20; i++)
    g_main_context_iteration(NULL, FALSE);
  g_assert_cmpint(poll(&pfd, 1, 20), ==, 0);
}

static void
on_result(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3MgmtResponse) resp = NULL;

  resp = ovpn3_mgmt_client_command_finish(OVPN3_MGMT_CLIENT(source), result, &error);
  g_assert_true((resp == NULL) != (error == NULL));
  g_ptr_array_add(fx->results, mgmt_test_result_to_string(resp, error));
}

static void
submit(Fixture *fx, Ovpn3MgmtCommand *cmd, guint timeout_ms, GCancellable *cancellable)
{
  g_assert_nonnull(cmd);
  ovpn3_mgmt_client_command_async(fx->client, cmd, timeout_ms, cancellable, on_result, fx);
}

static Ovpn3MgmtEvent *
event_at(Fixture *fx, guint i)
{
  g_assert_cmpuint(i, <, fx->events->len);
  return fx->events->pdata[i];
}

/* ---- Queue tests ------------------------------------------------------------------------------ */

static void
test_single(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;

  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  submit(fx, ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_RELEASE), 0, NULL);
  l1 = peer_read_line(fx);
  g_assert_cmpstr(l1, ==, "pid");
  /* One command at a time: the second waits for the first answer. */
  assert_peer_idle(fx);

  /* Notifications before and around the answer are events, not answers. */
  peer_write(fx, ">STATE:1,WAIT,,,,,,\r\n>LOG:1,D,MANAGEMENT: CMD 'pid'\r\nSUCCESS: pid=42\r\n");
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "hold \"release\"");
  peer_write(fx, "ERROR: unknown command, enter 'help' for more options\r\n>PASSWORD:Need 'Auth' "
                 "username/password\r\n");
  RUN_UNTIL(fx->results->len == 2 && fx->events->len == 3);
  g_assert_cmpstr(fx->results->pdata[0], ==, "{\"status\":\"pid=42\",\"lines\":[]}");
  g_assert_cmpstr(
      fx->results->pdata[1], ==,
      "{\"error\":\"ovpn3-mgmt-error-quark:1:unknown command, enter 'help' for more options\"}");
  g_assert_cmpint(event_at(fx, 0)->type, ==, OVPN3_MGMT_EVENT_STATE);
  g_assert_cmpint(event_at(fx, 1)->type, ==, OVPN3_MGMT_EVENT_LOG);
  g_assert_cmpint(event_at(fx, 2)->type, ==, OVPN3_MGMT_EVENT_PASSWORD);
  g_assert_cmpuint(ovpn3_mgmt_client_get_queue_length(fx->client), ==, 0);
}

static void
test_multi(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;
  g_autofree gchar *l3 = NULL;
  g_autofree gchar *l4 = NULL;

  submit(fx, ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ON_ALL), 0, NULL);
  submit(fx, ovpn3_mgmt_command_status(), 0, NULL);
  submit(fx, ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ALL), 0, NULL);
  submit(fx, ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ON_ALL), 0, NULL);
  l1 = peer_read_line(fx);
  g_assert_cmpstr(l1, ==, "state \"on\" \"all\"");
  peer_write(
      fx, "SUCCESS: real-time state notification set to ON\r\n>HOLD:Waiting for hold release:0\r\n"
          "1,CONNECTING,,,,,,\r\nEND\r\n");
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "status");
  peer_write(fx, "ERROR: The 'status' command is not supported by the current daemon mode\r\n");
  l3 = peer_read_line(fx);
  g_assert_cmpstr(l3, ==, "state \"all\"");
  /* ERROR: in the middle of a body is body. */
  peer_write(fx, "1,CONNECTING,,,,,,\r\nERROR: x\r\nEND\r\n");
  l4 = peer_read_line(fx);
  peer_write(fx, "ERROR: nope\r\n");
  RUN_UNTIL(fx->results->len == 4);
  g_assert_cmpstr(
      fx->results->pdata[0], ==,
      "{\"status\":\"real-time state notification set to ON\",\"lines\":[\"1,CONNECTING,,,,,,\"]}");
  g_assert_cmpstr(fx->results->pdata[1], ==,
                  "{\"error\":\"ovpn3-mgmt-error-quark:1:The 'status' command is not supported by "
                  "the current daemon mode\"}");
  g_assert_cmpstr(fx->results->pdata[2], ==, "{\"lines\":[\"1,CONNECTING,,,,,,\",\"ERROR: x\"]}");
  g_assert_cmpstr(fx->results->pdata[3], ==, "{\"error\":\"ovpn3-mgmt-error-quark:1:nope\"}");
  g_assert_cmpuint(fx->events->len, ==, 1);
  g_assert_cmpint(event_at(fx, 0)->type, ==, OVPN3_MGMT_EVENT_HOLD);
}

static void
test_none_shape(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;

  submit(fx, ovpn3_mgmt_command_version(3), 0, NULL);
  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  l1 = peer_read_line(fx);
  g_assert_cmpstr(l1, ==, "version \"3\"");
  /* No answer for version: pid goes out at once and gets its own answer. */
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "pid");
  peer_write(fx, "SUCCESS: pid=7\r\n");
  RUN_UNTIL(fx->results->len == 2);
  g_assert_cmpstr(fx->results->pdata[0], ==, "{\"lines\":[]}");
  g_assert_cmpstr(fx->results->pdata[1], ==, "{\"status\":\"pid=7\",\"lines\":[]}");
}

static void
test_pkcs11_shape(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;

  submit(fx, ovpn3_mgmt_command_pkcs11_id_count(), 0, NULL);
  submit(fx, ovpn3_mgmt_command_pkcs11_id_get(0), 0, NULL);
  l1 = peer_read_line(fx);
  g_assert_cmpstr(l1, ==, "pkcs11-id-count");
  /* The one response that looks like a notification; others stay events. */
  peer_write(fx, ">STATE:1,WAIT,,,,,,\r\n>PKCS11ID-COUNT:1\r\n");
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "pkcs11-id-get \"0\"");
  peer_write(fx, ">PKCS11ID-ENTRY:'0', ID:'x', BLOB:'y'\r\n");
  RUN_UNTIL(fx->results->len == 2);
  g_assert_cmpstr(fx->results->pdata[0], ==, "{\"status\":\">PKCS11ID-COUNT:1\",\"lines\":[]}");
  g_assert_cmpstr(fx->results->pdata[1], ==,
                  "{\"status\":\">PKCS11ID-ENTRY:'0', ID:'x', BLOB:'y'\",\"lines\":[]}");
  g_assert_cmpuint(fx->events->len, ==, 1);
  g_assert_cmpint(event_at(fx, 0)->type, ==, OVPN3_MGMT_EVENT_STATE);
}

static void
test_timeout(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;

  submit(fx, ovpn3_mgmt_command_pid(), 50, NULL);
  submit(fx, ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_QUERY), 0, NULL);
  l1 = peer_read_line(fx);
  RUN_UNTIL(fx->results->len == 1);
  g_assert_cmpstr(fx->results->pdata[0], ==,
                  "{\"error\":\"g-io-error-quark:24:No answer from openvpn to 'pid'\"}");
  /* The abandoned command still owns the next answer. */
  assert_peer_idle(fx);
  g_assert_cmpuint(ovpn3_mgmt_client_get_queue_length(fx->client), ==, 2);
  peer_write(fx, "SUCCESS: pid=1\r\n");
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "hold");
  peer_write(fx, "SUCCESS: hold=1\r\n");
  RUN_UNTIL(fx->results->len == 2);
  g_assert_cmpstr(fx->results->pdata[1], ==, "{\"status\":\"hold=1\",\"lines\":[]}");
  g_assert_cmpuint(fx->events->len, ==, 0);
}

static void
test_cancel(Fixture *fx, gconstpointer data)
{
  g_autoptr(GCancellable) c1 = g_cancellable_new();
  g_autoptr(GCancellable) c2 = g_cancellable_new();
  g_autoptr(GCancellable) c3 = g_cancellable_new();
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;

  g_cancellable_cancel(c3);
  submit(fx, ovpn3_mgmt_command_pid(), 0, c1);
  submit(fx, ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_QUERY), 0, c2);
  submit(fx, ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_ON), 0, c3);
  l1 = peer_read_line(fx);
  g_assert_cmpstr(l1, ==, "pid");
  /* Cancelled before the write: never sent. After the write: answer absorbed. */
  g_cancellable_cancel(c2);
  g_cancellable_cancel(c1);
  RUN_UNTIL(fx->results->len == 3);
  assert_peer_idle(fx);
  peer_write(fx, "SUCCESS: pid=1\r\n");
  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "pid");
  peer_write(fx, "SUCCESS: pid=2\r\n");
  RUN_UNTIL(fx->results->len == 4);
  g_assert_cmpstr(fx->results->pdata[3], ==, "{\"status\":\"pid=2\",\"lines\":[]}");
  g_assert_cmpuint(fx->events->len, ==, 0);
}

static void
test_eof(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;

  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  l1 = peer_read_line(fx);
  peer_write(fx, ">UPDOWN:DOWN\r\n>UPDOWN:ENV,dev=tun0\r\n>FATAL:bye\r\n");
  shutdown(fx->peer, SHUT_WR);
  RUN_UNTIL(fx->closed);
  g_assert_null(fx->closed_error);
  g_assert_true(ovpn3_mgmt_client_is_closed(fx->client));
  g_assert_cmpuint(fx->results->len, ==, 2);
  g_assert_cmpstr(fx->results->pdata[0], ==,
                  "{\"error\":\"g-io-error-quark:18:Management connection closed\"}");
  /* The interrupted UPDOWN block is reported, then the FATAL line. */
  g_assert_cmpuint(fx->events->len, ==, 2);
  g_assert_cmpint(event_at(fx, 0)->type, ==, OVPN3_MGMT_EVENT_UNKNOWN);
  g_assert_cmpint(event_at(fx, 1)->type, ==, OVPN3_MGMT_EVENT_FATAL);
  /* After close, commands fail at once. */
  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  RUN_UNTIL(fx->results->len == 3);
}

static void
test_pw_login(Fixture *fx, gconstpointer data)
{
  g_autofree gchar *l1 = NULL;
  g_autofree gchar *l2 = NULL;

  peer_write(fx, "ENTER PASSWORD:");
  RUN_UNTIL(fx->events->len == 1);
  g_assert_cmpint(event_at(fx, 0)->type, ==, OVPN3_MGMT_EVENT_PW_PROMPT);
  submit(fx, ovpn3_mgmt_command_login_password("wrong", NULL), 0, NULL);
  l1 = peer_read_line(fx);
  g_assert_cmpstr(l1, ==, "wrong");
  peer_write(fx, "ENTER PASSWORD:");
  RUN_UNTIL(fx->results->len == 1 && fx->events->len == 2);
  g_assert_cmpstr(fx->results->pdata[0], ==,
                  "{\"error\":\"ovpn3-mgmt-error-quark:3:Management password rejected\"}");
  submit(fx, ovpn3_mgmt_command_login_password("s3cret pw", NULL), 0, NULL);
  l2 = peer_read_line(fx);
  g_assert_cmpstr(l2, ==, "s3cret pw");
  peer_write(fx, "SUCCESS: password is correct\r\n>INFO:OpenVPN Management Interface Version 5 -- "
                 "type 'help' for more info\r\n");
  RUN_UNTIL(fx->results->len == 2 && fx->events->len == 3);
  g_assert_cmpstr(fx->results->pdata[1], ==, "{\"status\":\"password is correct\",\"lines\":[]}");
  g_assert_cmpint(event_at(fx, 2)->type, ==, OVPN3_MGMT_EVENT_INFO);
}

static void
test_unsolicited(Fixture *fx, gconstpointer data)
{
  peer_write(fx, "SUCCESS: nobody asked\r\nrandom text\r\nEND\r\n>WHATEVER:x\r\n");
  RUN_UNTIL(fx->events->len == 4);
  g_assert_cmpint(event_at(fx, 0)->type, ==, OVPN3_MGMT_EVENT_UNKNOWN);
  g_assert_cmpstr(event_at(fx, 0)->line, ==, "SUCCESS: nobody asked");
  g_assert_cmpint(event_at(fx, 3)->type, ==, OVPN3_MGMT_EVENT_UNKNOWN);
  g_assert_false(fx->closed);
}

static void
on_event_close(Ovpn3MgmtClient *client, Ovpn3MgmtEvent *event, gpointer user_data)
{
  ovpn3_mgmt_client_close(client);
}

static void
test_close_in_handler(Fixture *fx, gconstpointer data)
{
  g_signal_connect(fx->client, "event", G_CALLBACK(on_event_close), NULL);
  submit(fx, ovpn3_mgmt_command_pid(), 0, NULL);
  peer_write(fx, ">HOLD:Waiting for hold release:0\r\n>INFO:x\r\nSUCCESS: pid=1\r\n");
  RUN_UNTIL(fx->closed);
  /* Nothing is delivered after the close. */
  g_assert_cmpuint(fx->events->len, ==, 1);
  RUN_UNTIL(fx->results->len == 1);
  g_assert_cmpstr(fx->results->pdata[0], ==,
                  "{\"error\":\"g-io-error-quark:18:Management connection closed\"}");
}

/* ---- Transcript replay ------------------------------------------------------------------------ */

/* Splits a recorded command line into verb and unquoted arguments. */
static gchar **
split_command(const char *line, gchar **verb)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
  const char *p = strchr(line, ' ');

  *verb = p ? g_strndup(line, (gsize) (p - line)) : g_strdup(line);
  while (p != NULL && *p == ' ')
    {
      GString *a = g_string_new(NULL);

      p++;
      g_assert_cmpint(*p, ==, '"');
      for (p++; *p != '"'; p++)
        {
          g_assert_cmpint(*p, !=, '\0');
          if (*p == '\\')
            p++;
          g_string_append_c(a, *p);
        }
      p++;
      g_ptr_array_add(args, g_string_free(a, FALSE));
    }
  g_ptr_array_add(args, NULL);
  return (gchar **) g_ptr_array_free(g_steal_pointer(&args), FALSE);
}

static Ovpn3MgmtResponseShape
shape_from_name(const char *name)
{
  if (strcmp(name, "none") == 0)
    return OVPN3_MGMT_RESPONSE_NONE;
  if (strcmp(name, "single") == 0)
    return OVPN3_MGMT_RESPONSE_SINGLE;
  if (strcmp(name, "multi") == 0)
    return OVPN3_MGMT_RESPONSE_MULTI;
  if (strcmp(name, "success_multi") == 0)
    return OVPN3_MGMT_RESPONSE_SUCCESS_MULTI;
  g_error("unknown shape %s", name);
}

static gchar *
render(Fixture *fx)
{
  GString *s = g_string_new(NULL);
  guint i;

  for (i = 0; i < fx->events->len; i++)
    {
      g_autofree gchar *e = mgmt_test_event_to_string(fx->events->pdata[i]);
      g_string_append_printf(s, "event %s\n", e);
    }
  for (i = 0; i < fx->results->len; i++)
    g_string_append_printf(s, "result %s\n", (const char *) fx->results->pdata[i]);
  g_string_append_printf(s, "closed %s\n", fx->closed ? "yes" : "no");
  return g_string_free(s, FALSE);
}

static Ovpn3MgmtEvent *
find_event(Fixture *fx, const char *prefix, guint nth)
{
  guint i;

  for (i = 0; i < fx->events->len; i++)
    {
      Ovpn3MgmtEvent *ev = fx->events->pdata[i];

      if (g_str_has_prefix(ev->line, prefix) && nth-- == 0)
        return ev;
    }
  g_error("no event %s", prefix);
}

/* Hand-written checks of the fields each scenario is about. */
static void
check_scenario(Fixture *fx, const char *name)
{
  Ovpn3MgmtEvent *ev;

  ev = find_event(fx, ">INFO:", 0);
  g_assert_cmpint(ev->type, ==, OVPN3_MGMT_EVENT_INFO);
  ev = find_event(fx, ">HOLD:", 0);
  g_assert_cmpuint(ev->hold_seconds, ==, 0);

  if (strcmp(name, "connect") == 0)
    {
      ev = find_event(fx, ">UPDOWN:UP", 0);
      g_assert_cmpint(ev->type, ==, OVPN3_MGMT_EVENT_UPDOWN);
      g_assert_true(ev->up);
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "route_network_1"), ==, "10.214.0.0");
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "route_netmask_1"), ==, "255.255.0.0");
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "route_ipv6_network_1"), ==, "fd00:214::/64");
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "ifconfig_local"), ==, "10.213.0.2");
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "ifconfig_ipv6_local"), ==, "fd00:213::1000");
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "foreign_option_1"), ==,
                      "dhcp-option DNS 10.213.0.53");
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "foreign_option_2"), ==,
                      "dhcp-option DOMAIN example.test");
      ev = find_event(fx, ">STATE:", 3);
      g_assert_cmpstr(ev->state_name, ==, "CONNECTED");
      g_assert_cmpstr(ev->tun_ip4, ==, "10.213.0.2");
      g_assert_cmpstr(ev->tun_ip6, ==, "fd00:213::1000");
      g_assert_cmpuint(ev->remote_port, ==, 1194);
      ev = find_event(fx, ">BYTECOUNT:", 0);
      g_assert_cmpuint(ev->bytes_in, >, 0);
      ev = find_event(fx, ">UPDOWN:DOWN", 0);
      g_assert_false(ev->up);
      ev = find_event(fx, ">STATE:", 4);
      g_assert_cmpstr(ev->state_detail, ==, "SIGUSR1");
    }
  else if (strcmp(name, "auth-retry") == 0)
    {
      ev = find_event(fx, ">PASSWORD:Verification", 0);
      g_assert_cmpint(ev->password_kind, ==, OVPN3_MGMT_PASSWORD_VERIFY_FAILED);
      g_assert_cmpstr(ev->reason, ==, "bad password, try again");
      ev = find_event(fx, ">HOLD:", 1);
      g_assert_cmpuint(ev->hold_seconds, ==, 1);
    }
  else if (strcmp(name, "static-challenge") == 0)
    {
      ev = find_event(fx, ">PASSWORD:", 0);
      g_assert_true(ev->static_challenge);
      g_assert_cmpuint(ev->sc_flags, ==, 1);
      g_assert_cmpstr(ev->text, ==, "Enter OTP, please");
      ev = find_event(fx, ">NOTIFY:", 0);
      g_assert_cmpstr(ev->notify_type, ==, "server-pushed-halt");
    }
  else if (strcmp(name, "crv1") == 0)
    {
      ev = find_event(fx, ">PASSWORD:Verification", 0);
      g_assert_true(ev->crv1);
      g_assert_cmpstr(ev->crv1_state_id, ==, "state42");
      g_assert_cmpstr(ev->crv1_username, ==, "alice");
      g_assert_cmpstr(ev->flags, ==, "R,E");
      g_assert_cmpstr(ev->text, ==, "Enter PIN (it's 6 digits), ok?");
    }
  else if (strcmp(name, "cr-text") == 0 || strcmp(name, "web-auth") == 0)
    {
      ev = find_event(fx, ">STATE:", 2);
      g_assert_cmpstr(ev->state_name, ==, "AUTH_PENDING");
      g_assert_cmpstr(ev->state_detail, ==, "timeout 30");
      ev = find_event(fx, ">INFOMSG:", 0);
      if (name[0] == 'c')
        {
          g_assert_cmpint(ev->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_CR_TEXT);
          g_assert_cmpstr(ev->text, ==, "Enter your TOTP code");
        }
      else
        {
          g_assert_cmpint(ev->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_WEB_AUTH);
          g_assert_cmpstr(ev->text, ==, "https://auth.example.test/login?session=abc,def");
        }
    }
  else if (strcmp(name, "private-key") == 0)
    {
      ev = find_event(fx, ">PASSWORD:", 0);
      g_assert_cmpint(ev->password_kind, ==, OVPN3_MGMT_PASSWORD_NEED_PASSWORD);
      g_assert_cmpstr(ev->cred_type, ==, "Private Key");
      ev = find_event(fx, ">PASSWORD:Verification", 0);
      g_assert_cmpstr(ev->cred_type, ==, "Private Key");
      g_assert_null(ev->reason);
    }
  else if (strcmp(name, "kill-restart") == 0)
    {
      ev = find_event(fx, ">NOTIFY:", 0);
      g_assert_cmpstr(ev->severity, ==, "info");
      g_assert_cmpstr(ev->notify_type, ==, "server-pushed-connection-reset");
      ev = find_event(fx, ">STATE:", 4);
      g_assert_cmpstr(ev->state_detail, ==, "server-pushed-connection-reset");
      /* SIGTERM in a restart hold */
      ev = fx->events->pdata[fx->events->len - 1];
      g_assert_cmpstr(ev->state_name, ==, "EXITING");
      g_assert_cmpstr(ev->state_detail, ==, "init_instance");
    }
  else if (strcmp(name, "sighup") == 0)
    {
      /* The >LOG line logged while `log off` ran came before its SUCCESS. */
      ev = find_event(fx, ">LOG:", 0);
      g_assert_cmpstr(ev->flags, ==, "D");
      g_assert_cmpstr(ev->text, ==, "MANAGEMENT: CMD 'log \"off\"'");
      g_assert_cmpstr(fx->results->pdata[5], ==,
                      "{\"status\":\"real-time log notification set to OFF\",\"lines\":[]}");
      ev = fx->events->pdata[fx->events->len - 1];
      g_assert_cmpint(ev->type, ==, OVPN3_MGMT_EVENT_HOLD);
      g_assert_cmpuint(ev->hold_seconds, ==, 0);
      ev = find_event(fx, ">UPDOWN:DOWN", 0);
      g_assert_cmpstr(ovpn3_mgmt_event_get_env(ev, "script_context"), ==, "init");
      /* `log on all` history holds the PUSH_REPLY line of real openvpn. */
      {
        g_autoptr(JsonParser) parser = json_parser_new();
        JsonArray *lines;
        gboolean found = FALSE;
        guint j;

        g_assert_true(json_parser_load_from_data(parser, fx->results->pdata[4], -1, NULL));
        lines = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
                                             "lines");
        for (j = 0; j < json_array_get_length(lines); j++)
          {
            g_auto(GStrv) f = g_strsplit(json_array_get_string_element(lines, j), ",", 3);
            g_auto(GStrv) opts = NULL;

            if (g_strv_length(f) != 3 || (opts = ovpn3_mgmt_parse_push_reply(f[2])) == NULL)
              continue;
            found = TRUE;
            g_assert_cmpstr(opts[0], ==, "route 10.214.0.0 255.255.0.0");
            g_assert_true(
                g_strv_contains((const char *const *) opts, "dhcp-option DNS 10.213.0.53"));
          }
        g_assert_true(found);
      }
    }
  else if (strcmp(name, "fatal-prompt") == 0)
    {
      ev = find_event(fx, ">FATAL:", 0);
      g_assert_cmpint(ev->type, ==, OVPN3_MGMT_EVENT_FATAL);
    }
  else if (strcmp(name, "hold") == 0)
    {
      Ovpn3MgmtEvent *last;

      g_assert_true(g_str_has_prefix(fx->results->pdata[4],
                                     "{\"status\":\"real-time state notification set to ON\""));
      g_assert_true(g_str_has_suffix(fx->results->pdata[4], ",CONNECTING,,,,,,\"]}"));
      /* SIGTERM in the start-up hold: EOF with no EXITING state. */
      last = fx->events->pdata[fx->events->len - 1];
      g_assert_cmpint(last->type, ==, OVPN3_MGMT_EVENT_HOLD);
    }
}

static void
test_replay(Fixture *fx, gconstpointer data)
{
  const char *path = data;
  g_autofree gchar *contents = NULL;
  g_autofree gchar *base = g_path_get_basename(path);
  g_autofree gchar *name = g_strndup(base, strlen(base) - strlen(".transcript"));
  g_autofree gchar *expected_path = g_strconcat(name, ".expected", NULL);
  g_autofree gchar *dir = g_path_get_dirname(path);
  g_autofree gchar *expected_file = g_build_filename(dir, expected_path, NULL);
  g_autofree gchar *expected = NULL;
  g_autofree gchar *actual = NULL;
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  guint commands = 0;
  guint i;

  g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
  lines = g_strsplit(contents, "\n", -1);
  for (i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      if (l[0] == '\0' || l[0] == '#')
        continue;
      if (g_str_has_prefix(l, "<? "))
        g_string_append(out, l + 3);
      else if (g_str_has_prefix(l, "< "))
        g_string_append_printf(out, "%s\r\n", l + 2);
      else if (g_str_has_prefix(l, "> "))
        {
          g_auto(GStrv) parts = g_strsplit(l + 2, " ", 2);
          g_autofree gchar *verb = NULL;
          g_auto(GStrv) args = split_command(parts[1], &verb);
          Ovpn3MgmtCommand *cmd;
          g_autofree gchar *sent = NULL;

          peer_write(fx, out->str);
          g_string_truncate(out, 0);
          cmd = ovpn3_mgmt_command_newv(shape_from_name(parts[0]), FALSE, verb,
                                        (const char *const *) args, &error);
          g_assert_no_error(error);
          submit(fx, cmd, 0, NULL);
          commands++;
          /* Our builder renders exactly what the recorder sent to openvpn. */
          sent = peer_read_line(fx);
          g_assert_cmpstr(sent, ==, parts[1]);
        }
      else
        g_error("bad transcript line: %s", l);
    }
  peer_write(fx, out->str);
  /* Every recorded session ends with openvpn closing the connection. */
  shutdown(fx->peer, SHUT_WR);
  RUN_UNTIL(fx->closed);
  g_assert_cmpuint(fx->results->len, ==, commands);

  actual = render(fx);
  if (g_getenv("MGMT_UPDATE_GOLDEN") != NULL)
    {
      g_assert_true(g_file_set_contents(expected_file, actual, -1, &error));
      g_test_message("wrote %s", expected_file);
    }
  g_assert_true(g_file_get_contents(expected_file, &expected, NULL, &error));
  g_assert_cmpstr(actual, ==, expected);
  check_scenario(fx, name);
}

static gint
cmp_path(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

int
main(int argc, char **argv)
{
  const char *data_dir;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
  const char *entry;
  guint i;
  int ret;

  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD("/mgmt/client/single", test_single);
  ADD("/mgmt/client/multi", test_multi);
  ADD("/mgmt/client/none-shape", test_none_shape);
  ADD("/mgmt/client/pkcs11-shape", test_pkcs11_shape);
  ADD("/mgmt/client/timeout", test_timeout);
  ADD("/mgmt/client/cancel", test_cancel);
  ADD("/mgmt/client/eof", test_eof);
  ADD("/mgmt/client/pw-login", test_pw_login);
  ADD("/mgmt/client/unsolicited", test_unsolicited);
  ADD("/mgmt/client/close-in-handler", test_close_in_handler);

  data_dir = g_getenv("MGMT_TEST_DATA");
  g_assert_nonnull(data_dir);
  dir = g_dir_open(data_dir, 0, NULL);
  g_assert_nonnull(dir);
  while ((entry = g_dir_read_name(dir)) != NULL)
    if (g_str_has_suffix(entry, ".transcript"))
      g_ptr_array_add(files, g_build_filename(data_dir, entry, NULL));
  g_ptr_array_sort(files, cmp_path);
  /* The scenarios of docs/openvpn-management.md §5.3 recorded by mgmt-record.py. */
  g_assert_cmpuint(files->len, >=, 11);
  for (i = 0; i < files->len; i++)
    {
      g_autofree gchar *base = g_path_get_basename(files->pdata[i]);
      g_autofree gchar *tpath = g_strdup_printf("/mgmt/replay/%s", base);

      g_test_add(tpath, Fixture, files->pdata[i], fixture_setup, test_replay, fixture_teardown);
    }
  ret = g_test_run();
  return ret;
}
