#define G_LOG_DOMAIN "ovpn3-log-service"

#include "config.h"

#include "log-service.h"

#include "log-proxy.h"
#include "log-settings.h"
#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-log-client.h"
#include "ovpn3-names.h"
#include "ovpn3-state-file.h"

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
  Ovpn3LogSettings settings;
  char *settings_path; /* NULL: nothing is persisted */
  guint registration_id;
  GPtrArray *attached; /* LogAttach*, in Attach order */
  GHashTable *proxies; /* path → Ovpn3LogProxy */
};

G_DEFINE_FINAL_TYPE(Ovpn3LogService, ovpn3_log_service, G_TYPE_OBJECT)

static char *opt_log_method;
static char *opt_log_file;

const GOptionEntry ovpn3_log_service_options[] = {
  { "log-method", 0, 0, G_OPTION_ARG_STRING, &opt_log_method,
    "Where to write log events: journald (default), file or stderr", "METHOD" },
  { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_log_file,
    "Append log events to FILE (implies --log-method file)", "FILE" },
  { NULL },
};

/* ---- attach records ----------------------------------------------------- */

static void
log_attach_clear(gpointer data)
{
  LogAttach *attach = data;

  g_free(attach->sender);
  g_free(attach->interface);
  g_free(attach->tag);
  g_free(attach->session_path);
  g_free(attach->object_path);
}

static void
log_attach_release(gpointer data)
{
  g_rc_box_release_full(data, log_attach_clear);
}

/* The log tag: a stable hash of "<bus name>/<interface>", in decimal. */
static char *
log_tag_new(const char *sender, const char *interface)
{
  guint64 hash = G_GUINT64_CONSTANT(14695981039346656037);
  g_autofree char *key = g_strconcat(sender, "/", interface, NULL);

  for (const char *p = key; *p != '\0'; p++)
    {
      hash ^= (guchar) *p;
      hash *= G_GUINT64_CONSTANT(1099511628211);
    }
  return g_strdup_printf("%" G_GUINT64_FORMAT, hash);
}

static LogAttach *
find_attach(Ovpn3LogService *self, const char *sender, const char *interface)
{
  for (guint i = 0; i < self->attached->len; i++)
    {
      LogAttach *attach = g_ptr_array_index(self->attached, i);

      if (g_str_equal(attach->sender, sender) && g_str_equal(attach->interface, interface))
        return attach;
    }
  return NULL;
}

static gboolean
session_has_backend(Ovpn3LogService *self, const char *session_path)
{
  for (guint i = 0; i < self->attached->len; i++)
    {
      LogAttach *attach = g_ptr_array_index(self->attached, i);

      if (g_strcmp0(attach->session_path, session_path) == 0)
        return TRUE;
    }
  return FALSE;
}

/* ---- writing ------------------------------------------------------------- */

static void
write_event(Ovpn3LogService *self, const Ovpn3LogEvent *event)
{
  ovpn3_log_writer_write(self->writer, event);
  if (self->mirror != NULL)
    ovpn3_log_writer_write(self->mirror, event);
}

static void
apply_settings(Ovpn3LogService *self)
{
  ovpn3_log_writer_set_settings(self->writer, &self->settings);
  if (self->mirror != NULL)
    ovpn3_log_writer_set_settings(self->mirror, &self->settings);
}

static void service_log(Ovpn3LogService *self, Ovpn3LogCategory category, const char *format, ...)
    G_GNUC_PRINTF(3, 4);

static void
service_log(Ovpn3LogService *self, Ovpn3LogCategory category, const char *format, ...)
{
  g_autofree char *message = NULL;
  Ovpn3LogEvent event = { 0 };
  va_list args;

  if (!ovpn3_log_level_passes(self->settings.log_level, category))
    return;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);

  event.group = OVPN3_LOG_GROUP_LOGGER;
  event.category = category;
  event.message = message;
  event.service = OVPN3_LOG_INTERFACE;
  event.object_path = OVPN3_LOG_PATH;
  if (self->connection != NULL)
    event.bus_name = g_dbus_connection_get_unique_name(self->connection);
  write_event(self, &event);
}

