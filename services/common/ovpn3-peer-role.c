#define G_LOG_DOMAIN "ovpn3-peer-role"

#include "config.h"

#include "ovpn3-names.h"
#include "ovpn3-peer-role.h"
#include "ovpn3-signal.h"

/* The session manager answers at once; a hung one must not hang callers. */
#define LOOKUP_TIMEOUT_MS 10000
/* Backend records of names that left while their lookup was in flight are
 * never dropped by NameOwnerChanged; the cache is emptied when it gets this
 * big (a few records per live session otherwise). */
#define CACHE_MAX 1024

struct _Ovpn3PeerRoles
{
  GObject parent_instance;
  GDBusConnection *connection;
  GHashTable *cache;    /* unique name → Ovpn3BackendInfo */
  char *sessions_owner; /* unique name owning net.openvpn.v3.sessions, "" for none */
  gboolean owner_known;
  guint name_owner_changed_id;
  guint session_event_id;
};

G_DEFINE_TYPE(Ovpn3PeerRoles, ovpn3_peer_roles, G_TYPE_OBJECT)

Ovpn3BackendInfo *
ovpn3_backend_info_copy(const Ovpn3BackendInfo *info)
{
  Ovpn3BackendInfo *copy;

  if (info == NULL)
    return NULL;
  copy = g_new0(Ovpn3BackendInfo, 1);
  copy->unique_name = g_strdup(info->unique_name);
  copy->session_path = g_strdup(info->session_path);
  copy->config_path = g_strdup(info->config_path);
  copy->owner = info->owner;
  copy->pid = info->pid;
  return copy;
}

void
ovpn3_backend_info_free(Ovpn3BackendInfo *info)
{
  if (info == NULL)
    return;
  g_free(info->unique_name);
  g_free(info->session_path);
  g_free(info->config_path);
  g_free(info);
}

static void
set_sessions_owner(Ovpn3PeerRoles *self, const char *owner)
{
  self->owner_known = TRUE;
  if (g_strcmp0(self->sessions_owner, owner) == 0)
    return;
  g_free(self->sessions_owner);
  self->sessions_owner = g_strdup(owner);
  /* a new session manager knows none of the old one's sessions */
  g_hash_table_remove_all(self->cache);
}

static void
on_name_owner_changed(const char *name, const char *new_owner, gpointer user_data)
{
  Ovpn3PeerRoles *self = user_data;

  if (ovpn3_name_owner_unique_left(name, new_owner))
    g_hash_table_remove(self->cache, name);
  else if (g_str_equal(name, OVPN3_SESSIONS_BUS_NAME))
    set_sessions_owner(self, new_owner);
}

static gboolean
info_has_session(gpointer key, gpointer value, gpointer user_data)
{
  return g_str_equal(((Ovpn3BackendInfo *) value)->session_path, user_data);
}

/* SESS_DESTROYED: the session is no longer live; its backend is no longer
 * anyone's (it may still be on the bus, cleaning up). */
static void
on_session_event(GDBusConnection *connection, const char *sender_name, const char *object_path,
                 const char *interface_name, const char *signal_name, GVariant *parameters,
                 gpointer user_data)
{
  Ovpn3PeerRoles *self = user_data;
  const char *path;
  guint16 type;
  guint32 owner;

  if (!self->owner_known || g_strcmp0(sender_name, self->sessions_owner) != 0
      || !g_variant_is_of_type(parameters, G_VARIANT_TYPE("(oqu)")))
    return;
  g_variant_get(parameters, "(&oqu)", &path, &type, &owner);
  if (type == OVPN3_SESSION_EVENT_DESTROYED)
    g_hash_table_foreach_remove(self->cache, info_has_session, (gpointer) path);
}

static void
ovpn3_peer_roles_dispose(GObject *object)
{
  Ovpn3PeerRoles *self = OVPN3_PEER_ROLES(object);

  ovpn3_signal_unsubscribe_clear(self->connection, &self->name_owner_changed_id);
  ovpn3_signal_unsubscribe_clear(self->connection, &self->session_event_id);
  g_clear_object(&self->connection);
  g_clear_pointer(&self->cache, g_hash_table_unref);
  G_OBJECT_CLASS(ovpn3_peer_roles_parent_class)->dispose(object);
}

