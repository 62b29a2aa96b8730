#define G_LOG_DOMAIN "ovpn3-mgmt-client"

#include "config.h"

#include <string.h>

#include <gio/gunixsocketaddress.h>

#include "ovpn3-mgmt-client.h"

#define READ_CHUNK 4096

typedef struct
{
  Ovpn3MgmtClient *self; /* not a ref: the client owns the queue */
  GTask *task;           /* NULL once returned early (timeout/cancel): abandoned */
  Ovpn3MgmtCommand *cmd;
  gboolean written;
  gboolean got_success;
  GPtrArray *lines;
  gchar *status;
  GSource *timeout_source;
  GSource *cancel_source;
} Pending;

struct _Ovpn3MgmtClient
{
  GObject parent_instance;

  GIOStream *stream;
  GInputStream *in;
  GOutputStream *out;
  GCancellable *cancellable;
  Ovpn3MgmtLineReader reader;
  Ovpn3MgmtParser *parser;
  GQueue queue; /* Pending*, FIFO; only the head is ever written */
  guint8 *read_buf;
  gboolean started;
  gboolean reading;
  gboolean writing;
  gboolean closed;
};

enum
{
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE(Ovpn3MgmtClient, ovpn3_mgmt_client, G_TYPE_OBJECT)

static void process_queue(Ovpn3MgmtClient *self);
static void shutdown_client(Ovpn3MgmtClient *self, const GError *error, gboolean emit);

void
ovpn3_mgmt_response_free(Ovpn3MgmtResponse *response)
{
  if (response == NULL)
    return;
  g_free(response->status);
  g_strfreev(response->lines);
  g_free(response);
}

static void
pending_free(Pending *p)
{
  if (p->timeout_source != NULL)
    {
      g_source_destroy(p->timeout_source);
      g_source_unref(p->timeout_source);
    }
  if (p->cancel_source != NULL)
    {
      g_source_destroy(p->cancel_source);
      g_source_unref(p->cancel_source);
    }
  g_clear_object(&p->task);
  ovpn3_mgmt_command_free(p->cmd);
  g_ptr_array_unref(p->lines);
  g_free(p->status);
  g_free(p);
}

/* ---- Completion ---------------------------------------------------------------- */

/* Removes p from the queue, returns its task (if not abandoned) and frees it. */
static void
pending_complete(Ovpn3MgmtClient *self, Pending *p, GError *error)
{
  GTask *task = g_steal_pointer(&p->task);

  g_queue_remove(&self->queue, p);
  if (task != NULL)
    {
      if (error != NULL)
        g_task_return_error(task, error);
      else
        {
          Ovpn3MgmtResponse *resp = g_new0(Ovpn3MgmtResponse, 1);

          resp->status = g_steal_pointer(&p->status);
          g_ptr_array_add(p->lines, NULL);
          resp->lines = (GStrv) g_ptr_array_steal(p->lines, NULL);
          g_task_return_pointer(task, resp, (GDestroyNotify) ovpn3_mgmt_response_free);
        }
      g_object_unref(task);
    }
  else if (error != NULL)
    {
      g_debug("Late answer to abandoned command '%s': %s", ovpn3_mgmt_command_describe(p->cmd),
              error->message);
      g_error_free(error);
    }
  pending_free(p);
}

/* Returns the task early but keeps the entry if openvpn still owes an answer. */
static void
pending_abandon(Ovpn3MgmtClient *self, Pending *p, GError *error)
{
  GTask *task;

  if (!p->written)
    {
      pending_complete(self, p, error);
      process_queue(self);
      return;
    }
  task = g_steal_pointer(&p->task);
  if (task != NULL)
    {
      g_task_return_error(task, error);
      g_object_unref(task);
    }
  else
    g_error_free(error);
}

static gboolean
on_timeout(gpointer user_data)
{
  Pending *p = user_data;
  Ovpn3MgmtClient *self = g_object_ref(p->self);

  g_clear_pointer(&p->timeout_source, g_source_unref);
  g_debug("Command '%s' timed out", ovpn3_mgmt_command_describe(p->cmd));
  pending_abandon(self, p,
                  g_error_new(G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "No answer from openvpn to '%s'",
                              ovpn3_mgmt_command_describe(p->cmd)));
  g_object_unref(self);
  return G_SOURCE_REMOVE;
}

static gboolean
on_cancelled(GCancellable *cancellable, gpointer user_data)
{
  Pending *p = user_data;
  Ovpn3MgmtClient *self = g_object_ref(p->self);

  g_clear_pointer(&p->cancel_source, g_source_unref);
  pending_abandon(self, p,
                  g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
  g_object_unref(self);
  return G_SOURCE_REMOVE;
}

/* ---- Writing -------------------------------------------------------------------- */

typedef struct
{
  Ovpn3MgmtClient *self; /* ref */
  gchar *buf;            /* private copy: the entry may be gone before we finish */
  gsize len;
} WriteOp;

static void
on_written(GObject *source, GAsyncResult *result, gpointer user_data)
{
  WriteOp *op = user_data;
  Ovpn3MgmtClient *self = op->self;
  g_autoptr(GError) error = NULL;
  Pending *head;

  g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error);
  /* Secrets never outlive the write. */
  explicit_bzero(op->buf, op->len);
  g_free(op->buf);
  g_free(op);

  self->writing = FALSE;
  if (error != NULL)
    {
      if (!self->closed)
        shutdown_client(self, error, TRUE);
      g_object_unref(self);
      return;
    }

  head = g_queue_peek_head(&self->queue);
  if (head != NULL && head->written
      && ovpn3_mgmt_command_get_shape(head->cmd) == OVPN3_MGMT_RESPONSE_NONE)
    pending_complete(self, head, NULL);
  process_queue(self);
  g_object_unref(self);
}

static void
process_queue(Ovpn3MgmtClient *self)
{
  Pending *head;
  WriteOp *op;

  if (self->closed || self->writing || !self->started)
    return;
  head = g_queue_peek_head(&self->queue);
  if (head == NULL || head->written)
    return;

  op = g_new0(WriteOp, 1);
  op->self = g_object_ref(self);
  op->len = ovpn3_mgmt_command_get_length(head->cmd);
  op->buf = g_memdup2(ovpn3_mgmt_command_get_line(head->cmd), op->len);
  /* The queue entry keeps no copy of a secret once it is handed to the writer. */
  if (ovpn3_mgmt_command_is_secret(head->cmd))
    ovpn3_mgmt_command_wipe(head->cmd);
  head->written = TRUE;
  self->writing = TRUE;
  g_debug("> %s", ovpn3_mgmt_command_describe(head->cmd));
  g_output_stream_write_all_async(self->out, op->buf, op->len, G_PRIORITY_DEFAULT,
                                  self->cancellable, on_written, op);
}

/* ---- Reading --------------------------------------------------------------------- */

static void
emit_event(Ovpn3MgmtClient *self, Ovpn3MgmtEvent *event)
{
  g_signal_emit(self, signals[SIGNAL_EVENT], 0, event);
}

static void
emit_unknown(Ovpn3MgmtClient *self, const char *line)
{
  g_autoptr(Ovpn3MgmtEvent) ev = ovpn3_mgmt_event_new(OVPN3_MGMT_EVENT_UNKNOWN, line);

  ev->text = g_strdup(line);
  emit_event(self, ev);
}

static GError *
command_error(const char *line)
{
  return g_error_new_literal(OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_COMMAND_FAILED,
                             ovpn3_mgmt_line_response_text(line));
}

static void
handle_response(Ovpn3MgmtClient *self, const char *line, Ovpn3MgmtLineKind kind)
{
  Pending *head = g_queue_peek_head(&self->queue);

  if (head == NULL || !head->written)
    {
      emit_unknown(self, line);
      return;
    }

  switch (ovpn3_mgmt_command_get_shape(head->cmd))
    {
      case OVPN3_MGMT_RESPONSE_SINGLE:
      case OVPN3_MGMT_RESPONSE_PW_LOGIN:
        if (kind == OVPN3_MGMT_LINE_SUCCESS)
          {
            head->status = g_strdup(ovpn3_mgmt_line_response_text(line));
            pending_complete(self, head, NULL);
          }
        else if (kind == OVPN3_MGMT_LINE_ERROR)
          pending_complete(self, head, command_error(line));
        else
          emit_unknown(self, line);
        return;

      case OVPN3_MGMT_RESPONSE_SUCCESS_MULTI:
        if (!head->got_success)
          {
            if (kind == OVPN3_MGMT_LINE_SUCCESS)
              {
                head->got_success = TRUE;
                head->status = g_strdup(ovpn3_mgmt_line_response_text(line));
              }
            else if (kind == OVPN3_MGMT_LINE_ERROR)
              pending_complete(self, head, command_error(line));
            else
              emit_unknown(self, line);
            return;
          }
        G_GNUC_FALLTHROUGH;
      case OVPN3_MGMT_RESPONSE_MULTI:
        if (kind == OVPN3_MGMT_LINE_END)
          pending_complete(self, head, NULL);
        else if (kind == OVPN3_MGMT_LINE_ERROR && head->lines->len == 0 && !head->got_success)
          pending_complete(self, head, command_error(line));
        else
          g_ptr_array_add(head->lines, g_strdup(line));
        return;

      case OVPN3_MGMT_RESPONSE_PKCS11:
        if (kind == OVPN3_MGMT_LINE_ERROR)
          pending_complete(self, head, command_error(line));
        else
          emit_unknown(self, line);
        return;

      case OVPN3_MGMT_RESPONSE_NONE:
        emit_unknown(self, line);
        return;
    }
}

static void
on_line(const char *line, gboolean unterminated, gboolean too_long, gpointer user_data)
{
  Ovpn3MgmtClient *self = user_data;
  Ovpn3MgmtLineKind kind;
  Pending *head;
  Ovpn3MgmtEvent *ev;

  if (self->closed)
    return;
  if (too_long)
    {
      emit_unknown(self, line);
      return;
    }

  head = g_queue_peek_head(&self->queue);
  if (unterminated)
    {
      if (head != NULL && head->written
          && ovpn3_mgmt_command_get_shape(head->cmd) == OVPN3_MGMT_RESPONSE_PW_LOGIN)
        pending_complete(self, head,
                         g_error_new_literal(OVPN3_MGMT_ERROR, OVPN3_MGMT_ERROR_PASSWORD_REJECTED,
                                             "Management password rejected"));
      if (!self->closed)
        {
          g_autoptr(Ovpn3MgmtEvent) prompt = ovpn3_mgmt_event_parse_line(line);
          emit_event(self, prompt);
        }
      return;
    }

  kind = ovpn3_mgmt_line_classify(line);
  if (kind == OVPN3_MGMT_LINE_NOTIFICATION || ovpn3_mgmt_parser_in_block(self->parser))
    {
      /* pkcs11-id-* answer with a '>' line: the only '>' responses. */
      if (head != NULL && head->written
          && ovpn3_mgmt_command_get_shape(head->cmd) == OVPN3_MGMT_RESPONSE_PKCS11
          && g_str_has_prefix(line, ">PKCS11ID-"))
        {
          head->status = g_strdup(line);
          pending_complete(self, head, NULL);
          return;
        }
      ovpn3_mgmt_parser_feed(self->parser, line);
      while (!self->closed && (ev = ovpn3_mgmt_parser_pop(self->parser)) != NULL)
        {
          emit_event(self, ev);
          ovpn3_mgmt_event_unref(ev);
        }
      return;
    }

  handle_response(self, line, kind);
}

static void start_read(Ovpn3MgmtClient *self);

static void
on_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ovpn3MgmtClient *self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);
  self->reading = FALSE;
  if (self->closed)
    {
      g_object_unref(self);
      return;
    }
  if (n < 0)
    shutdown_client(self, error, TRUE);
  else if (n == 0)
    shutdown_client(self, NULL, TRUE);
  else
    {
      ovpn3_mgmt_line_reader_feed(&self->reader, self->read_buf, (gsize) n, on_line, self);
      explicit_bzero(self->read_buf, (gsize) n);
      process_queue(self);
      start_read(self);
    }
  g_object_unref(self);
}

