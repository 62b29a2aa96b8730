#define G_LOG_DOMAIN "ovpn3-session-backend-start"

#include "config.h"

#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-unix.h>

#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-rate-limit.h"
#include "ovpn3-signal.h"
#include "session-backend-start.h"
#include "session-manager.h"

/* registrations waiting for StartClient's PID, per launch */
#define MAX_CANDIDATES 4

struct _Ovpn3BackendStarter
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx; /* not owned */
  guint subscription;
  GHashTable *launches;     /* token → GTask of a launch still waiting */
  Ovpn3RateLimit *refusals; /* what anyone can make us log: forged registrations */
  Ovpn3ReadoptFunc readopt; /* the re-registrations after a restart */
  gpointer readopt_data;
};

G_DEFINE_TYPE(Ovpn3BackendStarter, ovpn3_backend_starter, G_TYPE_OBJECT)

/* The task data of one launch. */
typedef struct
{
  char *token;
  guint32 started_pid;   /* what StartClient returned; 0 until it did */
  GPtrArray *candidates; /* Candidate*: checked, waiting for started_pid */
  GSource *exit_watch;   /* on exit_fd, the started process's pidfd, readable once it exited */
  int exit_fd;
  gboolean ended; /* registered, failed or withdrawn */
} Launch;

/* A RegistrationRequest being checked. Anyone can send one (it is a signal);
 * only the process StartClient started, as the service user, owning the
 * bus name it claims, is accepted (docs/security.md §5). */
typedef struct
{
  GTask *task; /* owned reference to the launch */
  Ovpn3Registrant registrant;
  guint pending;        /* bus calls still out; candidate_check() once none is */
  gboolean sender_ok;   /* the service user, with the PID it claims */
  gboolean owner_known; /* asked once StartClient told the PID */
  char *owner;          /* of registrant.bus_name; NULL: nobody */
} Candidate;

static void
registrant_clear(Ovpn3Registrant *registrant)
{
  g_free(registrant->unique_name);
  g_free(registrant->bus_name);
}

void
ovpn3_registrant_free(Ovpn3Registrant *registrant)
{
  registrant_clear(registrant);
  g_free(registrant);
}

static void
candidate_free(Candidate *c)
{
  g_object_unref(c->task);
  registrant_clear(&c->registrant);
  g_free(c->owner);
  g_free(c);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Candidate, candidate_free)

static void
stop_exit_watch(Launch *launch)
{
  if (launch->exit_watch != NULL)
    g_source_destroy(launch->exit_watch);
  g_clear_pointer(&launch->exit_watch, g_source_unref);
  if (launch->exit_fd >= 0)
    close(launch->exit_fd);
  launch->exit_fd = -1;
}

static void
launch_free(Launch *launch)
{
  stop_exit_watch(launch);
  g_free(launch->token);
  g_ptr_array_unref(launch->candidates);
  g_free(launch);
}

static void
ovpn3_backend_starter_dispose(GObject *object)
{
  Ovpn3BackendStarter *self = OVPN3_BACKEND_STARTER(object);

  ovpn3_signal_unsubscribe_clear(self->ctx->connection, &self->subscription);
  g_hash_table_remove_all(self->launches);
  G_OBJECT_CLASS(ovpn3_backend_starter_parent_class)->dispose(object);
}

static void
ovpn3_backend_starter_finalize(GObject *object)
{
  Ovpn3BackendStarter *self = OVPN3_BACKEND_STARTER(object);

  g_hash_table_unref(self->launches);
  ovpn3_rate_limit_free(self->refusals);
  G_OBJECT_CLASS(ovpn3_backend_starter_parent_class)->finalize(object);
}

static void
ovpn3_backend_starter_class_init(Ovpn3BackendStarterClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_backend_starter_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_backend_starter_finalize;
}

static void
ovpn3_backend_starter_init(Ovpn3BackendStarter *self)
{
  self->launches = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_object_unref);
  /* one line per sender and minute, 20 a minute in all */
  self->refusals = ovpn3_rate_limit_new(60 * G_USEC_PER_SEC, 20);
}

/* ---- ending a launch -------------------------------------------------------------- */

static gboolean
launch_open(GTask *task)
{
  return !((Launch *) g_task_get_task_data(task))->ended;
}

/* Out of the table (its token is used up), no more candidates; the caller returns the task. */
static void
launch_end(Ovpn3BackendStarter *self, GTask *task)
{
  Launch *launch = g_task_get_task_data(task);

  launch->ended = TRUE;
  /* candidates and the exit watch hold references to the task */
  g_ptr_array_set_size(launch->candidates, 0);
  stop_exit_watch(launch);
  g_hash_table_remove(self->launches, launch->token);
}