static void
forward_to_proxies(Ovpn3LogService *self, const char *session_path, gboolean is_log, guint a,
                   guint b, const char *message)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->proxies);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Ovpn3LogProxy *proxy = value;

      if (!g_str_equal(ovpn3_log_proxy_get_session_path(proxy), session_path))
        continue;
      if (is_log)
        ovpn3_log_proxy_forward_log(proxy, a, b, message);
      else
        ovpn3_log_proxy_forward_status(proxy, a, b, message);
    }
}

static void
handle_log_signal(Ovpn3LogService *self, LogAttach *attach, GVariant *parameters)
{
  guint32 group, category;
  const char *token = NULL;
  const char *message;

  if (g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uus)")))
    g_variant_get(parameters, "(uu&s)", &group, &category, &message);
  else if (g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uuss)")))
    g_variant_get(parameters, "(uu&s&s)", &group, &category, &token, &message);
  else
    {
      g_debug("Ignoring Log with signature %s from %s", g_variant_get_type_string(parameters),
              attach->sender);
      return;
    }

  if (ovpn3_log_level_passes(self->settings.log_level, category))
    {
      Ovpn3LogEvent event = {
        .group = group,
        .category = category,
        .message = message,
        .service = attach->interface,
        .bus_name = attach->sender,
        .object_path = attach->object_path,
        .tag = attach->tag,
        .session_path = attach->session_path,
        .session_token = (token != NULL && *token != '\0') ? token : NULL,
      };

      write_event(self, &event);
    }

  if (attach->session_path != NULL)
    forward_to_proxies(self, attach->session_path, TRUE, group, category, message);
}

/* StatusChange carries no log group: take it from the sender's interface. */
static guint
group_of_interface(const char *interface)
{
  if (g_str_equal(interface, OVPN3_BACKENDS_INTERFACE))
    return OVPN3_LOG_GROUP_BACKENDPROC;
  if (g_str_equal(interface, OVPN3_SESSIONS_INTERFACE))
    return OVPN3_LOG_GROUP_SESSIONMGR;
  if (g_str_equal(interface, OVPN3_CONFIG_INTERFACE))
    return OVPN3_LOG_GROUP_CONFIGMGR;
  if (g_str_equal(interface, OVPN3_NETCFG_INTERFACE))
    return OVPN3_LOG_GROUP_NETCFG;
  return OVPN3_LOG_GROUP_UNDEFINED;
}

static void
handle_status_signal(Ovpn3LogService *self, LogAttach *attach, GVariant *parameters)
{
  guint32 major, minor;
  const char *message;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uus)")))
    {
      g_debug("Ignoring StatusChange with signature %s from %s",
              g_variant_get_type_string(parameters), attach->sender);
      return;
    }
  g_variant_get(parameters, "(uu&s)", &major, &minor, &message);

  if (ovpn3_log_level_passes(self->settings.log_level, OVPN3_LOG_CATEGORY_VERB1))
    {
      g_autofree char *text
          = g_strdup_printf("Status change: major=%u minor=%u: %s", major, minor, message);
      Ovpn3LogEvent event = {
        .group = group_of_interface(attach->interface),
        .category = OVPN3_LOG_CATEGORY_VERB1,
        .message = text,
        .service = attach->interface,
        .bus_name = attach->sender,
        .object_path = attach->object_path,
        .tag = attach->tag,
        .session_path = attach->session_path,
      };

      write_event(self, &event);
    }

  if (attach->session_path != NULL)
    forward_to_proxies(self, attach->session_path, FALSE, major, minor, message);
}

static void
on_attached_signal(GDBusConnection *connection, const char *sender_name, const char *object_path,
                   const char *interface_name, const char *signal_name, GVariant *parameters,
                   gpointer user_data)
{
  LogAttach *attach = user_data;
  Ovpn3LogService *self = attach->service;

  if (self == NULL)
    return;
  if (attach->object_path == NULL)
    attach->object_path = g_strdup(object_path);

  if (g_strcmp0(signal_name, "Log") == 0)
    handle_log_signal(self, attach, parameters);
  else if (g_strcmp0(signal_name, "StatusChange") == 0)
    handle_status_signal(self, attach, parameters);
}

