#define G_LOG_DOMAIN "ovpn3-client-backend"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client-backend-private.h"
#include "ovpn3-error.h"

G_DEFINE_TYPE(Ovpn3ClientBackend, ovpn3_client_backend, G_TYPE_OBJECT)

/* ---- signals out ------------------------------------------------------------- */

static void
emit_both(Ovpn3ClientBackend *self, const char *member, GVariant *params)
{
  g_autoptr(GVariant) p = g_variant_ref_sink(params);
  g_autoptr(GError) error = NULL;

  /* The log service first: the bus delivers in order, so a forwarded
   * status always reaches the log service before the session manager can
   * react to it (e.g. close the session and remove its log forwarders). */
  if (!g_dbus_connection_emit_signal(self->connection, OVPN3_LOG_BUS_NAME,
                                     OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE, member,
                                     p, &error))
    g_debug("%s to the log service: %s", member, error->message);
  g_clear_error(&error);
  if (self->sessionmgr != NULL
      && !g_dbus_connection_emit_signal(self->connection, self->sessionmgr,
                                        OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE,
                                        member, p, &error))
    g_debug("%s to the session manager: %s", member, error->message);
}

static void
out_log(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *message)
{
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&b, "{sv}", "timestamp", g_variant_new_uint64(g_get_real_time() / 1000000));
  g_variant_builder_add(&b, "{sv}", "log_group", g_variant_new_uint32(OVPN3_LOG_GROUP_CLIENT));
  g_variant_builder_add(&b, "{sv}", "log_category", g_variant_new_uint32(category));
  g_variant_builder_add(&b, "{sv}", "log_session_token", g_variant_new_string(self->token));
  g_variant_builder_add(&b, "{sv}", "log_message", g_variant_new_string(message));
  g_clear_pointer(&self->last_log_line, g_variant_unref);
  self->last_log_line = g_variant_ref_sink(g_variant_builder_end(&b));
  /* (the copy handed to D-Bus is made in get_property) */

  emit_both(self, "Log",
            g_variant_new("(uuss)", (guint32) OVPN3_LOG_GROUP_CLIENT, (guint32) category,
                          self->token, message));
  if (self->ctx->log_stderr)
    {
      g_autofree char *escaped = g_strescape(message, "\"");
      fprintf(stderr, "%s[%d]: %u: %s\n", g_get_prgname(), (int) getpid(), category, escaped);
      fflush(stderr);
    }
}

static void
out_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message)
{
  emit_both(self, "StatusChange", g_variant_new("(uus)", major, minor, message));
}

static void
out_attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message)
{
  emit_both(self, "AttentionRequired", g_variant_new("(uus)", type, group, message));
}

static void
out_send(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd)
{
  if (self->ovpn == NULL)
    {
      ovpn3_mgmt_command_free(cmd);
      return;
    }
  ovpn3_client_openvpn_send(self->ovpn, cmd);
}

static void
out_stop(Ovpn3ClientBackend *self, guint timeout_s)
{
  if (self->ovpn != NULL)
    ovpn3_client_openvpn_stop(self->ovpn, timeout_s);
}

static void
on_net_applied(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  ovpn3_client_netcfg_apply_finish(OVPN3_CLIENT_NETCFG(source), result, &error);
  client_network_applied(self, error);
}

static void
out_apply_network(Ovpn3ClientBackend *self, const Ovpn3NetSettings *settings)
{
  ovpn3_client_netcfg_apply_async(self->netcfg, settings, on_net_applied, g_object_ref(self));
}

static void
on_destroyed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_client_netcfg_destroy_finish(OVPN3_CLIENT_NETCFG(source), result, &error))
    client_log(self, OVPN3_LOG_CATEGORY_WARN, "netcfg Destroy: %s", error->message);
  ovpn3_service_quit(self->ctx);
}

static void
out_finish(Ovpn3ClientBackend *self, gboolean remove_device)
{
  if (remove_device)
    ovpn3_client_netcfg_destroy_async(self->netcfg, on_destroyed, g_object_ref(self));
  else
    ovpn3_service_quit(self->ctx);
}

/* The service's outputs: signals to the log service and the session manager,
 * commands to this session's openvpn, netcfg for the network. */
static const Ovpn3ClientOutputs dbus_outputs = {
  .log = out_log,
  .status = out_status,
  .attention = out_attention,
  .send = out_send,
  .stop = out_stop,
  .apply_network = out_apply_network,
  .finish = out_finish,
};

/* ---- lifecycle --------------------------------------------------------------- */

