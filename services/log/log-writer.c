#define G_LOG_DOMAIN "ovpn3-log-writer"

#include "config.h"

#include "log-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <syslog.h>
#include <sys/uio.h>
#include <string.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "ovpn3-names.h"

#define OVPN3_SYSLOG_IDENTIFIER "ovpn3"

/* A copy of the last record written, for collapsing repeats. */
typedef struct
{
  guint group;
  guint category;
  char *message;
  char *service;
  char *bus_name;
  char *object_path;
  char *tag;
  char *session_path;
  char *session_token;
  guint32 sender_pid;
} StoredEvent;

struct _Ovpn3LogWriter
{
  GObject parent_instance;

  Ovpn3LogMethod method;
  int fd; /* file or stderr; -1 for the journal */
  Ovpn3LogSettings settings;

  /* Repeats of the last record within OVPN3_LOG_REPEAT_WINDOW seconds are
   * counted, not written; a summary follows (stays well under
   * journald's rate limit, e.g. a reconnect loop). */
  gboolean have_last;
  StoredEvent last;
  gint64 window_start;
  guint repeats;
  guint flush_id;
};

G_DEFINE_FINAL_TYPE(Ovpn3LogWriter, ovpn3_log_writer, G_TYPE_OBJECT)

static const char *const group_names[] = {
  "UNDEFINED", "MASTERPROC",  "CONFIGMGR", "SESSIONMGR", "BACKENDSTART",
  "LOGGER",    "BACKENDPROC", "CLIENT",    "NETCFG",     "EXTSERVICE",
};

static const char *const category_names[] = {
  "UNDEFINED", "DEBUG", "VERB2", "VERB1", "INFO", "WARN", "ERROR", "CRIT", "FATAL",
};

/* Upstream's texts for O3_LOG_GROUP / O3_LOG_CATEGORY: what `openvpn3-admin
 * journal` parses back (docs/architecture.md §9). */
static const char *const upstream_group_names[] = {
  "[[UNDEFINED]]",         "Master Process",   "Config Manager",          "Session Manager",
  "Backend Starter",       "Logger",           "Backend Session Process", "Client",
  "Network Configuration", "External Service",
};

static const char *const upstream_category_names[] = {
  "[[UNDEFINED]]", "DEBUG",       "VERB2",          "VERB1",           "INFO",
  "WARNING",       "-- ERROR --", "!! CRITICAL !!", "**!! FATAL !!**",
};

static const int category_priorities[] = {
  LOG_NOTICE, LOG_DEBUG, LOG_DEBUG, LOG_INFO, LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT, LOG_ALERT,
};

G_STATIC_ASSERT(G_N_ELEMENTS(group_names) == OVPN3_LOG_GROUP_LAST + 1);
G_STATIC_ASSERT(G_N_ELEMENTS(category_names) == OVPN3_LOG_CATEGORY_LAST + 1);
G_STATIC_ASSERT(G_N_ELEMENTS(category_priorities) == OVPN3_LOG_CATEGORY_LAST + 1);
G_STATIC_ASSERT(G_N_ELEMENTS(upstream_group_names) == OVPN3_LOG_GROUP_LAST + 1);
G_STATIC_ASSERT(G_N_ELEMENTS(upstream_category_names) == OVPN3_LOG_CATEGORY_LAST + 1);

const char *
ovpn3_log_group_name(guint group)
{
  return group < G_N_ELEMENTS(group_names) ? group_names[group] : "UNKNOWN";
}

const char *
ovpn3_log_category_name(guint category)
{
  return category < G_N_ELEMENTS(category_names) ? category_names[category] : "UNKNOWN";
}

int
ovpn3_log_category_priority(guint category)
{
  return category < G_N_ELEMENTS(category_priorities) ? category_priorities[category] : LOG_NOTICE;
}

gboolean
ovpn3_log_method_from_string(const char *name, Ovpn3LogMethod *method)
{
  if (g_strcmp0(name, "journald") == 0)
    *method = OVPN3_LOG_METHOD_JOURNALD;
  else if (g_strcmp0(name, "file") == 0)
    *method = OVPN3_LOG_METHOD_FILE;
  else if (g_strcmp0(name, "stderr") == 0)
    *method = OVPN3_LOG_METHOD_STDERR;
  else
    return FALSE;
  return TRUE;
}