static void
ovpn3_peer_roles_finalize(GObject *object)
{
  g_free(OVPN3_PEER_ROLES(object)->sessions_owner);
  G_OBJECT_CLASS(ovpn3_peer_roles_parent_class)->finalize(object);
}

static void
ovpn3_peer_roles_class_init(Ovpn3PeerRolesClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_peer_roles_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_peer_roles_finalize;
}

static void
ovpn3_peer_roles_init(Ovpn3PeerRoles *self)
{
  self->cache = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) ovpn3_backend_info_free);
  self->sessions_owner = g_strdup("");
}

Ovpn3PeerRoles *
ovpn3_peer_roles_new(GDBusConnection *connection)
{
  Ovpn3PeerRoles *self = g_object_new(OVPN3_TYPE_PEER_ROLES, NULL);

  self->connection = g_object_ref(connection);
  self->name_owner_changed_id = ovpn3_name_owner_subscribe(connection, on_name_owner_changed, self);
  /* the sender is checked against the owner we track, not left to a
   * well-known-name match */
  self->session_event_id = g_dbus_connection_signal_subscribe(
      connection, NULL, OVPN3_SESSIONS_INTERFACE, "SessionManagerEvent", OVPN3_SESSIONS_PATH, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_session_event, self, NULL);
  return self;
}

guint
ovpn3_peer_roles_cache_size(Ovpn3PeerRoles *self)
{
  return g_hash_table_size(self->cache);
}

/* ---- lookup ----------------------------------------------------------------- */

typedef struct
{
  char *sender;
  char *asked; /* the session manager asked */
} LookupData;

static void
lookup_data_free(LookupData *data)
{
  g_free(data->sender);
  g_free(data->asked);
  g_free(data);
}

typedef struct
{
  Ovpn3PeerRole role;
  Ovpn3BackendInfo *backend;
} LookupResult;

static void
lookup_result_free(LookupResult *result)
{
  ovpn3_backend_info_free(result->backend);
  g_free(result);
}

static void
return_role(GTask *task, Ovpn3PeerRole role, const Ovpn3BackendInfo *backend)
{
  LookupResult *result = g_new0(LookupResult, 1);

  result->role = role;
  result->backend = ovpn3_backend_info_copy(backend);
  g_task_return_pointer(task, result, (GDestroyNotify) lookup_result_free);
}

static void
on_lookup_backend(GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Ovpn3PeerRoles *self = g_task_get_source_object(task);
  LookupData *data = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  Ovpn3BackendInfo info = { 0 };
  const char *session_path, *config_path;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
  if (reply == NULL)
    {
      g_debug("%s is not a backend client: %s", data->sender, error->message);
      return_role(task, OVPN3_PEER_ROLE_OTHER, NULL);
      return;
    }
  g_variant_get(reply, "(&o&ouu)", &session_path, &config_path, &info.owner, &info.pid);
  if (!g_str_has_prefix(session_path, OVPN3_SESSIONS_PATH_PREFIX)
      || !g_str_has_prefix(config_path, OVPN3_CONFIG_PATH_PREFIX) || info.pid == 0)
    {
      g_warning("LookupBackend(%s): unusable answer (%s, %s, pid %u)", data->sender, session_path,
                config_path, info.pid);
      return_role(task, OVPN3_PEER_ROLE_OTHER, NULL);
      return;
    }
  /* an answer from a session manager that has left since says nothing */
  if (self->cache == NULL || g_strcmp0(data->asked, self->sessions_owner) != 0)
    {
      return_role(task, OVPN3_PEER_ROLE_OTHER, NULL);
      return;
    }
  info.unique_name = data->sender;
  info.session_path = (char *) session_path;
  info.config_path = (char *) config_path;
  if (g_hash_table_size(self->cache) >= CACHE_MAX)
    g_hash_table_remove_all(self->cache);
  {
    Ovpn3BackendInfo *entry = ovpn3_backend_info_copy(&info);

    g_hash_table_replace(self->cache, entry->unique_name, entry);
  }
  return_role(task, OVPN3_PEER_ROLE_BACKEND, &info);
}