static void
detach(Ovpn3LogService *self, LogAttach *attach)
{
  if (attach->subscription_id != 0)
    {
      g_dbus_connection_signal_unsubscribe(self->connection, attach->subscription_id);
      attach->subscription_id = 0;
    }
  if (attach->watch_id != 0)
    {
      g_bus_unwatch_name(attach->watch_id);
      attach->watch_id = 0;
    }
  attach->service = NULL;
  if (self->idle != NULL)
    ovpn3_idle_release(self->idle);
  g_ptr_array_remove(self->attached, attach); /* drops the array's reference */
}

static void
attach_sender_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  LogAttach *attach = user_data;
  Ovpn3LogService *self = attach->service;

  if (self == NULL)
    return;
  service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Detached (left the bus): %s %s", attach->sender,
              attach->interface);
  detach(self, attach);
}

static LogAttach *
attach_new(Ovpn3LogService *self, const char *sender, const char *interface)
{
  LogAttach *attach = g_rc_box_new0(LogAttach);

  attach->service = self;
  attach->sender = g_strdup(sender);
  attach->interface = g_strdup(interface);
  attach->tag = log_tag_new(sender, interface);
  attach->subscription_id = g_dbus_connection_signal_subscribe(
      self->connection, sender, interface, NULL, NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      on_attached_signal, g_rc_box_acquire(attach), log_attach_release);
  attach->watch_id = g_bus_watch_name_on_connection(
      self->connection, sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, attach_sender_vanished,
      g_rc_box_acquire(attach), log_attach_release);
  g_ptr_array_add(self->attached, attach);
  if (self->idle != NULL)
    ovpn3_idle_hold(self->idle);
  return attach;
}

/* ---- method calls ---------------------------------------------------------- */

/* A ProxyLogEvents call while its target's credentials are looked up. */
typedef struct
{
  Ovpn3LogService *self;
  Ovpn3Caller *caller;
  GVariant *parameters;
  GDBusMethodInvocation *invocation;
} CallData;

static void
call_data_free(CallData *data)
{
  g_object_unref(data->self);
  ovpn3_caller_free(data->caller);
  g_variant_unref(data->parameters);
  g_object_unref(data->invocation);
  g_free(data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallData, call_data_free)

static void
return_log_error(GDBusMethodInvocation *invocation, const char *text)
{
  g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_LOG, OVPN3_ERROR_FAILED,
                                                text);
}

static void
method_attach(Ovpn3LogService *self, const Ovpn3Caller *caller, GVariant *parameters,
              GDBusMethodInvocation *invocation)
{
  const char *interface;
  LogAttach *attach;

  g_variant_get(parameters, "(&s)", &interface);
  if (!g_dbus_is_interface_name(interface))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "Invalid interface name “%s”", interface);
      return;
    }
  if (find_attach(self, caller->sender, interface) != NULL)
    {
      return_log_error(invocation, "Already attached");
      return;
    }

  attach = attach_new(self, caller->sender, interface);
  service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Attached: %s %s (tag %s)", attach->sender,
              attach->interface, attach->tag);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
