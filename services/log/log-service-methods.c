#define G_LOG_DOMAIN "ovpn3-log-service"

/* log-service-methods.c — the methods of the log manager object
 * (docs/dbus-api.md §3.3): Attach, Detach, AssignSession, GetSubscriberList,
 * ProxyLogEvents and the log proxies it makes.
 */

#include "config.h"

#include "log-proxy.h"
#include "log-service-private.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"

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
  if (ovpn3_log_attach_find(self, caller->sender, interface) != NULL)
    {
      return_log_error(invocation, "Already attached");
      return;
    }

  attach = ovpn3_log_attach_new(self, caller->sender, interface);
  attach->pid = caller->pid;
  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Attached: %s %s (tag %s)", attach->sender,
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
  attach = ovpn3_log_attach_find(self, caller->sender, interface);
  if (attach == NULL)
    {
      return_log_error(invocation, "Not attached");
      return;
    }
  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Detached: %s %s", attach->sender,
                        attach->interface);
  ovpn3_log_attach_detach(self, attach);
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
  attach = ovpn3_log_attach_find(self, caller->sender, interface);
  if (attach == NULL)
    {
      return_log_error(invocation, "Not attached");
      return;
    }
  g_free(attach->session_path);
  attach->session_path = g_strdup(session_path);
  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Session %s assigned to %s %s",
                        session_path, attach->sender, attach->interface);
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

  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Log proxy %s removed",
                        ovpn3_log_proxy_get_path(proxy));
  g_signal_handlers_disconnect_by_data(proxy, self);
  g_hash_table_remove(self->proxies, ovpn3_log_proxy_get_path(proxy));
  ovpn3_log_service_session_gone(self);
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
  if (!ovpn3_log_service_session_has_backend(self, session_path))
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
  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Log proxy %s: %s → %s",
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
  if (!ovpn3_log_service_session_has_backend(self, session_path))
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

void
ovpn3_log_service_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
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