static void
ovpn3_client_backend_dispose(GObject *object)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(object);

  g_clear_handle_id(&self->registration_timeout_id, g_source_remove);
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  g_clear_handle_id(&self->auth_retry_timer_id, g_source_remove);
  g_clear_handle_id(&self->sessionmgr_watch, g_bus_unwatch_name);
  g_clear_handle_id(&self->readopt_timeout_id, g_source_remove);
  g_clear_handle_id(&self->log_watch, g_bus_unwatch_name);
  if (self->registration_id != 0)
    {
      ovpn3_exporter_unregister(self->ctx->exporter, self->registration_id);
      self->registration_id = 0;
    }
  if (self->ovpn != NULL)
    g_signal_handlers_disconnect_by_data(self->ovpn, self);
  g_clear_object(&self->ovpn);
  g_clear_object(&self->netcfg);
  g_clear_object(&self->queue);
  g_clear_object(&self->profile);
  g_clear_object(&self->connection);
  G_OBJECT_CLASS(ovpn3_client_backend_parent_class)->dispose(object);
}

static void
ovpn3_client_backend_finalize(GObject *object)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(object);

  client_wipe_free(&self->token);
  ovpn3_engine_id_release(&self->engine);
  g_free(self->engine_error);
  g_free(self->log_owner);
  client_wipe_free(&self->inline_user);
  client_wipe_free(&self->inline_pass);
  g_free(self->bus_name);
  g_free(self->sessionmgr);
  g_free(self->session_path);
  g_free(self->config_path);
  g_free(self->config_name);
  g_clear_pointer(&self->overrides, g_variant_unref);
  g_free(self->dns_scope);
  g_free(self->host_wide_notice);
  g_free(self->server_override);
  g_free(self->proto_override);
  g_strfreev(self->extra_args);
  g_strfreev(self->pull_filters);
  g_free(self->st_message);
  g_clear_pointer(&self->last_log_line, g_variant_unref);
  g_free(self->crv1_state_id);
  g_free(self->crv1_user);
  g_free(self->fatal_message);
  g_free(self->last_error_line);
  g_free(self->exit_reason);
  g_free(self->applied_key);
  g_free(self->conn_proto);
  g_free(self->conn_host);
  g_free(self->conn_ip);
  g_free(self->session_name);
  G_OBJECT_CLASS(ovpn3_client_backend_parent_class)->finalize(object);
}

static void
ovpn3_client_backend_class_init(Ovpn3ClientBackendClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_client_backend_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_client_backend_finalize;
}

static void
ovpn3_client_backend_init(Ovpn3ClientBackend *self)
{
  self->out = &dbus_outputs;
  self->st_message = g_strdup("");
  self->log_level = OVPN3_LOG_LEVEL_DEFAULT;
  self->auth_fail_retry = TRUE;
}

static gboolean
is_sessionmgr(Ovpn3ClientBackend *self, const Ovpn3Caller *caller)
{
  return self->sessionmgr != NULL && g_strcmp0(caller->sender, self->sessionmgr) == 0;
}

/* ---- dispatch ----------------------------------------------------------------------- */

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(object);
  g_autoptr(GError) error = NULL;
  guint type, group, id;

  if (g_str_equal(method, "RegistrationConfirmation"))
    client_registration_confirm(self, parameters, invocation);
  else if (g_str_equal(method, "Ping"))
    g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", TRUE));
  else if (g_str_equal(method, "Ready"))
    client_method_ready(self, invocation);
  else if (g_str_equal(method, "Connect"))
    client_method_connect(self, invocation);
  else if (g_str_equal(method, "Pause"))
    client_method_pause(self, parameters, invocation);
  else if (g_str_equal(method, "Resume"))
    client_method_resume(self, invocation);
  else if (g_str_equal(method, "Restart"))
    client_method_restart(self, invocation);
  else if (g_str_equal(method, "Disconnect") || g_str_equal(method, "ForceShutdown"))
    {
      /* method belongs to the invocation, which the reply frees */
      gboolean force = g_str_equal(method, "ForceShutdown");

      g_dbus_method_invocation_return_value(invocation, NULL);
      client_stop_session(self, force);
    }
  else if (g_str_equal(method, "UserInputQueueGetTypeGroup"))
    g_dbus_method_invocation_return_value(
        invocation,
        g_variant_new_tuple((GVariant *[]){ ovpn3_client_queue_get_type_group(self->queue) }, 1));
  else if (g_str_equal(method, "UserInputQueueCheck"))
    {
      g_variant_get(parameters, "(uu)", &type, &group);
      g_dbus_method_invocation_return_value(
          invocation, g_variant_new_tuple(
                          (GVariant *[]){ ovpn3_client_queue_check(self->queue, type, group) }, 1));
    }
  else if (g_str_equal(method, "UserInputQueueFetch"))
    {
      GVariant *slot;

      g_variant_get(parameters, "(uuu)", &type, &group, &id);
      slot = ovpn3_client_queue_fetch(self->queue, type, group, id, &error);
      if (slot == NULL)
        g_dbus_method_invocation_return_gerror(invocation, error);
      else
        g_dbus_method_invocation_return_value(invocation, slot);
    }
  else if (g_str_equal(method, "UserInputProvide"))
    {
      const char *value;

      g_variant_get(parameters, "(uuu&s)", &type, &group, &id, &value);
      if (!ovpn3_client_queue_provide(self->queue, type, group, id, value, &error))
        g_dbus_method_invocation_return_gerror(invocation, error);
      else
        g_dbus_method_invocation_return_value(invocation, NULL);
    }
  else
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                          "Unknown method %s", method);
}

