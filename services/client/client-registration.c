/* client-registration.c — RegistrationConfirmation: the token is checked,
 * then three calls sent at once — the log service's AssignSession (not
 * fatal), one GetAll of the configuration profile's properties (name, dco,
 * overrides), the profile's text (Fetch) — and, when all three have
 * answered, the profile is evaluated: overrides
 * (client-overrides.c), pull filters, inline credentials and the slots the
 * user must fill before Connect (docs/architecture.md §2).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-registration"

#include "config.h"

#include <string.h>

#include "client-backend-private.h"
#include "ovpn3-error.h"

/* What the three calls fetched. */
typedef struct
{
  guint pending; /* calls not answered yet */
  GError *error; /* the first that failed and makes the registration fail */
  GVariant *name;
  GVariant *dco;
  GVariant *overrides;
  char *text; /* the profile */
} RegData;

static void
reg_data_free(RegData *d)
{
  g_clear_pointer(&d->name, g_variant_unref);
  g_clear_pointer(&d->dco, g_variant_unref);
  g_clear_pointer(&d->overrides, g_variant_unref);
  g_free(d->text);
  g_clear_error(&d->error);
  g_free(d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RegData, reg_data_free)

static void
reg_fail(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation, const char *message)
{
  g_autofree char *status
      = g_strdup_printf("config_path=%s, eval_message='%s'", self->config_path, message);

  client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Configuration profile: %s", message);
  client_conn_status(self, OVPN3_STATUS_MINOR_CFG_ERROR, status);
  ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT, message);
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
evaluate(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation, RegData *d)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  gboolean need_up, need_pk;

  self->profile = ovpn3_profile_new_from_text(d->text, -1, &error);
  if (self->profile == NULL || !ovpn3_profile_validate(self->profile, &error))
    {
      reg_fail(self, invocation, error->message);
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
  if (!client_overrides_apply(self, &error))
    {
      reg_fail(self, invocation, error->message);
      return;
    }
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
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", self->config_name));
  /* the device and openvpn, held, before Connect (client-run.c) */
  client_run_prestart(self);
}

/* ---- the three calls ----------------------------------------------------------------- */

/* One call answered (task: its reference); the last one completes the task. */
static void
reg_call_done(GTask *task)
{
  RegData *d = g_task_get_task_data(task);

  if (--d->pending > 0)
    {
      g_object_unref(task);
      return;
    }
  if (d->error != NULL)
    g_task_return_error(task, g_steal_pointer(&d->error));
  else
    g_task_return_boolean(task, TRUE);
  g_object_unref(task);
}

static void
on_fetched(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  RegData *d = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error(error);
      g_set_error(&d->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                  "Could not fetch the configuration profile: %s", error->message);
    }
  else
    g_variant_get(reply, "(s)", &d->text);
  reg_call_done(task);
}

/* GetAll: name, dco and overrides; a missing one is left unset. */
static void
on_properties(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  RegData *d = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  g_autoptr(GVariant) props = NULL;

  if (reply == NULL)
    g_debug("config properties: %s", error->message);
  else
    {
      props = g_variant_get_child_value(reply, 0);
      d->name = g_variant_lookup_value(props, "name", NULL);
      d->dco = g_variant_lookup_value(props, "dco", NULL);
      d->overrides = g_variant_lookup_value(props, "overrides", NULL);
    }
  reg_call_done(task);
}

static void
on_assigned(GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  Ovpn3ClientBackend *self = g_task_get_source_object(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (reply == NULL)
    client_log(self, OVPN3_LOG_CATEGORY_WARN, "Log service AssignSession: %s", error->message);
  reg_call_done(task);
}

/* AssignSession, GetAll and Fetch, sent at once (no answer depends on another; the bus
 * keeps their order); the result holds the RegData. */
static void
registration_fetch_async(Ovpn3ClientBackend *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, NULL, callback, user_data);
  RegData *d = g_new0(RegData, 1);

  g_task_set_source_tag(task, registration_fetch_async);
  g_task_set_task_data(task, d, (GDestroyNotify) reg_data_free);
  d->pending = 3;
  g_dbus_connection_call(self->connection, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, OVPN3_LOG_INTERFACE,
                         "AssignSession",
                         g_variant_new("(os)", self->session_path, OVPN3_BACKENDS_INTERFACE), NULL,
                         G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_assigned, g_object_ref(task));
  g_dbus_connection_call(self->connection, OVPN3_CONFIG_BUS_NAME, self->config_path,
                         DBUS_INTERFACE_PROPS, "GetAll",
                         g_variant_new("(s)", OVPN3_CONFIG_INTERFACE), G_VARIANT_TYPE("(a{sv})"),
                         G_DBUS_CALL_FLAGS_NONE, 30000, NULL, on_properties, g_object_ref(task));
  g_dbus_connection_call(self->connection, OVPN3_CONFIG_BUS_NAME, self->config_path,
                         OVPN3_CONFIG_INTERFACE, "Fetch", NULL, G_VARIANT_TYPE("(s)"),
                         G_DBUS_CALL_FLAGS_NONE, 30000, NULL, on_fetched, g_object_ref(task));
}

