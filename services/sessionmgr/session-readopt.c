#define G_LOG_DOMAIN "ovpn3-session-readopt"

/* Taking back the sessions of a session manager that died (session-readopt.h). In the order
 * it runs for one recorded backend client:
 *  1. its RegistrationRequest: the sender's unique name, the bus name and the PID it claims
 *     must be the record's;
 *  2. the bus tells the sender's uid and PID (asynchronously): the service user, the record's
 *     PID;
 *  3. the session is rebuilt from the record (owner, ACL, flags, created time), follows the
 *     backend and confirms it (session-backend-start.h, step 3);
 *  4. exported at its old path, live, SESS_CREATED, its LogForward subscribers restored, its
 *     status read again from the backend, the state file written. */

#include "config.h"

#include "ovpn3-acl.h"
#include "ovpn3-names.h"
#include "session-backend-start.h"
#include "session-placeholder.h"
#include "session-readopt.h"
#include "session-state-store.h"

/* calls waiting at once; more are refused */
#define MAX_DEFERRED 256

struct _Ovpn3Readopt
{
  Ovpn3SessionManager *manager; /* not owned; NULL once closed */
  GHashTable *awaited;          /* backend unique name → Ovpn3SessionRecord */
  guint in_flight;              /* re-registrations being checked or confirmed */
  GQueue deferred;              /* Deferred: calls waiting for the end of the wait */
  guint timeout_id;
  gboolean waiting;
  Ovpn3Placeholders *placeholders; /* calls on the recorded paths wait; NULL once closed */
};

typedef struct
{
  Ovpn3Caller *caller;
  char *method;
  GVariant *parameters;
  GDBusMethodInvocation *invocation; /* owned until answered, as by a method handler */
} Deferred;

/* One backend client being taken back. */
typedef struct
{
  Ovpn3Readopt *readopt; /* a reference */
  Ovpn3SessionRecord *record;
  char *token;
  Ovpn3Session *session;
} Take;

static void
deferred_free(Deferred *d)
{
  ovpn3_caller_free(d->caller);
  g_free(d->method);
  g_variant_unref(d->parameters);
  g_free(d);
}

static void
readopt_clear(Ovpn3Readopt *self)
{
  g_hash_table_unref(self->awaited);
}

static void
take_free(Take *take)
{
  ovpn3_session_record_free(take->record);
  g_free(take->token);
  g_clear_object(&take->session);
  g_rc_box_release_full(take->readopt, (GDestroyNotify) readopt_clear);
  g_free(take);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Take, take_free)

/* ---- the wait ------------------------------------------------------------------------ */

/* The calls that waited on a recorded path go to the session exported there, or are answered
 * that nothing is there. */
static void
release_path(Ovpn3Readopt *self, const char *path, gboolean exported)
{
  if (self->placeholders != NULL)
    ovpn3_placeholders_release(self->placeholders, path, exported);
}

static void
end_wait(Ovpn3Readopt *self)
{
  Deferred *d;

  self->waiting = FALSE;
  g_clear_handle_id(&self->timeout_id, g_source_remove);
  while ((d = g_queue_pop_head(&self->deferred)) != NULL)
    {
      if (self->manager != NULL)
        ovpn3_session_manager_dispatch(self->manager, d->caller, d->method, d->parameters,
                                       d->invocation);
      else
        g_dbus_method_invocation_return_error_literal(
            d->invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "The session manager is stopping");
      deferred_free(d);
    }
}

static void
check_done(Ovpn3Readopt *self)
{
  if (self->waiting && self->in_flight == 0 && g_hash_table_size(self->awaited) == 0)
    end_wait(self);
}

static gboolean
on_wait_over(gpointer user_data)
{
  Ovpn3Readopt *self = user_data;
  GHashTableIter iter;
  gpointer value;

  self->timeout_id = 0;
  g_hash_table_iter_init(&iter, self->awaited);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Ovpn3SessionRecord *record = value;

      ovpn3_session_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN,
                                "Session %s not taken back: its backend client %s (pid %u) did "
                                "not re-register within %d s",
                                record->path, record->unique_name, record->pid,
                                OVPN3_READOPT_WAIT_S);
      release_path(self, record->path, FALSE);
      g_hash_table_iter_remove(&iter);
    }
  ovpn3_session_manager_save_state(self->manager);
  end_wait(self);
  return G_SOURCE_REMOVE;
}