static GVariant *
get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(object);

  if (g_str_equal(name, "session_path"))
    return g_variant_new_object_path(self->session_path != NULL ? self->session_path
                                                                : "/__unknown");
  if (g_str_equal(name, "device_path"))
    return g_variant_new_object_path(
        self->netcfg != NULL ? ovpn3_client_netcfg_get_device_path(self->netcfg) : "/");
  if (g_str_equal(name, "status"))
    return g_variant_new("(uus)", self->st_major, self->st_minor, self->st_message);
  if (g_str_equal(name, "connection"))
    {
      if (self->state != OVPN3_CLIENT_STATE_CONNECTED)
        return g_variant_new("(sssu)", "", "", "", 0);
      return g_variant_new("(sssu)", self->conn_proto, self->conn_host, self->conn_ip,
                           self->conn_port);
    }
  if (g_str_equal(name, "log_level"))
    return g_variant_new_uint32(self->log_level);
  if (g_str_equal(name, "dco"))
    return g_variant_new_boolean(self->dco);
  if (g_str_equal(name, "host_wide"))
    return g_variant_new_boolean(self->host_wide);
  if (g_str_equal(name, "device_name"))
    return g_variant_new_string(
        self->netcfg != NULL ? ovpn3_client_netcfg_get_device_name(self->netcfg) : "");
  if (g_str_equal(name, "session_name"))
    return g_variant_new_string(self->session_name != NULL ? self->session_name : "");
  if (g_str_equal(name, "statistics"))
    return client_statistics_variant(self);
  if (g_str_equal(name, "last_log_line"))
    {
      /* a new value: the exporter sinks what it gets */
      if (self->last_log_line != NULL)
        return g_variant_new_from_data(
            G_VARIANT_TYPE("a{sv}"), g_variant_get_data(self->last_log_line),
            g_variant_get_size(self->last_log_line), TRUE, (GDestroyNotify) g_variant_unref,
            g_variant_ref(self->last_log_line));
      return g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);
    }
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

static gboolean
set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
             GError **error)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(object);

  if (g_str_equal(name, "log_level"))
    {
      guint level = g_variant_get_uint32(value);

      if (level > OVPN3_LOG_LEVEL_MAX)
        {
          g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid log level %u (0–%d)",
                      level, OVPN3_LOG_LEVEL_MAX);
          return FALSE;
        }
      self->log_level = level;
      return TRUE;
    }
  if (g_str_equal(name, "dco"))
    {
      if (g_variant_get_boolean(value))
        {
          g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                              "Data channel offload (DCO) is not supported by ovpn3");
          return FALSE;
        }
      self->dco = FALSE;
      return TRUE;
    }
  if (g_str_equal(name, "host_wide"))
    {
      /* the session manager's polkit answer (client-host-wide.c) */
      self->host_wide = g_variant_get_boolean(value);
      return TRUE;
    }
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY, "Property “%s” is read-only",
              name);
  return FALSE;
}

/* Only the session manager this backend registered with (CUSTOM: its
 * unique name, is_sessionmgr()); the session path, device path, status and
 * connection are for anyone. */