method_detach(Ovpn3LogService *self, const Ovpn3Caller *caller, GVariant *parameters,
              GDBusMethodInvocation *invocation)
{
  const char *interface;
  LogAttach *attach;

  g_variant_get(parameters, "(&s)", &interface);
  attach = find_attach(self, caller->sender, interface);
  if (attach == NULL)
    {
      return_log_error(invocation, "Not attached");
      return;
    }
  service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Detached: %s %s", attach->sender, attach->interface);
  detach(self, attach);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

/* Only the backend client the session manager confirmed for that session
 * (docs/security.md §5): the exporter asked it (LookupBackend) before this runs. */
static void
method_assign_session(Ovpn3LogService *self, const Ovpn3Caller *caller, GVariant *parameters,
                      GDBusMethodInvocation *invocation)
{
  const char *session_path, *interface;
  LogAttach *attach;

  g_variant_get(parameters, "(&o&s)", &session_path, &interface);
  /* the table admitted a confirmed backend client; which session it may
   * assign depends on the argument, so that is decided here */
  if (!g_str_equal(caller->backend->session_path, session_path))
    {
      ovpn3_invocation_return_access_denied(invocation,
                                            "Access denied: only the backend client the session "
                                            "manager confirmed for a session may assign it");
      return;
    }
  attach = find_attach(self, caller->sender, interface);
  if (attach == NULL)
    {
      return_log_error(invocation, "Not attached");
      return;
    }
  g_free(attach->session_path);
  attach->session_path = g_strdup(session_path);
  service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Session %s assigned to %s %s", session_path,
              attach->sender, attach->interface);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
method_get_subscriber_list(Ovpn3LogService *self, const Ovpn3Caller *caller,
                           GDBusMethodInvocation *invocation)
{
  GVariantBuilder builder;

  g_variant_builder_init(&builder, G_VARIANT_TYPE("a(ssss)"));
  for (guint i = 0; i < self->attached->len; i++)
    {
      LogAttach *attach = g_ptr_array_index(self->attached, i);

      g_variant_builder_add(&builder, "(ssss)", attach->tag, attach->sender, attach->interface,
                            attach->object_path != NULL ? attach->object_path : "");
    }
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(a(ssss))", &builder));
}

static void
proxy_closed(Ovpn3LogProxy *proxy, gpointer user_data)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(user_data);

  service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Log proxy %s removed",
              ovpn3_log_proxy_get_path(proxy));
  g_signal_handlers_disconnect_by_data(proxy, self);
  g_hash_table_remove(self->proxies, ovpn3_log_proxy_get_path(proxy));
}

static Ovpn3LogProxy *
find_proxy(Ovpn3LogService *self, const char *target, const char *session_path)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->proxies);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(ovpn3_log_proxy_get_target(value), target)
        && g_str_equal(ovpn3_log_proxy_get_session_path(value), session_path))
      return value;
  return NULL;
}

static void
proxy_target_resolved(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(CallData) data = user_data;
  Ovpn3LogService *self = data->self;
  g_autoptr(Ovpn3Caller) target = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3LogProxy) proxy = NULL;
  const char *target_address, *session_path;
  Ovpn3LogProxy *existing;

  g_variant_get(data->parameters, "(&s&o)", &target_address, &session_path);
  target = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, &error);
  if (target == NULL)
    {
      g_dbus_method_invocation_return_error(
          data->invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
          "Target %s is not connected to the bus", target_address);
      return;
    }
  /* The world may have changed while we waited. */
  if (!session_has_backend(self, session_path))
    {
      return_log_error(data->invocation, "No session available");
      return;
    }
  existing = find_proxy(self, target_address, session_path);
  if (existing != NULL)
    {
      g_dbus_method_invocation_return_value(
          data->invocation, g_variant_new("(o)", ovpn3_log_proxy_get_path(existing)));
      return;
    }

  proxy = ovpn3_log_proxy_new(self->exporter, target_address, target->uid, session_path,
                              data->caller->sender, &error);
  if (proxy == NULL)
    {
      g_warning("Could not create a log proxy: %s", error->message);
      g_dbus_method_invocation_return_error(data->invocation, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                            "Could not create a log proxy");
      return;
    }
  g_signal_connect(proxy, "closed", G_CALLBACK(proxy_closed), self);
  g_hash_table_insert(self->proxies, g_strdup(ovpn3_log_proxy_get_path(proxy)),
                      g_object_ref(proxy));
  service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Log proxy %s: %s → %s",
              ovpn3_log_proxy_get_path(proxy), session_path, target_address);
  g_dbus_method_invocation_return_value(data->invocation,
                                        g_variant_new("(o)", ovpn3_log_proxy_get_path(proxy)));
}

