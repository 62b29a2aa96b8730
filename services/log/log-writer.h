/* log-writer.h — where the log service writes what it receives: the
 * systemd journal (structured fields), a file, or stderr.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "log-settings.h"

G_BEGIN_DECLS

typedef enum
{
  OVPN3_LOG_METHOD_JOURNALD = 0,
  OVPN3_LOG_METHOD_FILE = 1,
  OVPN3_LOG_METHOD_STDERR = 2,
} Ovpn3LogMethod;

/* "journald", "file", "stderr"; FALSE for anything else. */
gboolean ovpn3_log_method_from_string(const char *name, Ovpn3LogMethod *method);
const char *ovpn3_log_method_to_string(Ovpn3LogMethod method);

/* Longer messages are cut to this many bytes and get OVPN3_LOG_TRUNCATED
 * appended. */
#define OVPN3_LOG_MESSAGE_MAX (16 * 1024)
#define OVPN3_LOG_TRUNCATED   " [truncated]"

/* Identical records within this many seconds are written once, followed
 * by "Previous message repeated N more times". */
#define OVPN3_LOG_REPEAT_WINDOW 30

/* One record. Only group, category and message are required. */
typedef struct
{
  guint group;    /* Ovpn3LogGroup */
  guint category; /* Ovpn3LogCategory */
  const char *message;
  const char *service;  /* interface of the sender, e.g. net.openvpn.v3.backends */
  const char *bus_name; /* unique name of the sender */
  const char *object_path;
  const char *tag; /* log tag hash (decimal) */
  const char *session_path;
  const char *session_token;
  guint32 sender_pid; /* the sender's PID when known, else 0 */
} Ovpn3LogEvent;

const char *ovpn3_log_group_name(guint group);
const char *ovpn3_log_category_name(guint category);
/* syslog priority (0–7) for a category. */
int ovpn3_log_category_priority(guint category);

#define OVPN3_TYPE_LOG_WRITER (ovpn3_log_writer_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3LogWriter, ovpn3_log_writer, OVPN3, LOG_WRITER, GObject)

/* file is required for OVPN3_LOG_METHOD_FILE (opened for appending,
 * created 0600), ignored otherwise. */
Ovpn3LogWriter *ovpn3_log_writer_new(Ovpn3LogMethod method, const char *file, GError **error);
Ovpn3LogMethod ovpn3_log_writer_get_method(Ovpn3LogWriter *self);
/* Uses log_dbus_details, log_prefix_logtag and timestamp. */
void ovpn3_log_writer_set_settings(Ovpn3LogWriter *self, const Ovpn3LogSettings *settings);
void ovpn3_log_writer_write(Ovpn3LogWriter *self, const Ovpn3LogEvent *event);
/* Writes the pending "repeated" summary now, if any. */
void ovpn3_log_writer_flush(Ovpn3LogWriter *self);

G_END_DECLS