const char *
ovpn3_log_method_to_string(Ovpn3LogMethod method)
{
  switch (method)
    {
      case OVPN3_LOG_METHOD_JOURNALD:
        return "journald";
      case OVPN3_LOG_METHOD_FILE:
        return "file";
      case OVPN3_LOG_METHOD_STDERR:
        return "stderr";
      default:
        return "unknown";
    }
}

static void
stored_event_clear(StoredEvent *stored)
{
  g_clear_pointer(&stored->message, g_free);
  g_clear_pointer(&stored->service, g_free);
  g_clear_pointer(&stored->bus_name, g_free);
  g_clear_pointer(&stored->object_path, g_free);
  g_clear_pointer(&stored->tag, g_free);
  g_clear_pointer(&stored->session_path, g_free);
  g_clear_pointer(&stored->session_token, g_free);
}

static void
stored_event_set(StoredEvent *stored, const Ovpn3LogEvent *event)
{
  stored_event_clear(stored);
  stored->group = event->group;
  stored->category = event->category;
  stored->message = g_strdup(event->message != NULL ? event->message : "");
  stored->service = g_strdup(event->service);
  stored->bus_name = g_strdup(event->bus_name);
  stored->object_path = g_strdup(event->object_path);
  stored->tag = g_strdup(event->tag);
  stored->session_path = g_strdup(event->session_path);
  stored->session_token = g_strdup(event->session_token);
  stored->sender_pid = event->sender_pid;
}

static gboolean
stored_event_equal(const StoredEvent *stored, const Ovpn3LogEvent *event)
{
  return stored->group == event->group && stored->category == event->category
         && g_strcmp0(stored->message, event->message != NULL ? event->message : "") == 0
         && g_strcmp0(stored->service, event->service) == 0
         && g_strcmp0(stored->bus_name, event->bus_name) == 0
         && g_strcmp0(stored->tag, event->tag) == 0
         && g_strcmp0(stored->session_path, event->session_path) == 0
         && g_strcmp0(stored->session_token, event->session_token) == 0;
}

static void write_now(Ovpn3LogWriter *self, const Ovpn3LogEvent *event);

void
ovpn3_log_writer_flush(Ovpn3LogWriter *self)
{
  g_return_if_fail(OVPN3_IS_LOG_WRITER(self));

  g_clear_handle_id(&self->flush_id, g_source_remove);
  if (self->repeats > 0)
    {
      g_autofree char *text = g_strdup_printf("Previous message repeated %u more time%s",
                                              self->repeats, self->repeats == 1 ? "" : "s");
      Ovpn3LogEvent summary = {
        .group = self->last.group,
        .category = self->last.category,
        .message = text,
        .service = self->last.service,
        .bus_name = self->last.bus_name,
        .object_path = self->last.object_path,
        .tag = self->last.tag,
        .session_path = self->last.session_path,
        .session_token = self->last.session_token,
        .sender_pid = self->last.sender_pid,
      };

      self->repeats = 0;
      write_now(self, &summary);
    }
  self->have_last = FALSE;
}

static gboolean
flush_timeout(gpointer user_data)
{
  Ovpn3LogWriter *self = user_data;

  self->flush_id = 0;
  ovpn3_log_writer_flush(self);
  return G_SOURCE_REMOVE;
}

static void
ovpn3_log_writer_finalize(GObject *object)
{
  Ovpn3LogWriter *self = OVPN3_LOG_WRITER(object);

  ovpn3_log_writer_flush(self);
  stored_event_clear(&self->last);

  if (self->method == OVPN3_LOG_METHOD_FILE && self->fd >= 0)
    g_close(self->fd, NULL);

  G_OBJECT_CLASS(ovpn3_log_writer_parent_class)->finalize(object);
}

static void
ovpn3_log_writer_class_init(Ovpn3LogWriterClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_log_writer_finalize;
}

static void
ovpn3_log_writer_init(Ovpn3LogWriter *self)
{
  self->fd = -1;
  ovpn3_log_settings_init(&self->settings);
}