static void
launch_fail(Ovpn3BackendStarter *self, GTask *task, GError *error)
{
  g_autoptr(GTask) ref G_GNUC_UNUSED = g_object_ref(task);

  launch_end(self, task);
  g_task_return_error(task, error);
}

void
ovpn3_backend_starter_withdraw(Ovpn3BackendStarter *self, const char *token)
{
  GTask *task = g_hash_table_lookup(self->launches, token);

  if (task != NULL)
    launch_fail(self, task,
                g_error_new_literal(G_IO_ERROR, G_IO_ERROR_CANCELLED, "the start ended"));
}

static void
launch_succeed(Ovpn3BackendStarter *self, GTask *task, const Ovpn3Registrant *r)
{
  g_autoptr(GTask) ref G_GNUC_UNUSED = g_object_ref(task);
  Ovpn3Registrant *registrant = g_new0(Ovpn3Registrant, 1);

  registrant->unique_name = g_strdup(r->unique_name);
  registrant->bus_name = g_strdup(r->bus_name);
  registrant->pid = r->pid;
  launch_end(self, task);
  g_task_return_pointer(task, registrant, (GDestroyNotify) ovpn3_registrant_free);
}

/* ---- 1. launch: StartClient ----------------------------------------------------------- */

static void on_start_client(GObject *source, GAsyncResult *result, gpointer user_data);
static void candidate_check(Candidate *c);

#define TEXT_EXITED "the backend client exited before registering"

static gboolean
on_started_exit(int fd, GIOCondition condition, gpointer user_data)
{
  GTask *task = user_data;

  if (launch_open(task))
    launch_fail(g_task_get_source_object(task), task,
                g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, TEXT_EXITED));
  return G_SOURCE_REMOVE;
}

/* A client that dies before its RegistrationRequest fails the launch at once rather than at
 * the caller's bound: its pidfd becomes readable when it exits. Without pidfd_open (ENOSYS)
 * the bound still applies. */
static void
watch_started_exit(Ovpn3BackendStarter *self, GTask *task)
{
  Launch *launch = g_task_get_task_data(task);
  int fd = (int) syscall(SYS_pidfd_open, (pid_t) launch->started_pid, 0);

  if (fd < 0)
    {
      if (errno == ESRCH)
        launch_fail(self, task, g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, TEXT_EXITED));
      else
        g_debug("pidfd_open(%u): %s", launch->started_pid, g_strerror(errno));
      return;
    }
  launch->exit_fd = fd;
  launch->exit_watch = g_unix_fd_source_new(fd, G_IO_IN);
  g_source_set_callback(launch->exit_watch, G_SOURCE_FUNC(on_started_exit), g_object_ref(task),
                        g_object_unref);
  g_source_attach(launch->exit_watch, NULL);
}

void
ovpn3_backend_starter_launch_async(Ovpn3BackendStarter *self, const char *token,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);
  Launch *launch = g_new0(Launch, 1);

  g_task_set_source_tag(task, ovpn3_backend_starter_launch_async);
  launch->token = g_strdup(token);
  launch->exit_fd = -1;
  launch->candidates = g_ptr_array_new_with_free_func((GDestroyNotify) candidate_free);
  g_task_set_task_data(task, launch, (GDestroyNotify) launch_free);
  g_hash_table_insert(self->launches, launch->token, g_object_ref(task));
  g_dbus_connection_call(
      self->ctx->connection, OVPN3_BACKENDS_BUS_NAME, OVPN3_BACKENDS_PATH, OVPN3_BACKENDS_INTERFACE,
      "StartClient", g_variant_new("(s)", token), G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE,
      OVPN3_SESSION_START_TIMEOUT_S * 1000, NULL, on_start_client, g_steal_pointer(&task));
}

static void
on_start_client(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Ovpn3BackendStarter *self = g_task_get_source_object(task);
  Launch *launch = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (!launch_open(task))
    return;
  if (reply == NULL)
    {
      while (g_dbus_error_strip_remote_error(error))
        ;
      launch_fail(self, task,
                  g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "the backend starter failed: %s",
                              error->message));
      return;
    }
  /* registrations are accepted from this process only */
  g_variant_get(reply, "(u)", &launch->started_pid);
  g_debug("backend client for %s started (pid %u)", launch->token, launch->started_pid);
  watch_started_exit(self, task);
  if (!launch_open(task))
    return;
  /* stolen one by one: the array's free function would get the NULL a steal leaves */
  while (launch->candidates->len > 0)
    candidate_check(g_ptr_array_steal_index(launch->candidates, 0));
}