gboolean
ovpn3_readopt_defer(Ovpn3Readopt *self, const Ovpn3Caller *caller, const char *method,
                    GVariant *parameters, GDBusMethodInvocation *invocation)
{
  Deferred *d;

  if (!self->waiting)
    return FALSE;
  if (self->deferred.length >= MAX_DEFERRED)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                                            "The session manager is taking its sessions back; "
                                            "try again in %d s",
                                            OVPN3_READOPT_WAIT_S);
      return TRUE;
    }
  d = g_new0(Deferred, 1);
  d->caller = ovpn3_caller_copy(caller);
  d->method = g_strdup(method);
  d->parameters = g_variant_ref(parameters);
  d->invocation = invocation;
  g_queue_push_tail(&self->deferred, d);
  return TRUE;
}

void
ovpn3_readopt_add_awaited(Ovpn3Readopt *self, GPtrArray *records)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->awaited);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    g_ptr_array_add(records, ((Ovpn3SessionRecord *) value)->node);
}

/* ---- one backend client ----------------------------------------------------------------- */

/* The end of a take (refused or done). */
static void
take_end(Take *take)
{
  Ovpn3Readopt *self = take->readopt;

  self->in_flight--;
  if (self->manager == NULL)
    return;
  ovpn3_session_manager_save_state(self->manager);
  check_done(self);
}

static void G_GNUC_PRINTF(2, 3) take_refuse(Take *take, const char *format, ...)
{
  g_autofree char *why = NULL;
  va_list args;

  va_start(args, format);
  why = g_strdup_vprintf(format, args);
  va_end(args);
  if (take->readopt->manager != NULL)
    ovpn3_session_manager_log(take->readopt->manager, OVPN3_LOG_CATEGORY_WARN,
                              "Session %s not taken back from %s: %s", take->record->path,
                              take->record->unique_name, why);
  release_path(take->readopt, take->record->path, FALSE);
  take_end(take);
}

static void
take_adopt(Take *take)
{
  Ovpn3SessionManager *manager = take->readopt->manager;
  Ovpn3Session *session = take->session;
  const char *path = ovpn3_session_get_path(session);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) targets = NULL;

  if (take->readopt->placeholders != NULL)
    ovpn3_placeholders_unregister(take->readopt->placeholders, path);
  if (!ovpn3_session_export(session, ovpn3_session_manager_get_context(manager)->exporter, &error))
    {
      take_refuse(take, "%s", error->message);
      return;
    }
  ovpn3_session_manager_add(manager, session);
  ovpn3_session_set_live(session);
  ovpn3_session_manager_log(
      manager, OVPN3_LOG_CATEGORY_INFO, "Session %s taken back (owner %u, backend %s, pid %u)",
      path, ovpn3_session_get_owner(session), take->record->bus_name, take->record->pid);
  /* the spec's enum has no other value for a session that reappears */
  ovpn3_session_manager_emit_event(manager, path, OVPN3_SESSION_EVENT_CREATED,
                                   ovpn3_session_get_owner(session));
  targets = ovpn3_session_record_log_targets(take->record);
  for (guint i = 0; targets[i] != NULL; i++)
    ovpn3_session_restore_log_forward(session, targets[i]);
  ovpn3_session_refresh_status(session);
  release_path(take->readopt, path, TRUE);
  take_end(take);
}

static void
on_take_confirmed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Take) take = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_backend_confirm_finish(OVPN3_SESSION(source), result, &error))
    take_refuse(take, "%s", error->message);
  else if (take->readopt->manager == NULL)
    take_end(take);
  else
    take_adopt(take);
}

static void
on_take_sender_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Take) take = user_data;
  Ovpn3SessionManager *manager = take->readopt->manager;
  g_autoptr(Ovpn3Caller) sender = NULL;
  Ovpn3Registrant registrant;
  Ovpn3Session *session;
  const char *token;

  sender = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, NULL);
  if (manager == NULL)
    {
      take_end(take);
      return;
    }
  if (sender == NULL || !ovpn3_uid_is_service_user(sender->uid) || sender->pid != take->record->pid)
    {
      take_refuse(take, "the process is not the recorded backend client (pid %u)",
                  take->record->pid);
      return;
    }
  take->session = ovpn3_session_new_from_record(manager, take->record);
  registrant.unique_name = take->record->unique_name;
  registrant.bus_name = take->record->bus_name;
  registrant.pid = take->record->pid;
  ovpn3_backend_starter_attach(ovpn3_session_manager_get_starter(manager), take->session,
                               &registrant);
  /* read before the take is handed on: arguments are evaluated in no fixed order */
  session = take->session;
  token = take->token;
  ovpn3_backend_confirm_async(session, token, on_take_confirmed, g_steal_pointer(&take));
}

