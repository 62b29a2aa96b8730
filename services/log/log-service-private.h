/* log-service-private.h — what the files of the log manager object share:
 * its fields, the Attach records and the helpers the attach records,
 * methods and properties use. Only services/log/log-service*.c and
 * log-attach.c include it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "log-service.h"
#include "log-settings.h"
#include "ovpn3-exported.h"

G_BEGIN_DECLS

/* One Attach()ed (sender, interface). Referenced by its signal
 * subscription, so a late signal never sees freed memory. */
typedef struct
{
  Ovpn3LogService *service; /* NULL once detached */
  char *sender;
  char *interface;
  char *tag;
  char *session_path; /* set by AssignSession */
  char *object_path;  /* where its signals come from, once seen */
  guint32 pid;        /* the sender's, from its Attach call (O3_SENDER_PID) */
  guint subscription_id;
  guint watch_id;
} LogAttach;

struct _Ovpn3LogService
{
  GObject parent_instance;

  Ovpn3Exporter *exporter; /* not owned */
  Ovpn3Idle *idle;
  GDBusConnection *connection;
  Ovpn3LogWriter *writer;
  Ovpn3LogWriter *mirror; /* --log-stderr: a copy on stderr, or NULL */
  char *destination;      /* log_destination: journald, stderr or the file's path */
  Ovpn3LogSettings settings;
  char *settings_path; /* NULL: nothing is persisted */
  guint registration_id;
  GPtrArray *attached; /* LogAttach*, in Attach order */
  GHashTable *proxies; /* path → Ovpn3LogProxy */
  guint quiet_id;      /* the no-session-left check, once scheduled */
};

/* log-service.c: the service's own records and the output */
void ovpn3_log_service_write_event(Ovpn3LogService *self, const Ovpn3LogEvent *event);
void ovpn3_log_service_apply_settings(Ovpn3LogService *self);
/* log_destination (docs/compatibility.md §4): a writer for destination
 * (InvalidArgs for a bad value, Failed when the file cannot be opened), and
 * switching to it (the old one's pending summary is written first). */
Ovpn3LogWriter *ovpn3_log_service_open_destination(const char *destination, GError **error);
void ovpn3_log_service_use_writer(Ovpn3LogService *self, Ovpn3LogWriter *writer,
                                  const char *destination);
void ovpn3_log_service_log(Ovpn3LogService *self, Ovpn3LogCategory category, const char *format,
                           ...) G_GNUC_PRINTF(3, 4);
/* A session's backend detached or a log proxy closed: once nothing serves
 * a session any more, the per-session state left is reported (debug) and
 * freed heap pages are given back. */
void ovpn3_log_service_session_gone(Ovpn3LogService *self);

/* log-attach.c: the Attach records (reference-counted with g_rc_box) */
void ovpn3_log_attach_release(gpointer data);
/* Subscribes to the sender's signals of interface, watches the sender and
 * holds the idle timer; self->attached owns the record. */
LogAttach *ovpn3_log_attach_new(Ovpn3LogService *self, const char *sender, const char *interface);
LogAttach *ovpn3_log_attach_find(Ovpn3LogService *self, const char *sender, const char *interface);
void ovpn3_log_attach_detach(Ovpn3LogService *self, LogAttach *attach);
/* Some Attach()ed sender was assigned session_path. */
gboolean ovpn3_log_service_session_has_backend(Ovpn3LogService *self, const char *session_path);

/* log-service-methods.c */
void ovpn3_log_service_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
                                   GVariant *parameters, GDBusMethodInvocation *invocation);

/* log-service-properties.c */
GVariant *ovpn3_log_service_get_property(gpointer object, const Ovpn3Caller *caller,
                                         const char *name, GError **error);
gboolean ovpn3_log_service_set_property(gpointer object, const Ovpn3Caller *caller,
                                        const char *name, GVariant *value, GError **error);

/* log-service-access.c */
gboolean ovpn3_log_service_access_check(gpointer object, const Ovpn3Caller *caller,
                                        Ovpn3AccessRule bit, const char *member);

G_END_DECLS
