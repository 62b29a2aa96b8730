#define G_LOG_DOMAIN "ovpn3-session-manager"

#include "config.h"

#include "ovpn3-access.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-state-file.h"
#include "session-list.h"
#include "session-lookup.h"
#include "session-manager.h"
#include "session-new-tunnel.h"
#include "session-readopt.h"
#include "session-reconnect.h"
#include "session-state-store.h"

struct _Ovpn3SessionManager
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx; /* not owned */
  guint registration_id;
  Ovpn3BackendStarter *starter; /* StartClient and the RegistrationRequests */
  GHashTable *sessions;         /* path → Ovpn3Session, starting ones included */
  GHashTable *starts;           /* Ovpn3Session → PendingStart: starts under way */
  Ovpn3Reconnect *reconnect;    /* sleep and uplink changes */
  Ovpn3Readopt *readopt;        /* the sessions of a predecessor, taken back */
  char *state_path;             /* the state file; NULL if it cannot be kept */
  guint log_watch;              /* net.openvpn.v3.log */
  char *log_owner;              /* its last owner seen */
};

G_DEFINE_TYPE(Ovpn3SessionManager, ovpn3_session_manager, G_TYPE_OBJECT)

typedef struct
{
  Ovpn3SessionStartAbort abort;
  gpointer start;
  GDestroyNotify destroy;
} PendingStart;

static void
pending_start_free(PendingStart *pending)
{
  if (pending->destroy != NULL)
    pending->destroy(pending->start);
  g_free(pending);
}

static void
ovpn3_session_manager_dispose(GObject *object)
{
  Ovpn3SessionManager *self = OVPN3_SESSION_MANAGER(object);

  ovpn3_exporter_unregister(self->ctx->exporter, self->registration_id);
  self->registration_id = 0;
  g_clear_handle_id(&self->log_watch, g_bus_unwatch_name);
  g_clear_pointer(&self->reconnect, ovpn3_reconnect_free);
  g_clear_pointer(&self->readopt, ovpn3_readopt_close);
  g_hash_table_remove_all(self->starts);
  g_hash_table_remove_all(self->sessions);
  g_clear_object(&self->starter);
  G_OBJECT_CLASS(ovpn3_session_manager_parent_class)->dispose(object);
}

static void
ovpn3_session_manager_finalize(GObject *object)
{
  Ovpn3SessionManager *self = OVPN3_SESSION_MANAGER(object);

  g_hash_table_unref(self->starts);
  g_hash_table_unref(self->sessions);
  g_free(self->state_path);
  g_free(self->log_owner);
  G_OBJECT_CLASS(ovpn3_session_manager_parent_class)->finalize(object);
}

static void
ovpn3_session_manager_class_init(Ovpn3SessionManagerClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_session_manager_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_session_manager_finalize;
}

static void
ovpn3_session_manager_init(Ovpn3SessionManager *self)
{
  self->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
  self->starts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) pending_start_free);
}

Ovpn3ServiceContext *
ovpn3_session_manager_get_context(Ovpn3SessionManager *self)
{
  return self->ctx;
}

Ovpn3BackendStarter *
ovpn3_session_manager_get_starter(Ovpn3SessionManager *self)
{
  return self->starter;
}

GHashTable *
ovpn3_session_manager_get_sessions(Ovpn3SessionManager *self)
{
  return self->sessions;
}

void
ovpn3_session_manager_emit_event(Ovpn3SessionManager *self, const char *path,
                                 Ovpn3SessionEventType type, guint32 owner)
{
  g_autoptr(GError) error = NULL;

  if (!g_dbus_connection_emit_signal(self->ctx->connection, NULL, OVPN3_SESSIONS_PATH,
                                     OVPN3_SESSIONS_INTERFACE, "SessionManagerEvent",
                                     g_variant_new("(oqu)", path, (guint16) type, owner), &error))
    g_warning("SessionManagerEvent: %s", error->message);
}

/* ---- the table of sessions ----------------------------------------------------------- */

void
ovpn3_session_manager_add(Ovpn3SessionManager *self, Ovpn3Session *session)
{
  g_hash_table_insert(self->sessions, g_strdup(ovpn3_session_get_path(session)),
                      g_object_ref(session));
  ovpn3_idle_hold(self->ctx->idle);
}

