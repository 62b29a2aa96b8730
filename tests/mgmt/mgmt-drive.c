#define G_LOG_DOMAIN "ovpn3-mgmt-drive"

#include "config.h"

/* Integration driver: connects the mgmt client library to a real openvpn
 * management socket. stdout: one JSON object per line ({"event":…},
 * {"id":N,"result":…}, {"closed":…}); stdin: one JSON array per line, a
 * command such as ["username","Auth","alice"]. Exits when openvpn closes the
 * connection. */

#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "mgmt-test-util.h"

typedef struct
{
  GMainLoop *loop;
  Ovpn3MgmtClient *client;
  GDataInputStream *stdin_data;
  GCancellable *cancellable;
  guint next_id;
  int exit_code;
} Driver;

typedef struct
{
  Driver *d;
  guint id;
  gboolean is_status;
} CmdCtx;

static void
print_line(const char *s)
{
  fputs(s, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

static void
on_event(Ovpn3MgmtClient *client, Ovpn3MgmtEvent *event, gpointer user_data)
{
  g_autofree gchar *ev = mgmt_test_event_to_string(event);
  g_autofree gchar *line = g_strdup_printf("{\"event\":%s}", ev);

  print_line(line);
}

static void
on_closed(Ovpn3MgmtClient *client, GError *error, gpointer user_data)
{
  Driver *d = user_data;
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonNode) node = NULL;
  g_autofree gchar *s = NULL;

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "closed");
  json_builder_add_string_value(b, error ? error->message : "eof");
  json_builder_end_object(b);
  node = json_builder_get_root(b);
  s = json_to_string(node, FALSE);
  print_line(s);
  g_main_loop_quit(d->loop);
}

static void
print_result(guint id, const char *result, const char *extra)
{
  g_autofree gchar *line
      = g_strdup_printf("{\"id\":%u,\"result\":%s%s}", id, result, extra ? extra : "");

  print_line(line);
}

static void
on_command_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  CmdCtx *ctx = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3MgmtResponse) resp = NULL;
  g_autofree gchar *s = NULL;
  g_autofree gchar *extra = NULL;

  resp = ovpn3_mgmt_client_command_finish(OVPN3_MGMT_CLIENT(source), result, &error);
  s = mgmt_test_result_to_string(resp, error);
  if (resp != NULL && ctx->is_status)
    {
      Ovpn3MgmtStatus st;
      gboolean ok = ovpn3_mgmt_parse_status((const char *const *) resp->lines, &st);

      extra = g_strdup_printf(
          ",\"status_parsed\":{\"valid\":%s,\"tun_read_bytes\":%" G_GUINT64_FORMAT
          ",\"tun_write_bytes\":%" G_GUINT64_FORMAT ",\"link_read_bytes\":%" G_GUINT64_FORMAT
          ",\"link_write_bytes\":%" G_GUINT64_FORMAT ",\"auth_read_bytes\":%" G_GUINT64_FORMAT "}",
          ok ? "true" : "false", st.tun_read_bytes, st.tun_write_bytes, st.link_read_bytes,
          st.link_write_bytes, st.auth_read_bytes);
    }
  print_result(ctx->id, s, extra);
  g_free(ctx);
}

static const char *
arg(JsonArray *a, guint i)
{
  if (i >= json_array_get_length(a))
    return NULL;
  return json_array_get_string_element(a, i);
}

static guint
uarg(JsonArray *a, guint i)
{
  const char *s = arg(a, i);

  return s ? (guint) g_ascii_strtoull(s, NULL, 10) : 0;
}

/* Arguments from index i on, joined with spaces ("on all"). */
static gchar *
rest_args(JsonArray *a, guint i)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new();

  for (; i < json_array_get_length(a); i++)
    g_ptr_array_add(parts, (gpointer) json_array_get_string_element(a, i));
  if (parts->len == 0)
    return NULL;
  g_ptr_array_add(parts, NULL);
  return g_strjoinv(" ", (gchar **) parts->pdata);
}