Ovpn3Registrant *
ovpn3_backend_starter_launch_finish(Ovpn3BackendStarter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- 1. launch: the RegistrationRequest --------------------------------------------- */

static void on_candidate_known(GObject *source, GAsyncResult *result, gpointer user_data);
static void ask_owner(Candidate *c);

static void G_GNUC_PRINTF(3, 4)
    refuse_registration(Ovpn3BackendStarter *self, const char *sender, const char *format, ...)
{
  g_autofree char *why = NULL;
  g_autofree char *line = NULL;
  guint suppressed = 0;
  va_list args;

  if (!ovpn3_rate_limit_allow(self->refusals, sender, &suppressed))
    return;
  va_start(args, format);
  why = g_strdup_vprintf(format, args);
  va_end(args);
  if (suppressed > 0)
    line = g_strdup_printf(
        "Ignoring a RegistrationRequest from %s: %s (%u more refused since, not logged)", sender,
        why, suppressed);
  else
    line = g_strdup_printf("Ignoring a RegistrationRequest from %s: %s", sender, why);
  if (self->ctx->log != NULL)
    ovpn3_log_client_log(self->ctx->log, OVPN3_LOG_CATEGORY_WARN, "%s", line);
  else
    g_message("%s", line);
}

static void
on_registration_request(GDBusConnection *connection, const char *sender_name,
                        const char *object_path, const char *interface_name,
                        const char *signal_name, GVariant *parameters, gpointer user_data)
{
  Ovpn3BackendStarter *self = user_data;
  const char *bus_name, *token;
  gint32 pid;
  GTask *task;
  Candidate *c;
  g_autofree char *expected = NULL;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssi)")) || sender_name == NULL)
    return;
  g_variant_get(parameters, "(&s&si)", &bus_name, &token, &pid);
  task = g_hash_table_lookup(self->launches, token);
  if (task == NULL || !launch_open(task))
    {
      if (self->readopt == NULL
          || !self->readopt(self->readopt_data, sender_name, bus_name, token, (guint32) pid))
        refuse_registration(self, sender_name,
                            "unknown or used token, and not a recorded backend client");
      return;
    }
  expected = g_strdup_printf(OVPN3_BACKEND_BUS_NAME_PREFIX "%d", pid);
  if (pid <= 0 || !g_str_equal(bus_name, expected))
    {
      refuse_registration(self, sender_name, "bus name does not match pid %d", pid);
      return;
    }
  /* nothing is marked before every check passed: a forged request cannot
   * make the real one be ignored */
  c = g_new0(Candidate, 1);
  c->task = g_object_ref(task);
  c->registrant.unique_name = g_strdup(sender_name);
  c->registrant.bus_name = g_strdup(bus_name);
  c->registrant.pid = (guint32) pid;
  /* StartClient told this PID already (the usual case): who owns the name is asked at the
   * same time as the credentials, one round trip instead of two; judged after them */
  if (((Launch *) g_task_get_task_data(task))->started_pid == (guint32) pid)
    ask_owner(c);
  c->pending++;
  ovpn3_credentials_lookup_async(self->ctx->credentials, sender_name, NULL, on_candidate_known, c);
}

static void
on_candidate_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Candidate *c = user_data;
  g_autoptr(Ovpn3Caller) sender = NULL;

  sender = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, NULL);
  c->sender_ok = sender != NULL && ovpn3_uid_is_service_user(sender->uid)
                 && sender->pid == c->registrant.pid;
  if (--c->pending == 0)
    candidate_check(c);
}

static void
on_candidate_owner(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Candidate *c = user_data;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, NULL);
  if (reply != NULL)
    g_variant_get(reply, "(s)", &c->owner);
  c->owner_known = TRUE;
  if (--c->pending == 0)
    candidate_check(c);
}

static void
ask_owner(Candidate *c)
{
  Ovpn3BackendStarter *self = g_task_get_source_object(c->task);

  c->pending++;
  g_dbus_connection_call(self->ctx->connection, DBUS_NAME_BUS, DBUS_PATH_BUS, DBUS_INTERFACE_BUS,
                         "GetNameOwner", g_variant_new("(s)", c->registrant.bus_name),
                         G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                         on_candidate_owner, c);
}

/* A candidate's checks in their order, once no bus call is out (again for one that waited
 * for StartClient's PID): the service user with the PID it claims, the PID StartClient
 * returned, the owner of the name it claims (asked once that PID is known). */