void
ovpn3_session_manager_remove(Ovpn3SessionManager *self, Ovpn3Session *session,
                             gboolean shutdown_backend, const char *reason)
{
  g_autoptr(Ovpn3Session) ref G_GNUC_UNUSED = g_object_ref(session);
  g_autofree char *path = g_strdup(ovpn3_session_get_path(session));
  gboolean exported = ovpn3_session_is_exported(session);

  if (!g_hash_table_remove(self->sessions, path))
    return;
  ovpn3_session_shutdown(session, shutdown_backend, reason);
  ovpn3_idle_release(self->ctx->idle);
  ovpn3_session_manager_save_state(self);
  if (exported)
    ovpn3_session_manager_emit_event(self, path, OVPN3_SESSION_EVENT_DESTROYED,
                                     ovpn3_session_get_owner(session));
  ovpn3_session_manager_log(self, OVPN3_LOG_CATEGORY_INFO, "Session %s removed (%s)", path,
                            reason != NULL ? reason : "closed");
}

/* ---- starts under way ---------------------------------------------------------------- */

void
ovpn3_session_manager_begin_start(Ovpn3SessionManager *self, Ovpn3Session *session,
                                  Ovpn3SessionStartAbort abort, gpointer start,
                                  GDestroyNotify destroy)
{
  PendingStart *pending = g_new0(PendingStart, 1);

  pending->abort = abort;
  pending->start = start;
  pending->destroy = destroy;
  g_hash_table_replace(self->starts, session, pending);
}

void
ovpn3_session_manager_end_start(Ovpn3SessionManager *self, Ovpn3Session *session)
{
  g_hash_table_remove(self->starts, session);
}

void
ovpn3_session_manager_close(Ovpn3SessionManager *self, Ovpn3Session *session,
                            gboolean shutdown_backend, const char *reason)
{
  PendingStart *pending = NULL;

  /* a start under way ends first: it fails a NewTunnel, stops a restart */
  if (g_hash_table_steal_extended(self->starts, session, NULL, (gpointer *) &pending))
    {
      pending->abort(pending->start, shutdown_backend, reason);
      pending_start_free(pending);
      return;
    }
  ovpn3_session_manager_remove(self, session, shutdown_backend, reason);
}

void
ovpn3_session_manager_close_all(Ovpn3SessionManager *self, const char *reason)
{
  GList *sessions = g_hash_table_get_values(self->sessions);

  g_list_foreach(sessions, (GFunc) (void (*)(void)) g_object_ref, NULL);
  for (GList *l = sessions; l != NULL; l = l->next)
    ovpn3_session_manager_close(self, l->data, TRUE, reason);
  g_list_free_full(sessions, g_object_unref);
}

/* ---- the state file (session-state-store.h, session-readopt.h) ----------------------------- */

void
ovpn3_session_manager_save_state(Ovpn3SessionManager *self)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new(); /* not owned */
  g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func((GDestroyNotify) json_node_unref);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  if (self->state_path == NULL)
    return;
  g_hash_table_iter_init(&iter, self->sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      JsonNode *record = ovpn3_session_state_record(value);

      if (record != NULL)
        g_ptr_array_add(owned, record);
    }
  g_ptr_array_extend(records, owned, NULL, NULL);
  if (self->readopt != NULL)
    ovpn3_readopt_add_awaited(self->readopt, records);
  if (!ovpn3_session_state_save(self->state_path, records, &error))
    g_warning("Could not write the session state: %s", error->message);
}

/* The state directory and the records of a predecessor; without them, no state is kept. */
static GPtrArray *
load_state(Ovpn3SessionManager *self)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *records = NULL;

  if (!ovpn3_state_dir_ensure(OVPN3_SESSIONMGR_STATE_DIR, &error))
    {
      g_warning("No session state is kept: %s", error->message);
      return g_ptr_array_new();
    }
  self->state_path
      = g_build_filename(OVPN3_SESSIONMGR_STATE_DIR, OVPN3_SESSIONMGR_STATE_FILE, NULL);
  records = ovpn3_session_state_load(self->state_path, &error);
  if (records == NULL)
    {
      g_warning("Ignoring the session state: %s", error->message);
      records = g_ptr_array_new();
    }
  return records;
}

/* ---- the manager object ---------------------------------------------------------------- */