Ovpn3LogWriter *
ovpn3_log_writer_new(Ovpn3LogMethod method, const char *file, GError **error)
{
  g_autoptr(Ovpn3LogWriter) self = g_object_new(OVPN3_TYPE_LOG_WRITER, NULL);

  self->method = method;
  switch (method)
    {
      case OVPN3_LOG_METHOD_JOURNALD:
        break;
      case OVPN3_LOG_METHOD_STDERR:
        self->fd = STDERR_FILENO;
        break;
      case OVPN3_LOG_METHOD_FILE:
        if (file == NULL || *file == '\0')
          {
            g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                "Log method 'file' needs --log-file");
            return NULL;
          }
        self->fd = g_open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
        if (self->fd < 0)
          {
            int saved = errno;

            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                        "Could not open log file %s: %s", file, g_strerror(saved));
            return NULL;
          }
        break;
      default:
        g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Unknown log method");
        return NULL;
    }
  return g_steal_pointer(&self);
}

Ovpn3LogMethod
ovpn3_log_writer_get_method(Ovpn3LogWriter *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_WRITER(self), OVPN3_LOG_METHOD_JOURNALD);
  return self->method;
}

void
ovpn3_log_writer_set_settings(Ovpn3LogWriter *self, const Ovpn3LogSettings *settings)
{
  g_return_if_fail(OVPN3_IS_LOG_WRITER(self));
  self->settings = *settings;
}

/* The message as it appears in every output: optional {tag:N} prefix. */
static char *
format_message(Ovpn3LogWriter *self, const Ovpn3LogEvent *event)
{
  GString *out = g_string_new(NULL);
  const char *message = event->message != NULL ? event->message : "";
  gsize len = strlen(message);

  if (self->settings.log_prefix_logtag && event->tag != NULL)
    g_string_append_printf(out, "{tag:%s} ", event->tag);
  if (len <= OVPN3_LOG_MESSAGE_MAX)
    g_string_append_len(out, message, (gssize) len);
  else
    {
      /* cut at a character boundary (D-Bus strings are valid UTF-8) */
      const char *end = g_utf8_find_prev_char(message, message + OVPN3_LOG_MESSAGE_MAX + 1);

      g_string_append_len(out, message, end != NULL ? end - message : 0);
      g_string_append(out, OVPN3_LOG_TRUNCATED);
    }
  return g_string_free(out, FALSE);
}

static void
add_field(GPtrArray *fields, const char *name, const char *value)
{
  if (value != NULL)
    g_ptr_array_add(fields, g_strconcat(name, "=", value, NULL));
}

/* OpenVPN 3 Linux's own fields (its src/log/logwriters/journald.cpp), so that
 * `openvpn3-admin journal` and upstream's journalctl recipes find our records:
 * a second SYSLOG_IDENTIFIER (journald keeps repeated fields), O3_LOG_SENDER
 * and the sender's bus name, path, interface, PID, tag and token. */
static void
add_upstream_fields(GPtrArray *fields, const Ovpn3LogEvent *event)
{
  add_field(fields, "SYSLOG_IDENTIFIER", OVPN3_LOG_BUS_NAME);
  add_field(fields, "O3_LOG_SENDER", OVPN3_LOG_BUS_NAME);
  add_field(fields, "O3_SENDER", event->bus_name);
  add_field(fields, "O3_OBJECT_PATH", event->object_path);
  add_field(fields, "O3_INTERFACE", event->service);
  if (event->sender_pid > 0)
    g_ptr_array_add(fields, g_strdup_printf("O3_SENDER_PID=%u", event->sender_pid));
  add_field(fields, "O3_LOGTAG", event->tag);
  add_field(fields, "O3_SESSION_TOKEN", event->session_token);
  add_field(fields, "O3_LOG_GROUP",
            event->group < G_N_ELEMENTS(upstream_group_names) ? upstream_group_names[event->group]
                                                              : upstream_group_names[0]);
  add_field(fields, "O3_LOG_CATEGORY",
            event->category < G_N_ELEMENTS(upstream_category_names)
                ? upstream_category_names[event->category]
                : upstream_category_names[0]);
}