static void
start_read(Ovpn3MgmtClient *self)
{
  if (self->closed || self->reading)
    return;
  self->reading = TRUE;
  g_input_stream_read_async(self->in, self->read_buf, READ_CHUNK, G_PRIORITY_DEFAULT,
                            self->cancellable, on_read, g_object_ref(self));
}

/* ---- Lifecycle ------------------------------------------------------------------- */

static void
shutdown_client(Ovpn3MgmtClient *self, const GError *error, gboolean emit)
{
  Pending *p;

  if (self->closed)
    return;
  g_object_ref(self);
  self->closed = TRUE;
  g_cancellable_cancel(self->cancellable);
  if (ovpn3_mgmt_parser_reset(self->parser))
    g_debug("Connection closed inside an >UPDOWN block");
  while ((p = g_queue_peek_head(&self->queue)) != NULL)
    pending_complete(
        self, p,
        g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CLOSED, "Management connection closed"));
  if (self->stream != NULL)
    g_io_stream_close(self->stream, NULL, NULL);
  if (emit)
    g_signal_emit(self, signals[SIGNAL_CLOSED], 0, error);
  g_object_unref(self);
}

static void
ovpn3_mgmt_client_dispose(GObject *object)
{
  Ovpn3MgmtClient *self = OVPN3_MGMT_CLIENT(object);

  shutdown_client(self, NULL, FALSE);
  G_OBJECT_CLASS(ovpn3_mgmt_client_parent_class)->dispose(object);
}