/* state|log|echo [on|off|all|on all|<n>] */
static Ovpn3MgmtCommand *
build_realtime(const char *op, JsonArray *a, GError **error)
{
  Ovpn3MgmtStream stream = op[0] == 's'   ? OVPN3_MGMT_STREAM_STATE
                           : op[0] == 'l' ? OVPN3_MGMT_STREAM_LOG
                                          : OVPN3_MGMT_STREAM_ECHO;
  g_autofree gchar *r = rest_args(a, 1);
  Ovpn3MgmtRealtime mode;
  guint64 n;

  if (r == NULL && stream == OVPN3_MGMT_STREAM_STATE)
    return ovpn3_mgmt_command_state_query();
  if (ovpn3_mgmt_realtime_from_name(r, &mode))
    return ovpn3_mgmt_command_realtime(stream, mode);
  if (r != NULL && g_ascii_string_to_unsigned(r, 10, 0, G_MAXINT, &n, NULL))
    return ovpn3_mgmt_command_history(stream, (guint) n);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid %s argument", op);
  return NULL;
}

static Ovpn3MgmtCommand *
build(JsonArray *a, gboolean *is_status, GError **error)
{
  const char *op = arg(a, 0);

  *is_status = FALSE;
  if (op == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "empty command");
      return NULL;
    }
  if (strcmp(op, "hold") == 0)
    {
      const char *x = arg(a, 1);
      Ovpn3MgmtHoldAction act = OVPN3_MGMT_HOLD_QUERY;

      if (g_strcmp0(x, "release") == 0)
        act = OVPN3_MGMT_HOLD_RELEASE;
      else if (g_strcmp0(x, "on") == 0)
        act = OVPN3_MGMT_HOLD_ON;
      else if (g_strcmp0(x, "off") == 0)
        act = OVPN3_MGMT_HOLD_OFF;
      return ovpn3_mgmt_command_hold(act);
    }
  if (strcmp(op, "username") == 0)
    return ovpn3_mgmt_command_username(arg(a, 1), arg(a, 2), error);
  if (strcmp(op, "password") == 0)
    return ovpn3_mgmt_command_password(arg(a, 1), arg(a, 2), error);
  if (strcmp(op, "static_challenge") == 0)
    return ovpn3_mgmt_command_static_challenge(arg(a, 1), arg(a, 2), arg(a, 3), error);
  if (strcmp(op, "crv1") == 0)
    return ovpn3_mgmt_command_crv1_response(arg(a, 1), arg(a, 2), error);
  if (strcmp(op, "cr_response") == 0)
    return ovpn3_mgmt_command_cr_response(arg(a, 1), error);
  if (strcmp(op, "signal") == 0)
    {
      Ovpn3MgmtSignal sig;

      if (ovpn3_mgmt_signal_from_name(arg(a, 1), &sig))
        return ovpn3_mgmt_command_signal(sig);
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown signal");
      return NULL;
    }
  if (strcmp(op, "state") == 0 || strcmp(op, "log") == 0 || strcmp(op, "echo") == 0)
    return build_realtime(op, a, error);
  if (strcmp(op, "bytecount") == 0)
    return ovpn3_mgmt_command_bytecount(uarg(a, 1));
  if (strcmp(op, "status") == 0)
    {
      *is_status = TRUE;
      return ovpn3_mgmt_command_status();
    }
  if (strcmp(op, "pid") == 0)
    return ovpn3_mgmt_command_pid();
  if (strcmp(op, "version") == 0)
    return ovpn3_mgmt_command_version(uarg(a, 1));
  if (strcmp(op, "exit") == 0)
    return ovpn3_mgmt_command_exit();
  if (strcmp(op, "forget_passwords") == 0)
    return ovpn3_mgmt_command_forget_passwords();
  if (strcmp(op, "needok") == 0)
    return ovpn3_mgmt_command_needok(arg(a, 1), g_strcmp0(arg(a, 2), "ok") == 0, error);
  if (strcmp(op, "needstr") == 0)
    return ovpn3_mgmt_command_needstr(arg(a, 1), arg(a, 2), error);
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "unknown op %s", op);
  return NULL;
}

static void read_next(Driver *d);

