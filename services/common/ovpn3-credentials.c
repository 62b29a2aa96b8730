#define G_LOG_DOMAIN "ovpn3-credentials"

#include "config.h"

#include "ovpn3-credentials.h"
#include "ovpn3-names.h"
#include "ovpn3-signal.h"

struct _Ovpn3Credentials
{
  GObject parent_instance;
  GDBusConnection *connection;
  GHashTable *cache; /* unique name → Ovpn3Caller */
  guint name_owner_changed_id;
};

G_DEFINE_TYPE(Ovpn3Credentials, ovpn3_credentials, G_TYPE_OBJECT)

Ovpn3Caller *
ovpn3_caller_copy(const Ovpn3Caller *caller)
{
  Ovpn3Caller *copy = g_new0(Ovpn3Caller, 1);

  copy->sender = g_strdup(caller->sender);
  copy->uid = caller->uid;
  copy->pid = caller->pid;
  copy->admin = caller->admin;
  copy->role = caller->role;
  copy->backend = ovpn3_backend_info_copy(caller->backend);
  return copy;
}

void
ovpn3_caller_free(Ovpn3Caller *caller)
{
  if (caller == NULL)
    return;
  g_free(caller->sender);
  ovpn3_backend_info_free(caller->backend);
  g_free(caller);
}

static void
on_name_owner_changed(const char *name, const char *new_owner, gpointer user_data)
{
  Ovpn3Credentials *self = user_data;

  if (ovpn3_name_owner_unique_left(name, new_owner))
    g_hash_table_remove(self->cache, name);
}

static void
ovpn3_credentials_dispose(GObject *object)
{
  Ovpn3Credentials *self = OVPN3_CREDENTIALS(object);

  ovpn3_signal_unsubscribe_clear(self->connection, &self->name_owner_changed_id);
  g_clear_object(&self->connection);
  g_clear_pointer(&self->cache, g_hash_table_unref);
  G_OBJECT_CLASS(ovpn3_credentials_parent_class)->dispose(object);
}

static void
ovpn3_credentials_class_init(Ovpn3CredentialsClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_credentials_dispose;
}

static void
ovpn3_credentials_init(Ovpn3Credentials *self)
{
  self->cache
      = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify) ovpn3_caller_free);
}

Ovpn3Credentials *
ovpn3_credentials_new(GDBusConnection *connection)
{
  Ovpn3Credentials *self = g_object_new(OVPN3_TYPE_CREDENTIALS, NULL);

  self->connection = g_object_ref(connection);
  self->name_owner_changed_id = ovpn3_name_owner_subscribe(connection, on_name_owner_changed, self);
  return self;
}

const Ovpn3Caller *
ovpn3_credentials_peek(Ovpn3Credentials *self, const char *sender)
{
  return g_hash_table_lookup(self->cache, sender);
}

guint
ovpn3_credentials_cache_size(Ovpn3Credentials *self)
{
  return g_hash_table_size(self->cache);
}

static void
on_get_credentials(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  Ovpn3Credentials *self = g_task_get_source_object(task);
  const char *sender = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) dict = NULL;
  Ovpn3Caller caller = { 0 };

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  g_variant_get(reply, "(@a{sv})", &dict);
  if (!g_variant_lookup(dict, "UnixUserID", "u", &caller.uid))
    {
      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                              "Could not determine the caller's user id");
      return;
    }
  if (!g_variant_lookup(dict, "ProcessID", "u", &caller.pid))
    caller.pid = 0;
  caller.sender = (char *) sender;

  /* Messages arrive in order: if the name vanishes after this reply, its
   * NameOwnerChanged is handled after this insert and drops the entry. */
  if (!g_hash_table_contains(self->cache, sender))
    {
      Ovpn3Caller *entry = ovpn3_caller_copy(&caller);
      g_hash_table_insert(self->cache, entry->sender, entry);
    }
  g_task_return_pointer(task, ovpn3_caller_copy(&caller), (GDestroyNotify) ovpn3_caller_free);
}

void
ovpn3_credentials_lookup_async(Ovpn3Credentials *self, const char *sender,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);
  const Ovpn3Caller *cached;

  g_task_set_source_tag(task, ovpn3_credentials_lookup_async);
  if (sender == NULL)
    {
      /* peer-to-peer connection: no bus daemon to ask */
      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                              "Could not authenticate the caller");
      return;
    }
  cached = g_hash_table_lookup(self->cache, sender);
  if (cached != NULL)
    {
      g_task_return_pointer(task, ovpn3_caller_copy(cached), (GDestroyNotify) ovpn3_caller_free);
      return;
    }
  g_task_set_task_data(task, g_strdup(sender), g_free);
  g_dbus_connection_call(self->connection, DBUS_NAME_BUS, DBUS_PATH_BUS, DBUS_INTERFACE_BUS,
                         "GetConnectionCredentials", g_variant_new("(s)", sender),
                         G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable,
                         on_get_credentials, g_steal_pointer(&task));
}

Ovpn3Caller *
ovpn3_credentials_lookup_finish(Ovpn3Credentials *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}