static void
ovpn3_mgmt_client_finalize(GObject *object)
{
  Ovpn3MgmtClient *self = OVPN3_MGMT_CLIENT(object);

  g_clear_object(&self->stream);
  g_clear_object(&self->cancellable);
  ovpn3_mgmt_line_reader_clear(&self->reader);
  g_clear_pointer(&self->parser, ovpn3_mgmt_parser_free);
  g_free(self->read_buf);
  G_OBJECT_CLASS(ovpn3_mgmt_client_parent_class)->finalize(object);
}

static void
ovpn3_mgmt_client_class_init(Ovpn3MgmtClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = ovpn3_mgmt_client_dispose;
  object_class->finalize = ovpn3_mgmt_client_finalize;

  signals[SIGNAL_EVENT]
      = g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                     G_TYPE_NONE, 1, OVPN3_TYPE_MGMT_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_CLOSED]
      = g_signal_new("closed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                     G_TYPE_NONE, 1, G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ovpn3_mgmt_client_init(Ovpn3MgmtClient *self)
{
  self->cancellable = g_cancellable_new();
  self->parser = ovpn3_mgmt_parser_new();
  self->read_buf = g_malloc(READ_CHUNK);
  ovpn3_mgmt_line_reader_init(&self->reader);
  g_queue_init(&self->queue);
}

Ovpn3MgmtClient *
ovpn3_mgmt_client_new(GIOStream *stream)
{
  Ovpn3MgmtClient *self;

  g_return_val_if_fail(G_IS_IO_STREAM(stream), NULL);
  self = g_object_new(OVPN3_TYPE_MGMT_CLIENT, NULL);
  self->stream = g_object_ref(stream);
  self->in = g_io_stream_get_input_stream(stream);
  self->out = g_io_stream_get_output_stream(stream);
  return self;
}

void
ovpn3_mgmt_client_start(Ovpn3MgmtClient *self)
{
  g_return_if_fail(OVPN3_IS_MGMT_CLIENT(self));
  if (self->started)
    return;
  self->started = TRUE;
  start_read(self);
  process_queue(self);
}

void
ovpn3_mgmt_client_close(Ovpn3MgmtClient *self)
{
  g_return_if_fail(OVPN3_IS_MGMT_CLIENT(self));
  shutdown_client(self, NULL, TRUE);
}

gboolean
ovpn3_mgmt_client_is_closed(Ovpn3MgmtClient *self)
{
  g_return_val_if_fail(OVPN3_IS_MGMT_CLIENT(self), TRUE);
  return self->closed;
}

guint
ovpn3_mgmt_client_get_queue_length(Ovpn3MgmtClient *self)
{
  g_return_val_if_fail(OVPN3_IS_MGMT_CLIENT(self), 0);
  return self->queue.length;
}

/* ---- Commands --------------------------------------------------------------------- */

void
ovpn3_mgmt_client_command_async(Ovpn3MgmtClient *self, Ovpn3MgmtCommand *cmd, guint timeout_ms,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  Pending *p;

  g_return_if_fail(OVPN3_IS_MGMT_CLIENT(self));
  g_return_if_fail(cmd != NULL);

  task = g_task_new(self, cancellable, callback, user_data);
  g_task_set_source_tag(task, ovpn3_mgmt_client_command_async);

  if (self->closed)
    {
      ovpn3_mgmt_command_free(cmd);
      g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CLOSED, "Management connection closed");
      return;
    }
  if (g_cancellable_is_cancelled(cancellable))
    {
      ovpn3_mgmt_command_free(cmd);
      g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
      return;
    }

  p = g_new0(Pending, 1);
  p->self = self;
  p->task = g_steal_pointer(&task);
  p->cmd = cmd;
  p->lines = g_ptr_array_new_with_free_func(g_free);
  if (timeout_ms > 0)
    {
      p->timeout_source = g_timeout_source_new(timeout_ms);
      g_source_set_callback(p->timeout_source, on_timeout, p, NULL);
      g_source_attach(p->timeout_source, g_task_get_context(p->task));
    }
  if (cancellable != NULL)
    {
      p->cancel_source = g_cancellable_source_new(cancellable);
      g_source_set_callback(p->cancel_source, G_SOURCE_FUNC(on_cancelled), p, NULL);
      g_source_attach(p->cancel_source, g_task_get_context(p->task));
    }
  g_queue_push_tail(&self->queue, p);
  process_queue(self);
}

