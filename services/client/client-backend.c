#define G_LOG_DOMAIN "ovpn3-client-backend"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client-backend-private.h"
#include "ovpn3-error.h"

G_DEFINE_TYPE(Ovpn3ClientBackend, ovpn3_client_backend, G_TYPE_OBJECT)

void
client_wipe_free(char **s)
{
  if (*s != NULL)
    {
      explicit_bzero(*s, strlen(*s));
      g_clear_pointer(s, g_free);
    }
}

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

void
client_log(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;
  GVariantBuilder b;

  if (!ovpn3_log_level_passes(self->log_level, category))
    return;
  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);

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

void
client_set_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message)
{
  self->st_major = major;
  self->st_minor = minor;
  g_free(self->st_message);
  self->st_message = g_strdup(message != NULL ? message : "");
  client_log(self, OVPN3_LOG_CATEGORY_VERB2, "Status: %u/%u %s", major, minor, self->st_message);
  emit_both(self, "StatusChange", g_variant_new("(uus)", major, minor, self->st_message));
}

void
client_conn_status(Ovpn3ClientBackend *self, guint minor, const char *message)
{
  client_set_status(self, OVPN3_STATUS_MAJOR_CONNECTION, minor, message);
}

void
client_attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message)
{
  emit_both(self, "AttentionRequired", g_variant_new("(uus)", type, group, message));
}

/* ---- lifecycle --------------------------------------------------------------- */

static void
ovpn3_client_backend_dispose(GObject *object)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(object);

  g_clear_handle_id(&self->registration_timeout_id, g_source_remove);
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  g_clear_handle_id(&self->sessionmgr_watch, g_bus_unwatch_name);
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
  self->st_message = g_strdup("");
  self->log_level = OVPN3_LOG_LEVEL_DEFAULT;
}

static gboolean
is_sessionmgr(Ovpn3ClientBackend *self, const Ovpn3Caller *caller)
{
  return self->sessionmgr != NULL && g_strcmp0(caller->sender, self->sessionmgr) == 0;
}

void
client_return_error(GDBusMethodInvocation *invocation, GQuark domain, const char *message)
{
  /* Ready errors go out in upstream's form (ovpn3-error.h) */
  ovpn3_invocation_return_error(invocation, domain, message);
}

/* ---- registration ------------------------------------------------------------------- */

typedef struct
{
  Ovpn3ClientBackend *self;
  GDBusMethodInvocation *invocation;
  GVariant *name;
  GVariant *dco;
  GVariant *overrides;
} RegData;