/* Only the session manager (the table, SESSION_MANAGER). */
static void
method_proxy_log_events(Ovpn3LogService *self, const Ovpn3Caller *caller, GVariant *parameters,
                        GDBusMethodInvocation *invocation)
{
  CallData *data = g_new0(CallData, 1);
  const char *target_address, *session_path;
  Ovpn3LogProxy *existing;

  data->self = g_object_ref(self);
  data->caller = ovpn3_caller_copy(caller);
  data->parameters = g_variant_ref(parameters);
  data->invocation = g_object_ref(invocation);
  g_variant_get(data->parameters, "(&s&o)", &target_address, &session_path);
  if (!g_dbus_is_unique_name(target_address))
    {
      g_dbus_method_invocation_return_error(
          data->invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
          "Invalid target “%s”: not a unique bus name", target_address);
      call_data_free(data);
      return;
    }
  if (!session_has_backend(self, session_path))
    {
      return_log_error(data->invocation, "No session available");
      call_data_free(data);
      return;
    }
  existing = find_proxy(self, target_address, session_path);
  if (existing != NULL)
    {
      g_dbus_method_invocation_return_value(
          data->invocation, g_variant_new("(o)", ovpn3_log_proxy_get_path(existing)));
      call_data_free(data);
      return;
    }
  ovpn3_credentials_lookup_async(ovpn3_exporter_get_credentials(self->exporter), target_address,
                                 NULL, proxy_target_resolved, data);
}

static void
manager_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
                    GVariant *parameters, GDBusMethodInvocation *invocation)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  if (g_strcmp0(method, "AssignSession") == 0)
    method_assign_session(self, caller, parameters, invocation);
  else if (g_strcmp0(method, "ProxyLogEvents") == 0)
    method_proxy_log_events(self, caller, parameters, invocation);
  else if (g_strcmp0(method, "Attach") == 0)
    method_attach(self, caller, parameters, invocation);
  else if (g_strcmp0(method, "Detach") == 0)
    method_detach(self, caller, parameters, invocation);
  else if (g_strcmp0(method, "GetSubscriberList") == 0)
    method_get_subscriber_list(self, caller, invocation);
  else
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                          "Unknown method %s", method);
}

/* ---- properties ------------------------------------------------------------ */

static GVariant *
manager_get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  if (g_strcmp0(name, "log_method") == 0)
    return g_variant_new_string(
        ovpn3_log_method_to_string(ovpn3_log_writer_get_method(self->writer)));
  if (g_strcmp0(name, "config_file") == 0)
    return g_variant_new_string(self->settings_path != NULL ? self->settings_path : "");
  if (g_strcmp0(name, "num_attached") == 0)
    return g_variant_new_uint32(self->attached->len);
  if (g_strcmp0(name, "log_level") == 0)
    return g_variant_new_uint32(self->settings.log_level);
  if (g_strcmp0(name, "log_dbus_details") == 0)
    return g_variant_new_boolean(self->settings.log_dbus_details);
  if (g_strcmp0(name, "log_prefix_logtag") == 0)
    return g_variant_new_boolean(self->settings.log_prefix_logtag);
  if (g_strcmp0(name, "timestamp") == 0)
    return g_variant_new_boolean(self->settings.timestamp);

  return ovpn3_manager_get_common_property(name, error);
}

