#define G_LOG_DOMAIN "ovpn3-session-properties"

#include "config.h"

#include "session-properties.h"

/* the text upstream's clients see for an unreadable backend property */
#define TEXT_STOPPED "VPN session is stopped"

typedef struct
{
  Ovpn3Session *session;
  Ovpn3BackendProxy *backend;
  char *name; /* the session's property */
} BackendRead;

static void
backend_read_free(BackendRead *read)
{
  g_object_unref(read->session);
  g_object_unref(read->backend);
  g_free(read->name);
  g_free(read);
}

/* The backend's property behind a session property, NULL if none. */
static const char *
backend_name_of(const char *name)
{
  static const char *const proxied[]
      = { "statistics", "device_path", "device_name", "session_name", NULL };

  if (g_strv_contains(proxied, name))
    return name;
  if (g_str_equal(name, "connected_to"))
    return "connection";
  return NULL;
}

/* The backend's value as the session's property (new floating value). */
static GVariant *
convert(const char *name, GVariant *value)
{
  if (g_str_equal(name, "statistics"))
    {
      if (!g_variant_is_of_type(value, G_VARIANT_TYPE("a{sx}")))
        return g_variant_new_array(G_VARIANT_TYPE("{sx}"), NULL, 0);
    }
  else if (g_str_equal(name, "device_path"))
    {
      if (!g_variant_is_of_type(value, G_VARIANT_TYPE_OBJECT_PATH))
        return g_variant_new_object_path("/");
    }
  else if (g_str_equal(name, "connected_to"))
    {
      const char *proto = "", *host = "", *address = "";
      guint32 port = 0;

      if (g_variant_is_of_type(value, G_VARIANT_TYPE("(sssu)")))
        g_variant_get(value, "(&s&s&su)", &proto, &host, &address, &port);
      return g_variant_new("(ssu)", proto, address, port);
    }
  else if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
    return g_variant_new_string("");
  /* a floating copy of a value we hold */
  {
    g_autoptr(GBytes) bytes = g_variant_get_data_as_bytes(value);

    return g_variant_new_from_bytes(g_variant_get_type(value), bytes, FALSE);
  }
}

static void
on_backend_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  BackendRead *read = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) value
      = ovpn3_backend_proxy_get_property_finish(read->backend, result, &error);

  if (value == NULL)
    {
      ovpn3_session_backend_read_failed(read->session, read->backend, read->name, error);
      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, TEXT_STOPPED);
      return;
    }
  g_task_return_pointer(task, g_variant_ref_sink(convert(read->name, value)),
                        (GDestroyNotify) g_variant_unref);
}

void
ovpn3_session_read_backend_property_async(Ovpn3Session *self, const char *name,
                                          GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);
  Ovpn3BackendProxy *backend = ovpn3_session_get_readable_backend(self);
  const char *backend_name = backend_name_of(name);
  BackendRead *read;

  g_task_set_source_tag(task, ovpn3_session_read_backend_property_async);
  if (backend == NULL || backend_name == NULL)
    {
      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, TEXT_STOPPED);
      return;
    }
  read = g_new0(BackendRead, 1);
  read->session = g_object_ref(self);
  read->backend = g_object_ref(backend);
  read->name = g_strdup(name);
  g_task_set_task_data(task, read, (GDestroyNotify) backend_read_free);
  ovpn3_backend_proxy_get_property_async(backend, backend_name, on_backend_read,
                                         g_steal_pointer(&task));
}

GVariant *
ovpn3_session_read_backend_property_finish(Ovpn3Session *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, self), NULL);
  return g_task_propagate_pointer(G_TASK(result), error);
}

/* ---- the exporter's asynchronous getter ---------------------------------- */

static void
on_property_read(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ovpn3PropertyReply *reply = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *value
      = ovpn3_session_read_backend_property_finish(OVPN3_SESSION(source), result, &error);

  if (value == NULL)
    ovpn3_property_reply_error(reply, error);
  else
    ovpn3_property_reply_return(reply, value);
}

gboolean
ovpn3_session_get_property_async(gpointer object, const Ovpn3Caller *caller, const char *name,
                                 Ovpn3PropertyReply *reply)
{
  if (backend_name_of(name) == NULL)
    return FALSE;
  ovpn3_session_read_backend_property_async(OVPN3_SESSION(object), name, on_property_read, reply);
  return TRUE;
}

/* ---- device_name for the manager's interface lookups --------------------- */

void
ovpn3_session_get_device_name_async(Ovpn3Session *self, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  ovpn3_session_read_backend_property_async(self, "device_name", callback, user_data);
}

char *
ovpn3_session_get_device_name_finish(Ovpn3Session *self, GAsyncResult *result)
{
  g_autoptr(GVariant) value = ovpn3_session_read_backend_property_finish(self, result, NULL);

  if (value == NULL || !g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
    return g_strdup("");
  return g_variant_dup_string(value, NULL);
}

typedef struct
{
  GPtrArray *sessions; /* Ovpn3Session */
  char **names;        /* [sessions->len + 1] */
  guint outstanding;   /* plus one while starting */
} DeviceNames;

static void
device_names_free(DeviceNames *lookup)
{
  g_ptr_array_unref(lookup->sessions);
  g_strfreev(lookup->names);
  g_free(lookup);
}

static void
device_names_release(GTask *task)
{
  DeviceNames *lookup = g_task_get_task_data(task);

  if (--lookup->outstanding == 0)
    g_task_return_pointer(task, g_steal_pointer(&lookup->names), (GDestroyNotify) g_strfreev);
  g_object_unref(task);
}

typedef struct
{
  GTask *task;
  guint index;
} DeviceName;

static void
on_device_name(GObject *source, GAsyncResult *result, gpointer user_data)
{
  DeviceName *one = user_data;
  DeviceNames *lookup = g_task_get_task_data(one->task);

  lookup->names[one->index] = ovpn3_session_get_device_name_finish(OVPN3_SESSION(source), result);
  device_names_release(one->task);
  g_free(one);
}

void
ovpn3_sessions_get_device_names_async(GPtrArray *sessions, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  GTask *task = g_task_new(NULL, NULL, callback, user_data);
  DeviceNames *lookup = g_new0(DeviceNames, 1);

  g_task_set_source_tag(task, ovpn3_sessions_get_device_names_async);
  lookup->sessions = g_ptr_array_ref(sessions);
  lookup->names = g_new0(char *, sessions->len + 1);
  lookup->outstanding = 1;
  g_task_set_task_data(task, lookup, (GDestroyNotify) device_names_free);
  for (guint i = 0; i < sessions->len; i++)
    {
      DeviceName *one = g_new0(DeviceName, 1);

      one->task = g_object_ref(task);
      one->index = i;
      lookup->outstanding++;
      ovpn3_session_get_device_name_async(g_ptr_array_index(sessions, i), on_device_name, one);
    }
  device_names_release(task);
}

char **
ovpn3_sessions_get_device_names_finish(GAsyncResult *result)
{
  return g_task_propagate_pointer(G_TASK(result), NULL);
}