static void
reg_data_free(RegData *d)
{
  g_object_unref(d->self);
  g_clear_object(&d->invocation);
  g_clear_pointer(&d->name, g_variant_unref);
  g_clear_pointer(&d->dco, g_variant_unref);
  g_clear_pointer(&d->overrides, g_variant_unref);
  g_free(d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RegData, reg_data_free)

static void
reg_fail(RegData *d, const char *message)
{
  Ovpn3ClientBackend *self = d->self;
  g_autofree char *status
      = g_strdup_printf("config_path=%s, eval_message='%s'", self->config_path, message);

  client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Configuration profile: %s", message);
  client_conn_status(self, OVPN3_STATUS_MINOR_CFG_ERROR, status);
  client_return_error(d->invocation, OVPN3_ERROR_CLIENT, message);
}

/* server/port/proto overrides (answered on >REMOTE) and the ones that map onto an
 * openvpn flag; FALSE if key is none of them or the value is not valid. */
static gboolean
apply_connection_override(Ovpn3ClientBackend *self, const char *key, GVariant *value,
                          GStrvBuilder *args)
{
  static const char *const compression[] = { "no", "asym", "yes", NULL };
  static const char *const cert_profiles[] = { "legacy", "preferred", "suiteb", NULL };
  static const char *const tls_versions[][2]
      = { { "tls_1_0", "1.0" }, { "tls_1_1", "1.1" }, { "tls_1_2", "1.2" }, { "tls_1_3", "1.3" } };
  const char *v;

  if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
    return FALSE;
  v = g_variant_get_string(value, NULL);
  if (g_str_equal(key, "server-override"))
    {
      if (*v == '\0' || strlen(v) > 253 || strpbrk(v, " \t\r\n\"'\\#;") != NULL)
        return FALSE;
      g_free(self->server_override);
      self->server_override = g_strdup(v);
      return TRUE;
    }
  if (g_str_equal(key, "port-override"))
    {
      guint64 port;

      if (!g_ascii_string_to_unsigned(v, 10, 1, 65535, &port, NULL))
        return FALSE;
      self->port_override = (guint) port;
      return TRUE;
    }
  if (g_str_equal(key, "proto-override"))
    {
      if (!g_str_equal(v, "tcp") && !g_str_equal(v, "udp"))
        return FALSE;
      g_free(self->proto_override);
      self->proto_override = g_strdup(v);
      return TRUE;
    }
  if (g_str_equal(key, "allow-compression") && g_strv_contains(compression, v))
    {
      g_strv_builder_add_many(args, "--allow-compression", v, NULL);
      return TRUE;
    }
  if (g_str_equal(key, "tls-cert-profile") && g_strv_contains(cert_profiles, v))
    {
      g_strv_builder_add_many(args, "--tls-cert-profile", v, NULL);
      return TRUE;
    }
  if (g_str_equal(key, "tls-version-min"))
    for (gsize i = 0; i < G_N_ELEMENTS(tls_versions); i++)
      if (g_str_equal(v, tls_versions[i][0]))
        {
          g_strv_builder_add_many(args, "--tls-version-min", tls_versions[i][1], NULL);
          return TRUE;
        }
  return FALSE;
}

static void
apply_overrides(Ovpn3ClientBackend *self)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;
  gint verb = ovpn3_profile_get_verb(self->profile);
  g_autoptr(GStrvBuilder) args = g_strv_builder_new();

  if (verb >= 0)
    self->log_level = (guint) MIN(verb, OVPN3_LOG_LEVEL_MAX);
  if (self->overrides == NULL)
    {
      self->extra_args = g_strv_builder_end(args);
      return;
    }
  g_variant_iter_init(&iter, self->overrides);
  while (g_variant_iter_next(&iter, "{&sv}", &key, &value))
    {
      if (g_str_equal(key, "log-level") && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
        {
          guint64 level;

          if (g_ascii_string_to_unsigned(g_variant_get_string(value, NULL), 10, 0,
                                         OVPN3_LOG_LEVEL_MAX, &level, NULL))
            self->log_level = (guint) level;
        }
      else if (g_str_equal(key, "dns-setup-disabled")
               && g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
        self->dns_disabled = g_variant_get_boolean(value);
      else if (g_str_equal(key, "dns-scope") && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
        {
          const char *scope = g_variant_get_string(value, NULL);

          if (g_str_equal(scope, OVPN3_DNS_SCOPE_GLOBAL)
              || g_str_equal(scope, OVPN3_DNS_SCOPE_TUNNEL))
            {
              g_free(self->dns_scope);
              self->dns_scope = g_strdup(scope);
            }
        }
      else if (!apply_connection_override(self, key, value, args))
        client_log(self, OVPN3_LOG_CATEGORY_VERB1, "Override '%s' is not applied by this backend",
                   key);
      g_variant_unref(value);
    }
  self->extra_args = g_strv_builder_end(args);
}

static void
read_pull_filters(Ovpn3ClientBackend *self)
{
  g_autoptr(JsonNode) json = ovpn3_profile_to_json(self->profile);
  JsonObject *obj = json_node_get_object(json);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();
  JsonArray *rules;

  if (obj != NULL && json_object_has_member(obj, "pull-filter"))
    {
      rules = json_object_get_array_member(obj, "pull-filter");
      for (guint i = 0; rules != NULL && i < json_array_get_length(rules); i++)
        {
          JsonNode *n = json_array_get_element(rules, i);
          JsonArray *rule = JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;

          if (rule != NULL && json_array_get_length(rule) >= 2)
            {
              g_autofree char *r = g_strdup_printf("%s\t%s", json_array_get_string_element(rule, 0),
                                                   json_array_get_string_element(rule, 1));
              g_strv_builder_add(b, r);
            }
        }
    }
  self->pull_filters = g_strv_builder_end(b);
  self->route_nopull = ovpn3_profile_has_option(self->profile, "route-nopull");
  if (ovpn3_profile_has_option(self->profile, "redirect-gateway"))
    ovpn3_net_redirect_from_args(ovpn3_profile_get_args(self->profile, "redirect-gateway"),
                                 &self->redirect);
}

static void
evaluate(RegData *d, const char *text)
{
  Ovpn3ClientBackend *self = d->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  gboolean need_up, need_pk;

  self->profile = ovpn3_profile_new_from_text(text, -1, &error);
  if (self->profile == NULL || !ovpn3_profile_validate(self->profile, &error))
    {
      reg_fail(d, error->message);
      return;
    }
  if (d->name != NULL && g_variant_is_of_type(d->name, G_VARIANT_TYPE_STRING))
    self->config_name = g_variant_dup_string(d->name, NULL);
  else
    self->config_name = g_strdup("");
  if (d->overrides != NULL && g_variant_is_of_type(d->overrides, G_VARIANT_TYPE("a{sv}")))
    self->overrides = g_variant_ref(d->overrides);
  if (d->dco != NULL && g_variant_is_of_type(d->dco, G_VARIANT_TYPE_BOOLEAN)
      && g_variant_get_boolean(d->dco))
    client_log(self, OVPN3_LOG_CATEGORY_WARN, "Data channel offload is not supported; not used");
  apply_overrides(self);
  read_pull_filters(self);
  ovpn3_profile_get_inline_user_pass(self->profile, &self->inline_user, &self->inline_pass);

  need_up = ovpn3_profile_has_option(self->profile, "auth-user-pass")
            && (self->inline_user == NULL || self->inline_pass == NULL);
  need_pk = ovpn3_profile_has_encrypted_key(self->profile);
  self->initialized = TRUE;

  status = g_strdup_printf("config_path=%s", self->config_path);
  client_conn_status(self, OVPN3_STATUS_MINOR_CFG_OK, status);
  if (need_up)
    {
      client_add_user_pass_slots(self);
      client_add_static_challenge_slot(self);
      client_require(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
    }
  if (need_pk)
    {
      ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE,
                             "pk_passphrase", "Private key passphrase", TRUE);
      client_require(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
    }
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "Session %s registered, profile '%s'",
             self->session_path, self->config_name);
  g_dbus_method_invocation_return_value(d->invocation, g_variant_new("(s)", self->config_name));
}

static void reg_step(RegData *d, guint step);

static void
on_reg_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  RegData *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  guint step;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  step = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(d->invocation), "reg-step"));
  switch (step)
    {
      case 0: /* AssignSession: not fatal */
        if (reply == NULL)
          client_log(d->self, OVPN3_LOG_CATEGORY_WARN, "Log service AssignSession: %s",
                     error->message);
        break;
      case 1:
      case 2:
      case 3:
        if (reply != NULL)
          {
            GVariant **slot = step == 1 ? &d->name : step == 2 ? &d->dco : &d->overrides;

            g_variant_get(reply, "(v)", slot);
          }
        else
          g_debug("config property %u: %s", step, error->message);
        break;
      case 4:
        {
          const char *text;

          if (reply == NULL)
            {
              g_autofree char *msg = NULL;

              g_dbus_error_strip_remote_error(error);
              msg = g_strdup_printf("Could not fetch the configuration profile: %s",
                                    error->message);
              reg_fail(d, msg);
              reg_data_free(d);
              return;
            }
          g_variant_get(reply, "(&s)", &text);
          evaluate(d, text);
          reg_data_free(d);
          return;
        }
    }
  reg_step(d, step + 1);
}