static void
on_registration_fetched(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ovpn3ClientBackend *self = OVPN3_CLIENT_BACKEND(source);
  g_autoptr(GDBusMethodInvocation) invocation = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean(G_TASK(result), &error))
    {
      reg_fail(self, invocation, error->message);
      return;
    }
  evaluate(self, invocation, g_task_get_task_data(G_TASK(result)));
}

/* ---- the log service told again which session we serve ------------------------------------ */

/* after a log service restart our log client attaches again (services/common/ovpn3-log-client.c)
 * while we ask: the log service's error ("Not attached") is retried every 200 ms, up to 5 s */
#define REASSIGN_RETRY_MS 200
#define REASSIGN_TRIES    25

typedef struct
{
  Ovpn3ClientBackend *self; /* a reference */
  guint tries;
} Reassign;

static void send_reassign(Reassign *r);

static void
reassign_free(Reassign *r)
{
  g_object_unref(r->self);
  g_free(r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Reassign, reassign_free)

static gboolean
retry_reassign(gpointer user_data)
{
  send_reassign(user_data);
  return G_SOURCE_REMOVE;
}

static void
on_reassigned(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Reassign) r = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (reply != NULL)
    return;
  name = g_dbus_error_get_remote_error(error);
  /* "Not attached": our log client's Attach has not reached the new log service yet */
  if (++r->tries < REASSIGN_TRIES && g_strcmp0(name, OVPN3_ERROR_NAME_LOG) == 0)
    {
      g_timeout_add(REASSIGN_RETRY_MS, retry_reassign, g_steal_pointer(&r));
      return;
    }
  client_log(r->self, OVPN3_LOG_CATEGORY_WARN, "Log service AssignSession: %s", error->message);
}

static void
send_reassign(Reassign *r)
{
  if (r->self->connection == NULL)
    {
      reassign_free(r);
      return;
    }
  g_dbus_connection_call(r->self->connection, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH,
                         OVPN3_LOG_INTERFACE, "AssignSession",
                         g_variant_new("(os)", r->self->session_path, OVPN3_BACKENDS_INTERFACE),
                         NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_reassigned, r);
}

static void
reassign_session(Ovpn3ClientBackend *self)
{
  Reassign *r = g_new0(Reassign, 1);

  r->self = g_object_ref(self);
  send_reassign(r);
}

/* A log service that returned (another owner than the last one) has forgotten us. */
static void
on_log_appeared(GDBusConnection *connection, const char *name, const char *owner,
                gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;
  gboolean returned = self->log_owner != NULL && !g_str_equal(self->log_owner, owner);

  g_free(self->log_owner);
  self->log_owner = g_strdup(owner);
  if (returned && !self->orphaned)
    reassign_session(self);
}

/* ---- taken back by a restarted session manager ------------------------------------------- */

void
client_registration_readopted(Ovpn3ClientBackend *self, const char *token, const char *session_path,
                              const char *config_path, GDBusMethodInvocation *invocation)
{
  if (strlen(token) != strlen(self->token) || memcmp(token, self->token, strlen(token)) != 0
      || !g_str_equal(session_path, self->session_path)
      || !g_str_equal(config_path, self->config_path))
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION,
                                    "This backend serves another session");
      return;
    }
  self->orphaned = FALSE;
  g_clear_handle_id(&self->readopt_timeout_id, g_source_remove);
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "Session %s taken back by the session manager",
             self->session_path);
  /* the log service learns again, from the new session manager, which session we serve */
  reassign_session(self);
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", self->config_name));
}

void
client_registration_confirm(Ovpn3ClientBackend *self, GVariant *parameters,
                            GDBusMethodInvocation *invocation)
{
  const char *token, *session_path, *config_path;

  g_variant_get(parameters, "(&s&o&o)", &token, &session_path, &config_path);
  if (self->registered && self->orphaned)
    {
      client_registration_readopted(self, token, session_path, config_path, invocation);
      return;
    }
  if (self->registered)
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION,
                                    "Backend service is already registered");
      return;
    }
  if (strlen(token) != strlen(self->token) || memcmp(token, self->token, strlen(token)) != 0)
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION,
                                    "Invalid registration token");
      return;
    }
  if (self->engine_error != NULL)
    {
      /* nothing to serve this session with: say why, then go */
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_BE_REGISTRATION, self->engine_error);
      ovpn3_service_quit(self->ctx);
      return;
    }
  self->registered = TRUE;
  g_clear_handle_id(&self->registration_timeout_id, g_source_remove);
  self->session_path = g_strdup(session_path);
  self->config_path = g_strdup(config_path);
  self->log_watch = g_bus_watch_name_on_connection(self->connection, OVPN3_LOG_BUS_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE, on_log_appeared,
                                                   NULL, self, NULL);
  registration_fetch_async(self, on_registration_fetched, g_object_ref(invocation));
}