#define SESSIONMGR OVPN3_ACCESS_CUSTOM

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "RegistrationConfirmation", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Ping", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Ready", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Connect", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Pause", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Resume", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Restart", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "Disconnect", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "ForceShutdown", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "UserInputQueueGetTypeGroup", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "UserInputQueueCheck", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "UserInputQueueFetch", SESSIONMGR },
  { OVPN3_ACCESS_METHOD, "UserInputProvide", SESSIONMGR },
  { OVPN3_ACCESS_READ, "session_path", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "log_level", SESSIONMGR },
  { OVPN3_ACCESS_WRITE, "log_level", SESSIONMGR },
  { OVPN3_ACCESS_READ, "dco", SESSIONMGR },
  { OVPN3_ACCESS_WRITE, "dco", SESSIONMGR },
  { OVPN3_ACCESS_READ, "host_wide", SESSIONMGR },
  { OVPN3_ACCESS_WRITE, "host_wide", SESSIONMGR },
  { OVPN3_ACCESS_READ, "device_path", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "device_name", SESSIONMGR },
  { OVPN3_ACCESS_READ, "session_name", SESSIONMGR },
  { OVPN3_ACCESS_READ, "connection", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "statistics", SESSIONMGR },
  { OVPN3_ACCESS_READ, "status", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "last_log_line", SESSIONMGR },
};

const Ovpn3AccessTable ovpn3_client_backend_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_BACKEND_CLIENT, "Access denied", access_rows);

static gboolean
access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit, const char *member)
{
  return bit == OVPN3_ACCESS_CUSTOM && is_sessionmgr(OVPN3_CLIENT_BACKEND(object), caller);
}

static const Ovpn3ExportedVTable backend_vtable = {
  .method_call = method_call,
  .get_property = get_property,
  .set_property = set_property,
  .access = &ovpn3_client_backend_access,
  .access_check = access_check,
};

/* ---- registration request --------------------------------------------------------- */

/* OVPN3_CLIENT_REGISTRATION_TIMEOUT_S, or shorter under the test switch */
static guint
registration_timeout_seconds(void)
{
#if OVPN3_TEST_SWITCHES
  const char *env = g_getenv(OVPN3_ENV_TEST_REGISTRATION_TIMEOUT_S);
  guint64 s;

  if (env != NULL
      && g_ascii_string_to_unsigned(env, 10, 1, OVPN3_CLIENT_REGISTRATION_TIMEOUT_S, &s, NULL))
    return (guint) s;
#endif
  return OVPN3_CLIENT_REGISTRATION_TIMEOUT_S;
}

static gboolean
on_registration_timeout(gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  self->registration_timeout_id = 0;
  if (!self->registered)
    {
      g_printerr("%s: no RegistrationConfirmation within %u s, exiting\n", g_get_prgname(),
                 registration_timeout_seconds());
      ovpn3_service_quit(self->ctx);
    }
  return G_SOURCE_REMOVE;
}

/* The session ends: it was never taken back, or the session manager died before the session
 * was set up. */
static void
end_without_sessionmgr(Ovpn3ClientBackend *self)
{
  if (self->state == OVPN3_CLIENT_STATE_IDLE)
    client_finish(self);
  else
    client_stop_session(self, FALSE);
}

static gboolean
on_readopt_timeout(gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  self->readopt_timeout_id = 0;
  client_log(self, OVPN3_LOG_CATEGORY_WARN,
             "No session manager took the session back within %d s; stopping",
             OVPN3_CLIENT_READOPT_TIMEOUT_S);
  end_without_sessionmgr(self);
  return G_SOURCE_REMOVE;
}

static gboolean
send_registration_request(Ovpn3ClientBackend *self, const char *owner)
{
  g_autoptr(GError) error = NULL;

  if (g_dbus_connection_emit_signal(
          self->connection, owner, OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE,
          "RegistrationRequest",
          g_variant_new("(ssi)", self->bus_name, self->token, (gint32) getpid()), &error))
    return TRUE;
  g_printerr("%s: RegistrationRequest: %s\n", g_get_prgname(), error->message);
  return FALSE;
}

/* The session manager died (services/client/README.md "Session manager restart"): a session
 * that was set up keeps its tunnel and waits to be taken back; the name is activated again. */