static void
write_journal(Ovpn3LogWriter *self, const Ovpn3LogEvent *event, const char *message)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);
  g_autofree struct iovec *iov = NULL;
  int r;

  add_field(fields, "MESSAGE", message);
  g_ptr_array_add(fields,
                  g_strdup_printf("PRIORITY=%d", ovpn3_log_category_priority(event->category)));
  add_field(fields, "SYSLOG_IDENTIFIER", OVPN3_SYSLOG_IDENTIFIER);
  add_field(fields, "OVPN3_LOG_GROUP", ovpn3_log_group_name(event->group));
  add_field(fields, "OVPN3_LOG_CATEGORY", ovpn3_log_category_name(event->category));
  add_field(fields, "OVPN3_SENDER", event->service);
  add_field(fields, "OVPN3_LOG_TAG", event->tag);
  add_field(fields, "OVPN3_SESSION_PATH", event->session_path);
  add_field(fields, "OVPN3_SESSION_TOKEN", event->session_token);
  if (self->settings.log_dbus_details)
    {
      add_field(fields, "OVPN3_DBUS_BUS_NAME", event->bus_name);
      add_field(fields, "OVPN3_DBUS_PATH", event->object_path);
      add_field(fields, "OVPN3_DBUS_INTERFACE", event->service);
    }
  add_upstream_fields(fields, event);

  iov = g_new0(struct iovec, fields->len);
  for (guint i = 0; i < fields->len; i++)
    {
      iov[i].iov_base = g_ptr_array_index(fields, i);
      iov[i].iov_len = strlen(g_ptr_array_index(fields, i));
    }
  r = sd_journal_sendv(iov, (int) fields->len);
  if (r < 0)
    g_debug("sd_journal_sendv failed: %s", g_strerror(-r));
}

/* Control characters would let a sender forge extra lines in a text log. */
static void
append_sanitised(GString *out, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\n')
        g_string_append(out, "\n    ");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_c(out, ' ');
      else
        g_string_append_c(out, (char) c);
    }
}

static void
write_text(Ovpn3LogWriter *self, const Ovpn3LogEvent *event, const char *message)
{
  g_autoptr(GString) line = g_string_new(NULL);
  const char *p;
  gsize left;

  if (self->settings.timestamp)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local();
      g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");

      g_string_append_printf(line, "%s ", stamp);
    }
  g_string_append_printf(line, "[%s] %s", ovpn3_log_group_name(event->group),
                         ovpn3_log_category_name(event->category));
  if (self->settings.log_dbus_details)
    g_string_append_printf(line, " (%s, %s, %s)", event->bus_name ? event->bus_name : "-",
                           event->object_path ? event->object_path : "-",
                           event->service ? event->service : "-");
  if (event->session_path != NULL)
    g_string_append_printf(line, " session=%s", event->session_path);
  g_string_append(line, ": ");
  append_sanitised(line, message);
  g_string_append_c(line, '\n');

  p = line->str;
  left = line->len;
  while (left > 0)
    {
      ssize_t n = write(self->fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      p += n;
      left -= (gsize) n;
    }
}

static void
write_now(Ovpn3LogWriter *self, const Ovpn3LogEvent *event)
{
  g_autofree char *message = format_message(self, event);

  if (self->method == OVPN3_LOG_METHOD_JOURNALD)
    write_journal(self, event, message);
  else
    write_text(self, event, message);
}

void
ovpn3_log_writer_write(Ovpn3LogWriter *self, const Ovpn3LogEvent *event)
{
  gint64 now;

  g_return_if_fail(OVPN3_IS_LOG_WRITER(self));

  now = g_get_monotonic_time();
  if (self->have_last && stored_event_equal(&self->last, event)
      && now - self->window_start < OVPN3_LOG_REPEAT_WINDOW * G_USEC_PER_SEC)
    {
      self->repeats++;
      if (self->flush_id == 0)
        self->flush_id = g_timeout_add_seconds(OVPN3_LOG_REPEAT_WINDOW, flush_timeout, self);
      return;
    }

  ovpn3_log_writer_flush(self);
  write_now(self, event);
  stored_event_set(&self->last, event);
  self->have_last = TRUE;
  self->window_start = now;
}