static void
candidate_check(Candidate *c)
{
  g_autoptr(Candidate) owned = c;
  Ovpn3BackendStarter *self = g_task_get_source_object(c->task);
  Launch *launch = g_task_get_task_data(c->task);
  const char *name = c->registrant.unique_name;

  if (!launch_open(c->task))
    return;
  if (!c->sender_ok)
    refuse_registration(self, name, "not the backend client it claims to be");
  else if (launch->started_pid == 0)
    {
      /* the client was quicker than StartClient's reply: wait for the PID */
      if (launch->candidates->len >= MAX_CANDIDATES)
        refuse_registration(self, name, "too many registrations for one start");
      else
        g_ptr_array_add(launch->candidates, g_steal_pointer(&owned));
    }
  else if (c->registrant.pid != launch->started_pid)
    refuse_registration(self, name, "pid %u is not the backend client started for it (pid %u)",
                        c->registrant.pid, launch->started_pid);
  else if (!c->owner_known)
    ask_owner(g_steal_pointer(&owned));
  else if (g_strcmp0(c->owner, name) != 0)
    refuse_registration(self, name, "it does not own %s", c->registrant.bus_name);
  else
    launch_succeed(self, c->task, &c->registrant);
}

void
ovpn3_backend_starter_set_readopt(Ovpn3BackendStarter *self, Ovpn3ReadoptFunc readopt,
                                  gpointer data)
{
  self->readopt = readopt;
  self->readopt_data = data;
}

/* ---- 2. attach ---------------------------------------------------------------------- */

void
ovpn3_backend_starter_attach(Ovpn3BackendStarter *self, Ovpn3Session *session,
                             const Ovpn3Registrant *registrant)
{
  g_autoptr(Ovpn3BackendProxy) backend = ovpn3_backend_proxy_new(
      self->ctx->connection, registrant->unique_name, registrant->bus_name, registrant->pid);

  ovpn3_session_attach_backend(session, backend);
}

/* ---- 3. confirm --------------------------------------------------------------------- */

static void on_registration_confirmed(GObject *source, GAsyncResult *result, gpointer user_data);

void
ovpn3_backend_confirm_async(Ovpn3Session *session, const char *token, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new(session, NULL, callback, user_data);
  Ovpn3BackendProxy *backend = ovpn3_session_get_backend(session);
  gboolean host_wide = ovpn3_session_get_host_wide(session);

  g_task_set_source_tag(task, ovpn3_backend_confirm_async);
  /* before RegistrationConfirmation, on the same connection: the backend has it before it
   * can connect (docs/security.md §6) */
  ovpn3_backend_proxy_set_property(backend, "host_wide", g_variant_new_boolean(host_wide));
  ovpn3_backend_proxy_call(backend, "RegistrationConfirmation",
                           g_variant_new("(soo)", token, ovpn3_session_get_path(session),
                                         ovpn3_session_get_config_path(session)),
                           G_VARIANT_TYPE("(s)"), NULL, on_registration_confirmed, task);
}

static void
on_registration_confirmed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Ovpn3Session *session = g_task_get_source_object(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint32 major, minor;
  const char *name;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      /* the backend's own words (e.g. no engine uid free), without the
       * GDBus.Error:name: prefixes */
      while (g_dbus_error_strip_remote_error(error))
        ;
      g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED,
                              "the backend client refused the session: %s", error->message);
      return;
    }
  ovpn3_session_get_status(session, &major, &minor);
  if (ovpn3_status_is_terminal(major, minor))
    {
      g_task_return_new_error(task, G_IO_ERROR, G_IO_ERROR_FAILED,
                              "the backend client reported an error while reading the profile");
      return;
    }
  g_variant_get(reply, "(&s)", &name);
  if (*ovpn3_session_get_config_name(session) == '\0')
    ovpn3_session_set_config_name(session, name);
  g_task_return_boolean(task, TRUE);
}

gboolean
ovpn3_backend_confirm_finish(Ovpn3Session *session, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, session), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}

Ovpn3BackendStarter *
ovpn3_backend_starter_new(Ovpn3ServiceContext *ctx)
{
  Ovpn3BackendStarter *self = g_object_new(OVPN3_TYPE_BACKEND_STARTER, NULL);

  self->ctx = ctx;
  /* sent only to our unique name; matched on the token */
  self->subscription = g_dbus_connection_signal_subscribe(
      ctx->connection, NULL, OVPN3_BACKENDS_INTERFACE, "RegistrationRequest",
      OVPN3_BACKEND_SESSION_PATH, NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_registration_request, self,
      NULL);
  return self;
}