static void
on_sessionmgr_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  if (self->sessionmgr == NULL)
    return;
  g_printerr("%s: the session manager %s left the bus\n", g_get_prgname(), self->sessionmgr);
  g_clear_pointer(&self->sessionmgr, g_free);
  if (!self->initialized || self->state == OVPN3_CLIENT_STATE_DONE
      || self->state == OVPN3_CLIENT_STATE_DISCONNECTING)
    {
      end_without_sessionmgr(self);
      return;
    }
  client_log(self, OVPN3_LOG_CATEGORY_WARN,
             "The session manager left the bus; waiting up to %d s to be taken back",
             OVPN3_CLIENT_READOPT_TIMEOUT_S);
  self->orphaned = TRUE;
  g_clear_handle_id(&self->readopt_timeout_id, g_source_remove);
  self->readopt_timeout_id
      = g_timeout_add_seconds(OVPN3_CLIENT_READOPT_TIMEOUT_S, on_readopt_timeout, self);
  /* a session manager that is not restarted by its supervisor comes back by activation */
  g_dbus_connection_call(self->connection, DBUS_NAME_BUS, DBUS_PATH_BUS, DBUS_INTERFACE_BUS,
                         "StartServiceByName", g_variant_new("(su)", OVPN3_SESSIONS_BUS_NAME, 0),
                         G_VARIANT_TYPE("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, NULL);
}

/* net.openvpn.v3.sessions has an owner: the one we registered with, or (orphaned) a new
 * session manager, which is asked to take the session back. */
static void
on_sessionmgr_appeared(GDBusConnection *connection, const char *name, const char *owner,
                       gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  if (g_strcmp0(owner, self->sessionmgr) == 0)
    return;
  if (self->sessionmgr != NULL)
    on_sessionmgr_vanished(connection, name, self);
  if (!self->orphaned)
    return;
  self->sessionmgr = g_strdup(owner);
  if (!send_registration_request(self, owner))
    end_without_sessionmgr(self);
}

void
ovpn3_client_backend_register(Ovpn3ClientBackend *self, const char *owner, const GError *error)
{
  if (owner == NULL)
    {
      g_printerr("%s: cannot find the session manager: %s\n", g_get_prgname(), error->message);
      ovpn3_service_quit(self->ctx);
      return;
    }
  self->sessionmgr = g_strdup(owner);
  /* first, so that the bus routes it before the watch's AddMatch */
  if (!send_registration_request(self, owner))
    ovpn3_service_quit(self->ctx);
  self->sessionmgr_watch = g_bus_watch_name_on_connection(
      self->connection, OVPN3_SESSIONS_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
      on_sessionmgr_appeared, on_sessionmgr_vanished, self, NULL);
  self->registration_timeout_id
      = g_timeout_add_seconds(registration_timeout_seconds(), on_registration_timeout, self);
}

static void
on_shutdown_destroyed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *answered = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (reply == NULL)
    g_debug("netcfg Destroy on shutdown: %s", error->message);
  *answered = TRUE;
}

void
ovpn3_client_backend_shutdown(Ovpn3ClientBackend *self)
{
  if (self->ovpn != NULL && ovpn3_client_openvpn_is_running(self->ovpn))
    ovpn3_client_openvpn_stop(self->ovpn, 1);
  /* best effort; netcfg also cleans up when our name goes away */
  if (self->netcfg != NULL && self->state != OVPN3_CLIENT_STATE_DONE
      && g_strcmp0(ovpn3_client_netcfg_get_device_path(self->netcfg), "/") != 0)
    {
      gboolean answered = FALSE;

      /* the main loop has ended (ovpn3_service_quit): the process waits
       * here, still dispatching, until netcfg answered or 3 s passed, so
       * that it does not exit before the call was sent; nothing else
       * finishes the session meanwhile (openvpn exiting) */
      client_set_state(self, OVPN3_CLIENT_STATE_DONE, "shutdown");
      g_dbus_connection_call(self->connection, OVPN3_NETCFG_BUS_NAME,
                             ovpn3_client_netcfg_get_device_path(self->netcfg),
                             OVPN3_NETCFG_INTERFACE, "Destroy", NULL, NULL, G_DBUS_CALL_FLAGS_NONE,
                             3000, NULL, on_shutdown_destroyed, &answered);
      while (!answered)
        g_main_context_iteration(NULL, TRUE);
    }
}

Ovpn3ClientBackend *
ovpn3_client_backend_new(Ovpn3ServiceContext *ctx, const char *bus_name, const char *token,
                         Ovpn3EngineId *engine, const GError *engine_error, guint log_level,
                         GError **error)
{
  g_autoptr(Ovpn3ClientBackend) self = g_object_new(OVPN3_TYPE_CLIENT_BACKEND, NULL);

  self->ctx = ctx;
  self->connection = g_object_ref(ctx->connection);
  self->bus_name = g_strdup(bus_name);
  self->token = g_strdup(token);
  self->engine = *engine;
  *engine = (Ovpn3EngineId) OVPN3_ENGINE_ID_INIT;
  self->engine_error = engine_error != NULL ? g_strdup(engine_error->message) : NULL;
  self->log_level = MIN(log_level, OVPN3_LOG_LEVEL_MAX);
  self->queue = ovpn3_client_queue_new();
  g_signal_connect(self->queue, "provided", G_CALLBACK(client_on_queue_provided), self);
  self->registration_id
      = ovpn3_exporter_register(ctx->exporter, OVPN3_BACKEND_SESSION_PATH, OVPN3_XML_BACKEND_CLIENT,
                                &backend_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  return g_steal_pointer(&self);
}