static gboolean
manager_set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
                     GError **error)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);
  Ovpn3LogSettings updated = self->settings;
  g_autoptr(GError) local_error = NULL;

  if (g_strcmp0(name, "log_level") == 0)
    {
      guint level = g_variant_get_uint32(value);

      if (level > OVPN3_LOG_LEVEL_MAX)
        {
          g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                      "Invalid log level %u: must be between 0 and %d", level, OVPN3_LOG_LEVEL_MAX);
          return FALSE;
        }
      updated.log_level = level;
    }
  else if (g_strcmp0(name, "log_dbus_details") == 0)
    updated.log_dbus_details = g_variant_get_boolean(value);
  else if (g_strcmp0(name, "log_prefix_logtag") == 0)
    updated.log_prefix_logtag = g_variant_get_boolean(value);
  else if (g_strcmp0(name, "timestamp") == 0)
    updated.timestamp = g_variant_get_boolean(value);
  else
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
                  "Property “%s” is read-only", name);
      return FALSE;
    }

  if (self->settings_path != NULL
      && !ovpn3_log_settings_save(&updated, self->settings_path, &local_error))
    {
      g_warning("Could not save %s: %s", self->settings_path, local_error->message);
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Could not save the setting: %s",
                  local_error->message);
      return FALSE;
    }

  self->settings = updated;
  apply_settings(self);
  service_log(self, OVPN3_LOG_CATEGORY_VERB1, "Setting %s changed by uid %u", name, caller->uid);
  return TRUE;
}

/* Logging clients are root and the services; AssignSession only for a
 * backend client the session manager confirmed (docs/security.md §5), ProxyLogEvents
 * only for the session manager. */
#define PRIVILEGED (OVPN3_ACCESS_ROOT | OVPN3_ACCESS_SERVICE_USER)

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Attach", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "Detach", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "GetSubscriberList", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "AssignSession", OVPN3_ACCESS_BACKEND,
    "Access denied: only the backend client the session manager confirmed for a session may "
    "assign it" },
  { OVPN3_ACCESS_METHOD, "ProxyLogEvents", OVPN3_ACCESS_SESSION_MANAGER,
    "Access denied: only the session manager may proxy log events" },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
  { OVPN3_ACCESS_READ, "log_method", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "config_file", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "num_attached", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "log_level", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_level", PRIVILEGED },
  { OVPN3_ACCESS_READ, "log_dbus_details", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_dbus_details", PRIVILEGED },
  { OVPN3_ACCESS_READ, "log_prefix_logtag", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_prefix_logtag", PRIVILEGED },
  { OVPN3_ACCESS_READ, "timestamp", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "timestamp", PRIVILEGED },
};

const Ovpn3AccessTable ovpn3_log_manager_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_LOG_MANAGER, "Access denied", access_rows);

/* BACKEND: any confirmed backend client (the log manager belongs to no
 * session; AssignSession checks the session it names). */
static gboolean
manager_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                     const char *member)
{
  return bit == OVPN3_ACCESS_BACKEND;
}

static const Ovpn3ExportedVTable manager_vtable = {
  .method_call = manager_method_call,
  .get_property = manager_get_property,
  .set_property = manager_set_property,
  .access = &ovpn3_log_manager_access,
  .access_check = manager_access_check,
};

/* ---- life cycle ------------------------------------------------------------ */

static void
ovpn3_log_service_dispose(GObject *object)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  if (self->proxies != NULL)
    {
      g_autoptr(GList) proxies = g_hash_table_get_values(self->proxies);

      for (GList *l = proxies; l != NULL; l = l->next)
        g_signal_handlers_disconnect_by_data(l->data, self);
      g_hash_table_remove_all(self->proxies);
    }
  while (self->attached != NULL && self->attached->len > 0)
    detach(self, g_ptr_array_index(self->attached, self->attached->len - 1));
  if (self->registration_id != 0)
    {
      ovpn3_exporter_unregister(self->exporter, self->registration_id);
      self->registration_id = 0;
    }
  g_clear_object(&self->writer);
  g_clear_object(&self->mirror);
  g_clear_object(&self->idle);
  g_clear_object(&self->connection);

  G_OBJECT_CLASS(ovpn3_log_service_parent_class)->dispose(object);
}

static void
ovpn3_log_service_finalize(GObject *object)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  g_clear_pointer(&self->proxies, g_hash_table_unref);
  g_clear_pointer(&self->attached, g_ptr_array_unref);
  g_free(self->settings_path);

  G_OBJECT_CLASS(ovpn3_log_service_parent_class)->finalize(object);
}