static void
reg_step(RegData *d, guint step)
{
  Ovpn3ClientBackend *self = d->self;
  const char *props[] = { NULL, "name", "dco", "overrides" };

  g_object_set_data(G_OBJECT(d->invocation), "reg-step", GUINT_TO_POINTER(step));
  if (step == 0)
    g_dbus_connection_call(self->connection, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH,
                           OVPN3_LOG_INTERFACE, "AssignSession",
                           g_variant_new("(os)", self->session_path, OVPN3_BACKENDS_INTERFACE),
                           NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_reg_reply, d);
  else if (step <= 3)
    g_dbus_connection_call(
        self->connection, OVPN3_CONFIG_BUS_NAME, self->config_path, DBUS_INTERFACE_PROPS, "Get",
        g_variant_new("(ss)", OVPN3_CONFIG_INTERFACE, props[step]), G_VARIANT_TYPE("(v)"),
        G_DBUS_CALL_FLAGS_NONE, 30000, NULL, on_reg_reply, d);
  else
    g_dbus_connection_call(self->connection, OVPN3_CONFIG_BUS_NAME, self->config_path,
                           OVPN3_CONFIG_INTERFACE, "Fetch", NULL, G_VARIANT_TYPE("(s)"),
                           G_DBUS_CALL_FLAGS_NONE, 30000, NULL, on_reg_reply, d);
}