Ovpn3MgmtResponse *
ovpn3_mgmt_client_command_finish(Ovpn3MgmtClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* Ends a connect or accept task: a client on conn, or the error. */
static void
return_client(GTask *task, GSocketConnection *conn, GError **error)
{
  if (conn == NULL)
    g_task_return_error(task, g_steal_pointer(error));
  else
    g_task_return_pointer(task, ovpn3_mgmt_client_new(G_IO_STREAM(conn)), g_object_unref);
}

static Ovpn3MgmtClient *
client_task_finish(GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, NULL), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

static void
on_unix_connected(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn
      = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &error);

  return_client(task, conn, &error);
}

void
ovpn3_mgmt_client_connect_unix_async(const char *path, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new();
  g_autoptr(GSocketAddress) address = NULL;
  GTask *task;

  g_return_if_fail(path != NULL);
  task = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_source_tag(task, ovpn3_mgmt_client_connect_unix_async);
  address = g_unix_socket_address_new(path);
  g_socket_client_connect_async(client, G_SOCKET_CONNECTABLE(address), cancellable,
                                on_unix_connected, task);
}

Ovpn3MgmtClient *
ovpn3_mgmt_client_connect_unix_finish(GAsyncResult *result, GError **error)
{
  return client_task_finish(result, error);
}

static void
on_accepted(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn
      = g_socket_listener_accept_finish(G_SOCKET_LISTENER(source), result, NULL, &error);

  return_client(task, conn, &error);
}

void
ovpn3_mgmt_client_accept_async(GSocketListener *listener, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task;

  g_return_if_fail(G_IS_SOCKET_LISTENER(listener));
  task = g_task_new(NULL, cancellable, callback, user_data);
  g_task_set_source_tag(task, ovpn3_mgmt_client_accept_async);
  g_socket_listener_accept_async(listener, cancellable, on_accepted, task);
}

Ovpn3MgmtClient *
ovpn3_mgmt_client_accept_finish(GAsyncResult *result, GError **error)
{
  return client_task_finish(result, error);
}