/* A backend client whose session is not taken back (not recorded, or too late) ends now
 * rather than after its own wait: it accepts ForceShutdown from the owner of our name. Only a
 * sender claiming a backend's name is told; it is a call to the sender itself. */
static void
tell_to_end(Ovpn3Readopt *self, const char *sender, const char *bus_name, guint32 pid)
{
  g_autofree char *expected = g_strdup_printf(OVPN3_BACKEND_BUS_NAME_PREFIX "%u", pid);

  if (pid == 0 || !g_str_equal(bus_name, expected))
    return;
  g_dbus_connection_call(ovpn3_session_manager_get_context(self->manager)->connection, sender,
                         OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE, "ForceShutdown",
                         NULL, NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

gboolean
ovpn3_readopt_request(gpointer user_data, const char *sender, const char *bus_name,
                      const char *token, guint32 pid)
{
  Ovpn3Readopt *self = user_data;
  Take *take;
  char *key = NULL;
  Ovpn3SessionRecord *record = NULL;

  if (self->manager == NULL)
    return FALSE;
  /* the sender's unique name is the bus's word: no one else can send as it */
  if (!g_hash_table_steal_extended(self->awaited, sender, (gpointer *) &key, (gpointer *) &record))
    {
      tell_to_end(self, sender, bus_name, pid);
      return FALSE;
    }
  g_free(key);
  take = g_new0(Take, 1);
  take->readopt = g_rc_box_acquire(self);
  take->record = record;
  take->token = g_strdup(token);
  self->in_flight++;
  if (pid != record->pid || !g_str_equal(bus_name, record->bus_name))
    {
      take_refuse(take, "it claims %s (pid %u), the record says %s", bus_name, pid,
                  record->bus_name);
      take_free(take);
      return TRUE;
    }
  ovpn3_credentials_lookup_async(ovpn3_session_manager_get_context(self->manager)->credentials,
                                 sender, NULL, on_take_sender_known, take);
  return TRUE;
}

/* ---- life ---------------------------------------------------------------------------- */

/* Until taken back (or not), calls on the recorded paths wait (session-placeholder.h). */
static void
add_placeholders(Ovpn3Readopt *self)
{
  GHashTableIter iter;
  gpointer value;

  self->placeholders
      = ovpn3_placeholders_new(ovpn3_session_manager_get_context(self->manager)->exporter);
  g_hash_table_iter_init(&iter, self->awaited);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    ovpn3_placeholders_add(self->placeholders, ((Ovpn3SessionRecord *) value)->path);
}

Ovpn3Readopt *
ovpn3_readopt_new(Ovpn3SessionManager *manager, GPtrArray *records)
{
  g_autoptr(GPtrArray) owned = records;
  Ovpn3Readopt *self = g_rc_box_new0(Ovpn3Readopt);

  self->manager = manager;
  self->awaited = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) ovpn3_session_record_free);
  g_queue_init(&self->deferred);
  g_ptr_array_set_free_func(owned, NULL);
  for (guint i = 0; i < owned->len; i++)
    {
      Ovpn3SessionRecord *record = g_ptr_array_index(owned, i);

      /* one record per backend: a second one is dropped */
      g_hash_table_replace(self->awaited, g_strdup(record->unique_name), record);
    }
  add_placeholders(self);
  if (g_hash_table_size(self->awaited) > 0)
    {
      self->waiting = TRUE;
      self->timeout_id = g_timeout_add_seconds(OVPN3_READOPT_WAIT_S, on_wait_over, self);
      g_message("Waiting up to %d s for the backend clients of %u recorded sessions",
                OVPN3_READOPT_WAIT_S, g_hash_table_size(self->awaited));
    }
  return self;
}

void
ovpn3_readopt_close(Ovpn3Readopt *self)
{
  self->manager = NULL;
  g_hash_table_remove_all(self->awaited);
  g_clear_pointer(&self->placeholders, ovpn3_placeholders_free);
  end_wait(self);
  g_rc_box_release_full(self, (GDestroyNotify) readopt_clear);
}