static void
ovpn3_log_service_class_init(Ovpn3LogServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = ovpn3_log_service_dispose;
  object_class->finalize = ovpn3_log_service_finalize;
}

static void
proxy_unref_closing(gpointer data)
{
  ovpn3_log_proxy_close(data);
  g_object_unref(data);
}

static void
ovpn3_log_service_init(Ovpn3LogService *self)
{
  ovpn3_log_settings_init(&self->settings);
  self->attached = g_ptr_array_new_with_free_func(log_attach_release);
  self->proxies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, proxy_unref_closing);
}

Ovpn3LogService *
ovpn3_log_service_new(Ovpn3Exporter *exporter, Ovpn3Idle *idle, const char *state_dir,
                      Ovpn3LogMethod method, const char *file, GError **error)
{
  g_autoptr(Ovpn3LogService) self = g_object_new(OVPN3_TYPE_LOG_SERVICE, NULL);
  g_autoptr(GError) load_error = NULL;

  self->exporter = exporter;
  self->idle = idle != NULL ? g_object_ref(idle) : NULL;
  self->connection = g_object_ref(ovpn3_exporter_get_connection(exporter));

  self->writer = ovpn3_log_writer_new(method, file, error);
  if (self->writer == NULL)
    return NULL;

  if (state_dir != NULL)
    {
      if (!ovpn3_state_dir_ensure(state_dir, error))
        return NULL;
      self->settings_path = g_build_filename(state_dir, OVPN3_LOG_SETTINGS_FILE, NULL);
      /* A bad file is reported and left in place; the defaults apply. */
      if (!ovpn3_log_settings_load(&self->settings, self->settings_path, &load_error))
        g_warning("Ignoring the log settings: %s", load_error->message);
    }
  apply_settings(self);
  /* --idle-exit and OVPN3_IDLE_EXIT win; otherwise the settings file's */
  if (self->idle != NULL && ovpn3_idle_get_timeout(self->idle) == 0
      && self->settings.idle_exit_minutes > 0)
    ovpn3_idle_set_timeout(self->idle, self->settings.idle_exit_minutes * 60);

  self->registration_id = ovpn3_exporter_register(exporter, OVPN3_LOG_PATH, OVPN3_XML_LOG_MANAGER,
                                                  &manager_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;

  service_log(self, OVPN3_LOG_CATEGORY_INFO, "Log service started (%s)",
              ovpn3_log_method_to_string(method));
  return g_steal_pointer(&self);
}

void
ovpn3_log_service_mirror_to_stderr(Ovpn3LogService *self)
{
  g_return_if_fail(OVPN3_IS_LOG_SERVICE(self));

  if (self->mirror != NULL || ovpn3_log_writer_get_method(self->writer) == OVPN3_LOG_METHOD_STDERR)
    return;
  self->mirror = ovpn3_log_writer_new(OVPN3_LOG_METHOD_STDERR, NULL, NULL);
  apply_settings(self);
}

guint
ovpn3_log_service_get_num_attached(Ovpn3LogService *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_SERVICE(self), 0);
  return self->attached->len;
}

gpointer
ovpn3_log_service_start(Ovpn3ServiceContext *ctx, GError **error)
{
  Ovpn3LogMethod method = OVPN3_LOG_METHOD_JOURNALD;
  Ovpn3LogService *service;

  if (opt_log_method != NULL)
    {
      if (!ovpn3_log_method_from_string(opt_log_method, &method))
        {
          g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                      "Unknown --log-method “%s” (journald, file or stderr)", opt_log_method);
          return NULL;
        }
    }
  else if (opt_log_file != NULL)
    method = OVPN3_LOG_METHOD_FILE;

  service = ovpn3_log_service_new(ctx->exporter, ctx->idle, ctx->state_dir, method, opt_log_file,
                                  error);
  if (service != NULL && ctx->log_stderr)
    ovpn3_log_service_mirror_to_stderr(service);
  return service;
}

void
ovpn3_log_service_stop(gpointer service)
{
  if (service != NULL)
    g_object_unref(service);
}
