/* session-object-private.h — the inside of a session object (session-object.h), shared by
 * the files that implement it: session-object.c (the object, its backend's signals, its
 * properties, shutdown), session-access.c (access rules, AccessGrant/AccessRevoke),
 * session-forward.c (the methods proxied to the backend client) and session-log-forward.c
 * (LogForward). Nothing else includes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-acl.h"
#include "ovpn3-access.h"
#include "session-object.h"

G_BEGIN_DECLS

typedef enum
{
  STATE_STARTING,
  STATE_LIVE,
  STATE_RESTARTING, /* automatic-restart: waiting for a new backend */
  STATE_CLOSED,
} SessionState;

/* One LogForward subscriber: its unique name and the log proxy path. */
typedef struct
{
  char *target;
  char *proxy_path;
  guint watch_id;
  Ovpn3Session *session; /* not owned */
} LogForward;

struct _Ovpn3Session
{
  GObject parent_instance;

  Ovpn3SessionManager *manager; /* not owned */
  Ovpn3Exporter *exporter;      /* not owned */
  GDBusConnection *connection;
  guint registration_id;
  SessionState state;

  char *path;
  char *config_path;
  char *config_name;
  Ovpn3Acl acl;
  gboolean restrict_log_access;
  guint64 created;
  guint32 status_major;
  guint32 status_minor;
  char *status_message;
  GVariant *last_log; /* a{sv} */
  guint32 log_verbosity;
  gboolean connect_started;

  Ovpn3BackendProxy *backend;
  gboolean auto_restart;
  gboolean no_reconnect; /* reconnect-on-network-change=false */
  gboolean host_wide;    /* start-host-wide, asked at NewTunnel, for every backend */
  guint restarts;
  GPtrArray *log_forwards; /* LogForward */
  guint close_idle_id;
};

/* session-object.c */
/* Closing from inside a signal or property handler happens from an idle. */
void ovpn3_session_schedule_close(Ovpn3Session *self);

/* session-access.c */
gboolean ovpn3_session_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                                    const char *member);
/* AccessGrant(u) and AccessRevoke(u). */
void ovpn3_session_change_access(Ovpn3Session *self, const char *method, GVariant *parameters,
                                 GDBusMethodInvocation *invocation);

/* session-forward.c */
gboolean ovpn3_session_is_proxied(const char *method);
/* TRUE while a crash of the backend would be answered with an automatic restart. */
gboolean ovpn3_session_may_auto_restart(Ovpn3Session *self);
void ovpn3_session_forward(Ovpn3Session *self, const char *method, GVariant *parameters,
                           GDBusMethodInvocation *invocation);

/* session-log-forward.c */
void ovpn3_session_log_forward(Ovpn3Session *self, const Ovpn3Caller *caller, GVariant *parameters,
                               GDBusMethodInvocation *invocation);
void ovpn3_log_forward_free(LogForward *fwd);
/* Asks the log service to drop a log proxy (the session ends). */
void ovpn3_session_remove_log_proxy(Ovpn3Session *self, const char *proxy_path);
/* log_forwards: the proxy paths (ao). */
GVariant *ovpn3_session_log_forwards_variant(Ovpn3Session *self);

G_END_DECLS