void
ovpn3_session_manager_dispatch(Ovpn3SessionManager *self, const Ovpn3Caller *caller,
                               const char *method, GVariant *parameters,
                               GDBusMethodInvocation *invocation)
{
  if (g_str_equal(method, "NewTunnel"))
    ovpn3_session_new_tunnel(self, caller, parameters, invocation);
  else if (g_str_equal(method, "FetchAvailableSessions"))
    ovpn3_session_list(self, caller, OVPN3_LIST_SESSIONS, parameters, invocation);
  else if (g_str_equal(method, "FetchManagedInterfaces"))
    ovpn3_session_list(self, caller, OVPN3_LIST_INTERFACES, parameters, invocation);
  else if (g_str_equal(method, "LookupConfigName"))
    ovpn3_session_list(self, caller, OVPN3_LOOKUP_CONFIG_NAME, parameters, invocation);
  else if (g_str_equal(method, "LookupInterface"))
    ovpn3_session_list(self, caller, OVPN3_LOOKUP_INTERFACE, parameters, invocation);
  else if (g_str_equal(method, "LookupBackend"))
    ovpn3_session_lookup_backend(self->sessions, caller, parameters, invocation);
  else
    ovpn3_invocation_return_unknown_method(invocation);
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3SessionManager *self = object;

  /* after a restart, the lists, the lookups and NewTunnel (one live session per profile,
   * the quotas) wait for the sessions being taken back */
  if (!ovpn3_readopt_defer(self->readopt, caller, method, parameters, invocation))
    ovpn3_session_manager_dispatch(self, caller, method, parameters, invocation);
}

/* Everyone may start and list; NewTunnel then decides on the profile it
 * names (its ACL, then manage-others with the caller's interactive flag),
 * the lists show what each caller may see (manage-others without
 * interaction). LookupBackend is for the services (docs/security.md §5). */
static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "NewTunnel", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "FetchAvailableSessions", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "FetchManagedInterfaces", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupConfigName", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupInterface", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_METHOD, "LookupBackend", OVPN3_ACCESS_SERVICE_USER,
    "Access denied: LookupBackend is for the services of ovpn3 only" },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
};

const Ovpn3AccessTable ovpn3_session_manager_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_SESSIONS_MANAGER, "Access denied", access_rows);

static const Ovpn3ExportedVTable manager_vtable = {
  .method_call = method_call,
  .get_property = ovpn3_manager_get_property,
  .access = &ovpn3_session_manager_access,
};

/* A log service that returned (another owner than the last one) has lost its log proxies:
 * the sessions ask for those of their LogForward subscribers again. */
static void
on_log_appeared(GDBusConnection *connection, const char *name, const char *owner,
                gpointer user_data)
{
  Ovpn3SessionManager *self = user_data;
  gboolean returned = self->log_owner != NULL && !g_str_equal(self->log_owner, owner);
  GHashTableIter iter;
  gpointer value;

  g_free(self->log_owner);
  self->log_owner = g_strdup(owner);
  if (!returned)
    return;
  ovpn3_session_manager_log(self, OVPN3_LOG_CATEGORY_INFO,
                            "The log service returned (%s): restoring the log forwarding", owner);
  g_hash_table_iter_init(&iter, self->sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    ovpn3_session_renew_log_forwards(value);
}

Ovpn3SessionManager *
ovpn3_session_manager_new(Ovpn3ServiceContext *ctx, GError **error)
{
  g_autoptr(Ovpn3SessionManager) self = g_object_new(OVPN3_TYPE_SESSION_MANAGER, NULL);

  self->ctx = ctx;
  self->starter = ovpn3_backend_starter_new(ctx);
  self->registration_id = ovpn3_exporter_register(
      ctx->exporter, OVPN3_SESSIONS_PATH, OVPN3_XML_SESSIONS_MANAGER, &manager_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  self->reconnect = ovpn3_reconnect_new(self);
  self->log_watch = g_bus_watch_name_on_connection(ctx->connection, OVPN3_LOG_BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE, on_log_appeared,
                                                   NULL, self, NULL);
  self->readopt = ovpn3_readopt_new(self, load_state(self));
  ovpn3_backend_starter_set_readopt(self->starter, ovpn3_readopt_request, self->readopt);
  /* the records not taken back yet stay in the file until they are or the wait ends */
  ovpn3_session_manager_save_state(self);
  return g_steal_pointer(&self);
}