static void
on_stdin_line(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Driver *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree gchar *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new();
  Ovpn3MgmtCommand *cmd;
  gboolean is_status = FALSE;
  CmdCtx *ctx;
  guint id;

  line = g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), result, NULL,
                                                   &error);
  if (line == NULL)
    return; /* stdin closed or cancelled: keep running until openvpn closes */

  id = ++d->next_id;
  if (!json_parser_load_from_data(parser, line, -1, &error)
      || !JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser)))
    {
      g_printerr("bad command line: %s\n", line);
      d->exit_code = 2;
      g_main_loop_quit(d->loop);
      return;
    }
  if (g_strcmp0(arg(json_node_get_array(json_parser_get_root(parser)), 0), "close") == 0)
    {
      print_result(id, "{\"lines\":[]}", NULL);
      ovpn3_mgmt_client_close(d->client);
      return;
    }
  cmd = build(json_node_get_array(json_parser_get_root(parser)), &is_status, &error);
  if (cmd == NULL)
    {
      g_autofree gchar *s = mgmt_test_result_to_string(NULL, error);
      print_result(id, s, NULL);
    }
  else
    {
      ctx = g_new0(CmdCtx, 1);
      ctx->d = d;
      ctx->id = id;
      ctx->is_status = is_status;
      ovpn3_mgmt_client_command_async(d->client, cmd, 10000, NULL, on_command_done, ctx);
    }
  read_next(d);
}

static void
read_next(Driver *d)
{
  g_data_input_stream_read_line_async(d->stdin_data, G_PRIORITY_DEFAULT, d->cancellable,
                                      on_stdin_line, d);
}

static void
on_accepted(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Driver *d = user_data;
  g_autoptr(GError) error = NULL;

  d->client = ovpn3_mgmt_client_accept_finish(result, &error);
  if (d->client == NULL)
    {
      g_printerr("accept: %s\n", error->message);
      d->exit_code = 1;
    }
  g_main_loop_quit(d->loop);
}

int
main(int argc, char **argv)
{
  Driver d = { 0 };
  g_autoptr(GSocketClient) sc = g_socket_client_new();
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GInputStream) in = NULL;
  gboolean listen = FALSE;
  const char *path;
  int i;

  if (argc == 3 && strcmp(argv[1], "--listen") == 0)
    listen = TRUE;
  else if (argc != 2)
    {
      g_printerr("usage: %s [--listen] <management socket>\n", argv[0]);
      return 2;
    }
  path = argv[argc - 1];
  addr = g_unix_socket_address_new(path);
  d.loop = g_main_loop_new(NULL, FALSE);

  if (listen)
    {
      /* --management-client: openvpn connects to us. */
      g_autoptr(GSocketListener) listener = g_socket_listener_new();

      if (!g_socket_listener_add_address(listener, addr, G_SOCKET_TYPE_STREAM,
                                         G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, &error))
        {
          g_printerr("listen %s: %s\n", path, error->message);
          return 1;
        }
      print_line("{\"listening\":true}");
      ovpn3_mgmt_client_accept_async(listener, NULL, on_accepted, &d);
      g_main_loop_run(d.loop);
      g_socket_listener_close(listener);
      unlink(path);
      if (d.client == NULL)
        return 1;
    }
  else
    {
      /* openvpn creates the socket shortly after it starts. */
      for (i = 0; i < 200 && conn == NULL; i++)
        {
          g_clear_error(&error);
          conn = g_socket_client_connect(sc, G_SOCKET_CONNECTABLE(addr), NULL, &error);
          if (conn == NULL)
            g_usleep(50 * 1000);
        }
      if (conn == NULL)
        {
          g_printerr("connect %s: %s\n", path, error->message);
          return 1;
        }
      d.client = ovpn3_mgmt_client_new(G_IO_STREAM(conn));
    }

  d.cancellable = g_cancellable_new();
  g_signal_connect(d.client, "event", G_CALLBACK(on_event), &d);
  g_signal_connect(d.client, "closed", G_CALLBACK(on_closed), &d);
  in = g_unix_input_stream_new(0, FALSE);
  d.stdin_data = g_data_input_stream_new(in);
  ovpn3_mgmt_client_start(d.client);
  read_next(&d);
  g_main_loop_run(d.loop);

  g_cancellable_cancel(d.cancellable);
  ovpn3_mgmt_client_close(d.client);
  g_clear_object(&d.client);
  g_clear_object(&d.stdin_data);
  g_clear_object(&d.cancellable);
  g_main_loop_unref(d.loop);
  return d.exit_code;
}