static void
method_registration_confirmation(Ovpn3ClientBackend *self, GVariant *parameters,
                                 GDBusMethodInvocation *invocation)
{
  const char *token, *session_path, *config_path;
  RegData *d;

  g_variant_get(parameters, "(&s&o&o)", &token, &session_path, &config_path);
  if (self->registered)
    {
      client_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION,
                          "Backend service is already registered");
      return;
    }
  if (strlen(token) != strlen(self->token) || memcmp(token, self->token, strlen(token)) != 0)
    {
      client_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION, "Invalid registration token");
      return;
    }
  if (self->engine_error != NULL)
    {
      /* nothing to serve this session with: say why, then go */
      client_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION, self->engine_error);
      ovpn3_service_quit(self->ctx);
      return;
    }
  self->registered = TRUE;
  g_clear_handle_id(&self->registration_timeout_id, g_source_remove);
  self->session_path = g_strdup(session_path);
  self->config_path = g_strdup(config_path);

  d = g_new0(RegData, 1);
  d->self = g_object_ref(self);
  d->invocation = g_object_ref(invocation);
  reg_step(d, 0);
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
    method_registration_confirmation(self, parameters, invocation);
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
      if (!self->connected)
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

static gboolean
on_registration_timeout(gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  self->registration_timeout_id = 0;
  if (!self->registered)
    {
      g_printerr("%s: no RegistrationConfirmation within %d s, exiting\n", g_get_prgname(),
                 OVPN3_CLIENT_REGISTRATION_TIMEOUT_S);
      ovpn3_service_quit(self->ctx);
    }
  return G_SOURCE_REMOVE;
}

static void
on_sessionmgr_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  g_printerr("%s: the session manager %s left the bus; stopping\n", g_get_prgname(),
             self->sessionmgr != NULL ? self->sessionmgr : name);
  if (self->run == RUN_RUNNING || self->run == RUN_STARTING)
    client_stop_session(self, FALSE);
  else
    client_finish(self);
}

static void
on_sessions_owner(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *owner;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      g_printerr("%s: cannot find the session manager: %s\n", g_get_prgname(), error->message);
      ovpn3_service_quit(self->ctx);
      return;
    }
  g_variant_get(reply, "(&s)", &owner);
  self->sessionmgr = g_strdup(owner);
  self->sessionmgr_watch
      = g_bus_watch_name_on_connection(self->connection, owner, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                       on_sessionmgr_vanished, self, NULL);
  self->registration_timeout_id
      = g_timeout_add_seconds(OVPN3_CLIENT_REGISTRATION_TIMEOUT_S, on_registration_timeout, self);
  if (!g_dbus_connection_emit_signal(
          self->connection, owner, OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE,
          "RegistrationRequest",
          g_variant_new("(ssi)", self->bus_name, self->token, (gint32) getpid()), &error))
    {
      g_printerr("%s: RegistrationRequest: %s\n", g_get_prgname(), error->message);
      ovpn3_service_quit(self->ctx);
    }
}

void
ovpn3_client_backend_register(Ovpn3ClientBackend *self)
{
  g_dbus_connection_call(self->connection, DBUS_NAME_BUS, DBUS_PATH_BUS, DBUS_INTERFACE_BUS,
                         "GetNameOwner", g_variant_new("(s)", OVPN3_SESSIONS_BUS_NAME),
                         G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL,
                         on_sessions_owner, g_object_ref(self));
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
  if (self->netcfg != NULL && !self->finishing
      && g_strcmp0(ovpn3_client_netcfg_get_device_path(self->netcfg), "/") != 0)
    {
      gboolean answered = FALSE;

      /* the main loop has ended (ovpn3_service_quit): the process waits
       * here, still dispatching, until netcfg answered or 3 s passed, so
       * that it does not exit before the call was sent; nothing else
       * finishes the session meanwhile (openvpn exiting) */
      self->finishing = TRUE;
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