/* Takes the task. */
static void
lookup_known_owner(GTask *task_)
{
  g_autoptr(GTask) task = task_;
  Ovpn3PeerRoles *self = g_task_get_source_object(task);
  LookupData *data = g_task_get_task_data(task);
  const Ovpn3BackendInfo *cached;
  GCancellable *cancellable;

  if (self->cache == NULL)
    {
      return_role(task, OVPN3_PEER_ROLE_OTHER, NULL);
      return;
    }
  if (self->sessions_owner[0] != '\0' && g_str_equal(data->sender, self->sessions_owner))
    {
      return_role(task, OVPN3_PEER_ROLE_SESSION_MANAGER, NULL);
      return;
    }
  cached = g_hash_table_lookup(self->cache, data->sender);
  if (cached != NULL)
    {
      return_role(task, OVPN3_PEER_ROLE_BACKEND, cached);
      return;
    }
  if (self->sessions_owner[0] == '\0')
    {
      /* no session manager, no sessions */
      return_role(task, OVPN3_PEER_ROLE_OTHER, NULL);
      return;
    }
  data->asked = g_strdup(self->sessions_owner);
  /* read before the task is handed on: arguments are evaluated in no fixed order */
  cancellable = g_task_get_cancellable(task);
  g_dbus_connection_call(self->connection, self->sessions_owner, OVPN3_SESSIONS_PATH,
                         OVPN3_SESSIONS_INTERFACE, "LookupBackend",
                         g_variant_new("(s)", data->sender), G_VARIANT_TYPE("(oouu)"),
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, LOOKUP_TIMEOUT_MS, cancellable,
                         on_lookup_backend, g_steal_pointer(&task));
}

static void
on_sessions_owner(GObject *source, GAsyncResult *res, gpointer user_data)
{
  GTask *task = user_data;
  Ovpn3PeerRoles *self = g_task_get_source_object(task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *owner = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
  if (reply != NULL)
    g_variant_get(reply, "(&s)", &owner);
  else if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
    owner = "";
  /* messages arrive in order: a NameOwnerChanged handled before this reply
   * is newer than nothing, one handled after it is newer than the reply */
  if (owner != NULL && !self->owner_known && self->cache != NULL)
    set_sessions_owner(self, owner);
  lookup_known_owner(task);
}

void
ovpn3_peer_roles_lookup_async(Ovpn3PeerRoles *self, const char *sender, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new(self, cancellable, callback, user_data);
  LookupData *data = g_new0(LookupData, 1);

  g_task_set_source_tag(task, ovpn3_peer_roles_lookup_async);
  data->sender = g_strdup(sender);
  g_task_set_task_data(task, data, (GDestroyNotify) lookup_data_free);
  if (sender == NULL || !g_dbus_is_unique_name(sender))
    {
      return_role(task, OVPN3_PEER_ROLE_OTHER, NULL);
      g_object_unref(task);
      return;
    }
  if (!self->owner_known)
    {
      g_dbus_connection_call(self->connection, DBUS_NAME_BUS, DBUS_PATH_BUS, DBUS_INTERFACE_BUS,
                             "GetNameOwner", g_variant_new("(s)", OVPN3_SESSIONS_BUS_NAME),
                             G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1,
                             cancellable, on_sessions_owner, task);
      return;
    }
  lookup_known_owner(task);
}

Ovpn3PeerRole
ovpn3_peer_roles_lookup_finish(Ovpn3PeerRoles *self, GAsyncResult *result,
                               Ovpn3BackendInfo **backend)
{
  LookupResult *r;
  Ovpn3PeerRole role;

  g_return_val_if_fail(g_task_is_valid(result, self), OVPN3_PEER_ROLE_OTHER);
  if (backend != NULL)
    *backend = NULL;
  r = g_task_propagate_pointer(G_TASK(result), NULL);
  if (r == NULL)
    return OVPN3_PEER_ROLE_OTHER;
  role = r->role;
  if (backend != NULL)
    *backend = g_steal_pointer(&r->backend);
  lookup_result_free(r);
  return role;
}
