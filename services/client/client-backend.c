#define G_LOG_DOMAIN "ovpn3-client-backend"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client-backend.h"
#include "client-netcfg.h"
#include "client-openvpn.h"
#include "client-queue.h"
#include "ovpn3-error.h"
#include "ovpn3-mgmt-client.h"
#include "ovpn3-names.h"
#include "ovpn3-profile.h"

#define T_CRED OVPN3_ATTENTION_TYPE_CREDENTIALS

#define TEXT_NEED_USERPASS "Username/password credentials needed"
#define TEXT_NEED_PK       "Private key passphrase needed to connect"
#define TEXT_NEED_DYNAMIC  "Dynamic Challenge"
#define TEXT_NEED_PROXY    "HTTP proxy credentials"
#define TEXT_NEED_SOCKS    "SOCKS proxy credentials"

#define ERR_NOT_INITIALIZED "Backend service is not initialized"

typedef enum
{
  RUN_IDLE,     /* registered, nothing started */
  RUN_STARTING, /* netcfg device being created */
  RUN_RUNNING,  /* openvpn process exists */
  RUN_DONE,     /* finished; the process exits */
} RunState;

typedef enum
{
  PROMPT_NONE,
  PROMPT_AUTH,
  PROMPT_PK,
  PROMPT_HTTP_PROXY,
  PROMPT_SOCKS_PROXY,
} PromptKind;

struct _Ovpn3ClientBackend
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx;
  GDBusConnection *connection;
  guint registration_id;
  char *bus_name;
  char *token;
  char *sessionmgr; /* unique name owning net.openvpn.v3.sessions */
  guint sessionmgr_watch;
  guint registration_timeout_id;
  gboolean registered;  /* RegistrationConfirmation accepted the token */
  gboolean initialized; /* the profile was evaluated successfully */

  char *session_path;
  char *config_path;
  char *config_name;
  guint log_level;
  gboolean dco;
  GVariant *overrides; /* a{sv} */
  Ovpn3Profile *profile;
  char *inline_user; /* secrets from an inline <auth-user-pass> */
  char *inline_pass;
  gboolean dns_disabled;
  char *dns_scope;
  char **pull_filters;
  gboolean route_nopull;
  Ovpn3NetRedirect redirect;

  Ovpn3ClientQueue *queue;

  guint st_major, st_minor;
  char *st_message;
  GVariant *last_log_line;

  /* the session */
  RunState run;
  Ovpn3ClientOpenvpn *ovpn;
  Ovpn3ClientNetcfg *netcfg;
  gboolean in_hold;
  gboolean first_hold_done;
  guint hold_timer_id;
  gboolean connecting_emitted;
  gboolean connected;
  gboolean paused;
  gboolean restart_requested;
  gboolean disconnecting;
  gboolean silent_exit; /* ForceShutdown: CONN_DONE already sent */
  gboolean waiting_input;
  PromptKind pending_prompt;
  gboolean pending_static_challenge;
  char *crv1_state_id; /* dynamic challenge in progress */
  char *crv1_user;
  gboolean web_auth_pending;
  gboolean net_applying;
  gboolean net_applied;
  char *applied_key; /* tunnel addresses applied */
  gboolean connected_deferred;
  char *fatal_message;
  char *exit_reason;
  gboolean halted;
  gboolean finishing;

  char *conn_proto, *conn_host, *conn_ip;
  guint conn_port;
  char *session_name;

  guint64 bytes_in, bytes_out, tun_in, tun_out;
  guint64 n_reconnect, n_pause;
};

G_DEFINE_TYPE(Ovpn3ClientBackend, ovpn3_client_backend, G_TYPE_OBJECT)

static void start_openvpn(Ovpn3ClientBackend *self);
static void finish(Ovpn3ClientBackend *self);

static void
wipe_free(char **s)
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

  if (self->sessionmgr != NULL
      && !g_dbus_connection_emit_signal(self->connection, self->sessionmgr,
                                        OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE,
                                        member, p, &error))
    g_debug("%s to the session manager: %s", member, error->message);
  g_clear_error(&error);
  if (!g_dbus_connection_emit_signal(self->connection, OVPN3_LOG_BUS_NAME,
                                     OVPN3_BACKEND_SESSION_PATH, OVPN3_BACKENDS_INTERFACE, member,
                                     p, &error))
    g_debug("%s to the log service: %s", member, error->message);
}

static void G_GNUC_PRINTF(3, 4)
    blog(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *format, ...)
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
set_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message)
{
  self->st_major = major;
  self->st_minor = minor;
  g_free(self->st_message);
  self->st_message = g_strdup(message != NULL ? message : "");
  blog(self, OVPN3_LOG_CATEGORY_VERB2, "Status: %u/%u %s", major, minor, self->st_message);
  emit_both(self, "StatusChange", g_variant_new("(uus)", major, minor, self->st_message));
}

static void
conn_status(Ovpn3ClientBackend *self, guint minor, const char *message)
{
  set_status(self, OVPN3_STATUS_MAJOR_CONNECTION, minor, message);
}

static void
attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message)
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

  wipe_free(&self->token);
  wipe_free(&self->inline_user);
  wipe_free(&self->inline_pass);
  g_free(self->bus_name);
  g_free(self->sessionmgr);
  g_free(self->session_path);
  g_free(self->config_path);
  g_free(self->config_name);
  g_clear_pointer(&self->overrides, g_variant_unref);
  g_free(self->dns_scope);
  g_strfreev(self->pull_filters);
  g_free(self->st_message);
  g_clear_pointer(&self->last_log_line, g_variant_unref);
  g_free(self->crv1_state_id);
  g_free(self->crv1_user);
  g_free(self->fatal_message);
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

static void
return_error(GDBusMethodInvocation *invocation, GQuark domain, const char *message)
{
  g_dbus_method_invocation_return_error_literal(invocation, domain, OVPN3_ERROR_FAILED, message);
}

/* ---- the queue ------------------------------------------------------------------ */

static void
add_user_pass_slots(Ovpn3ClientBackend *self)
{
  /* an inline username is kept; only the password is asked for then */
  if (self->inline_user != NULL && self->inline_pass == NULL)
    ovpn3_client_queue_add_provided(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD,
                                    "username", "Auth User name", FALSE, self->inline_user);
  else
    ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD, "username",
                           "Auth User name", FALSE);
  ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD, "password",
                         "Auth Password", TRUE);
}

static void
add_static_challenge_slot(Ovpn3ClientBackend *self)
{
  g_autofree char *text = NULL;
  gboolean echo = FALSE;

  if (!ovpn3_profile_get_static_challenge(self->profile, &text, &echo))
    return;
  ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC,
                         "static_challenge", text, !echo);
  attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC, text);
}

static void
require(Ovpn3ClientBackend *self, guint group, const char *text)
{
  attention(self, T_CRED, group, text);
  conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, text);
}

static void
on_queue_provided(Ovpn3ClientQueue *queue, guint type, guint group, guint id, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;
  g_autoptr(GError) error = NULL;
  Ovpn3MgmtCommand *cmd;
  const char *value;

  blog(self, OVPN3_LOG_CATEGORY_VERB1, "User input provided for %u/%u id %u", type, group, id);
  if (type != T_CRED || group != OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING)
    return;
  /* CR_TEXT: the answer goes to the server at once, no Connect needed */
  value = ovpn3_client_queue_get_value(queue, type, group, "auth_pending");
  if (value == NULL || self->ovpn == NULL)
    return;
  cmd = ovpn3_mgmt_command_cr_response(value, &error);
  ovpn3_client_queue_forget(queue, type, group);
  if (cmd == NULL)
    {
      blog(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot send the challenge response: %s",
           error->message);
      return;
    }
  ovpn3_client_openvpn_send(self->ovpn, cmd);
}

/* ---- hold ----------------------------------------------------------------------- */

static void
hold_release(Ovpn3ClientBackend *self)
{
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (!self->in_hold || self->ovpn == NULL)
    return;
  self->in_hold = FALSE;
  self->connecting_emitted = FALSE;
  ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_RELEASE));
}

static gboolean
on_hold_timer(gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  self->hold_timer_id = 0;
  if (!self->paused && !self->waiting_input && !self->disconnecting)
    hold_release(self);
  return G_SOURCE_REMOVE;
}

static void
on_hold(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  g_autoptr(GError) error = NULL;

  self->in_hold = TRUE;
  if (!self->first_hold_done)
    {
      self->first_hold_done = TRUE;
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_state("on", &error));
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_bytecount(5));
      hold_release(self);
      return;
    }
  if (self->disconnecting)
    return;
  if (self->paused)
    {
      conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSED, "");
      return;
    }
  if (self->waiting_input)
    return;
  if (self->restart_requested)
    {
      self->restart_requested = FALSE;
      hold_release(self);
      return;
    }
  /* the back-off openvpn asks for: releasing at once makes a reconnect storm */
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (event->hold_seconds == 0)
    hold_release(self);
  else
    self->hold_timer_id = g_timeout_add_seconds(MIN(event->hold_seconds, 300), on_hold_timer, self);
}

/* ---- prompts -------------------------------------------------------------------- */

static const char *
cred(Ovpn3ClientBackend *self, guint group, const char *name)
{
  return ovpn3_client_queue_get_value(self->queue, T_CRED, group, name);
}

static void
send_cmd(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd, GError *error)
{
  if (cmd == NULL)
    {
      blog(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot send credentials: %s",
           error != NULL ? error->message : "invalid value");
      return;
    }
  ovpn3_client_openvpn_send(self->ovpn, cmd);
}

/* Answers the pending prompt from the queue; FALSE (and slots + attention) when
 * something is missing. */
static gboolean
answer_prompt(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;

  switch (self->pending_prompt)
    {
      case PROMPT_NONE:
        return TRUE;

      case PROMPT_AUTH:
        {
          const char *user, *pass, *resp = NULL;

          if (self->crv1_state_id != NULL)
            {
              resp = cred(self, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC, "dynamic_challenge");
              if (resp == NULL)
                {
                  if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                                  OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC))
                    return FALSE; /* cannot happen: the slot was added with the challenge */
                  return FALSE;
                }
              send_cmd(self,
                       ovpn3_mgmt_command_username(
                           "Auth", self->crv1_user != NULL ? self->crv1_user : "", &error),
                       error);
              g_clear_error(&error);
              send_cmd(self, ovpn3_mgmt_command_crv1_response(self->crv1_state_id, resp, &error),
                       error);
              ovpn3_client_queue_forget(self->queue, T_CRED,
                                        OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC);
              g_clear_pointer(&self->crv1_state_id, g_free);
              g_clear_pointer(&self->crv1_user, g_free);
              break;
            }
          user = cred(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, "username");
          pass = cred(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, "password");
          if (user == NULL)
            user = self->inline_user;
          if (pass == NULL)
            pass = self->inline_pass;
          if (self->pending_static_challenge)
            resp = cred(self, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC, "static_challenge");
          if (user == NULL || pass == NULL)
            {
              if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                              OVPN3_ATTENTION_GROUP_USER_PASSWORD))
                add_user_pass_slots(self);
              require(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
              return FALSE;
            }
          if (self->pending_static_challenge && resp == NULL)
            {
              if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                              OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC))
                add_static_challenge_slot(self);
              {
                g_autofree char *text = NULL;

                ovpn3_profile_get_static_challenge(self->profile, &text, NULL);
                conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER,
                            text != NULL ? text : "Static challenge");
              }
              return FALSE;
            }
          send_cmd(self, ovpn3_mgmt_command_username("Auth", user, &error), error);
          g_clear_error(&error);
          if (self->pending_static_challenge)
            {
              send_cmd(self, ovpn3_mgmt_command_static_challenge("Auth", pass, resp, &error),
                       error);
              /* one-time: ask again after a restart */
              ovpn3_client_queue_forget(self->queue, T_CRED,
                                        OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC);
            }
          else
            send_cmd(self, ovpn3_mgmt_command_password("Auth", pass, &error), error);
          break;
        }

      case PROMPT_PK:
        {
          const char *pk = cred(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, "pk_passphrase");

          if (pk == NULL)
            {
              if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                              OVPN3_ATTENTION_GROUP_PK_PASSPHRASE))
                ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE,
                                       "pk_passphrase", "Private key passphrase", TRUE);
              require(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
              return FALSE;
            }
          send_cmd(self, ovpn3_mgmt_command_password("Private Key", pk, &error), error);
          break;
        }

      case PROMPT_HTTP_PROXY:
      case PROMPT_SOCKS_PROXY:
        {
          gboolean http = self->pending_prompt == PROMPT_HTTP_PROXY;
          const char *type = http ? "HTTP Proxy" : "SOCKS Proxy";
          const char *uname = http ? "http_proxy_user" : "socks_proxy_user";
          const char *pname = http ? "http_proxy_pass" : "socks_proxy_pass";
          const char *user = cred(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, uname);
          const char *pass = cred(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, pname);

          if (user == NULL || pass == NULL)
            {
              if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                              OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS))
                {
                  ovpn3_client_queue_add(
                      self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, uname,
                      http ? "HTTP proxy username" : "SOCKS proxy username", FALSE);
                  ovpn3_client_queue_add(
                      self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, pname,
                      http ? "HTTP proxy password" : "SOCKS proxy password", TRUE);
                }
              require(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS,
                      http ? TEXT_NEED_PROXY : TEXT_NEED_SOCKS);
              return FALSE;
            }
          send_cmd(self, ovpn3_mgmt_command_username(type, user, &error), error);
          g_clear_error(&error);
          send_cmd(self, ovpn3_mgmt_command_password(type, pass, &error), error);
          break;
        }
    }
  self->pending_prompt = PROMPT_NONE;
  self->pending_static_challenge = FALSE;
  return TRUE;
}

static void
on_password(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *type = event->cred_type != NULL ? event->cred_type : "";

  switch (event->password_kind)
    {
      case OVPN3_MGMT_PASSWORD_NEED_USER_PASS:
      case OVPN3_MGMT_PASSWORD_NEED_PASSWORD:
        if (g_str_equal(type, "Auth"))
          self->pending_prompt = PROMPT_AUTH;
        else if (g_str_equal(type, "Private Key"))
          self->pending_prompt = PROMPT_PK;
        else if (g_str_equal(type, "HTTP Proxy"))
          self->pending_prompt = PROMPT_HTTP_PROXY;
        else if (g_str_equal(type, "SOCKS Proxy"))
          self->pending_prompt = PROMPT_SOCKS_PROXY;
        else
          {
            blog(self, OVPN3_LOG_CATEGORY_ERROR, "Unsupported credential request '%s'", type);
            return;
          }
        self->pending_static_challenge = event->static_challenge;
        if (!answer_prompt(self))
          self->waiting_input = TRUE;
        return;

      case OVPN3_MGMT_PASSWORD_VERIFY_FAILED:
        if (g_str_equal(type, "Auth") && event->crv1)
          {
            g_autofree char *flags = NULL, *state = NULL, *user = NULL, *text = NULL;
            gboolean echo;

            if (!ovpn3_mgmt_parse_crv1(event->reason, &flags, &state, &user, &text))
              break;
            echo = flags != NULL && strchr(flags, 'E') != NULL;
            g_free(self->crv1_state_id);
            self->crv1_state_id = g_steal_pointer(&state);
            g_free(self->crv1_user);
            self->crv1_user = g_strdup(
                user != NULL ? user : cred(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, "username"));
            ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC,
                                   "dynamic_challenge", text != NULL ? text : "", !echo);
            ovpn3_client_queue_add_provided(
                self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC,
                "dynamic_challenge_cookie", "", TRUE, self->crv1_state_id);
            self->waiting_input = TRUE;
            attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC,
                      text != NULL ? text : "");
            conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, TEXT_NEED_DYNAMIC);
            return;
          }
        if (g_str_equal(type, "Auth"))
          {
            gboolean had_static = ovpn3_profile_get_static_challenge(self->profile, NULL, NULL);
            gboolean uses_user_pass = ovpn3_profile_has_option(self->profile, "auth-user-pass");

            /* the credentials were wrong: forget them and ask again */
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD);
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC);
            wipe_free(&self->inline_pass);
            if (!uses_user_pass)
              had_static = FALSE;
            else if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                                 OVPN3_ATTENTION_GROUP_USER_PASSWORD))
              add_user_pass_slots(self);
            if (had_static
                && !ovpn3_client_queue_pending(self->queue, T_CRED,
                                               OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC))
              add_static_challenge_slot(self);
            self->waiting_input = TRUE;
            self->web_auth_pending = FALSE;
            blog(self, OVPN3_LOG_CATEGORY_WARN, "Authentication failed: %s",
                 event->reason != NULL ? event->reason : "(no reason given)");
            conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED,
                        event->reason != NULL && *event->reason != '\0' ? event->reason
                                                                        : "Authentication failed");
            if (uses_user_pass)
              attention(self, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
            return;
          }
        if (g_str_equal(type, "Private Key"))
          {
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE);
            ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE,
                                   "pk_passphrase", "Private key passphrase", TRUE);
            self->waiting_input = TRUE;
            conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED,
                        "Private key passphrase verification failed");
            attention(self, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
            return;
          }
        if (g_str_equal(type, "HTTP Proxy") || g_str_equal(type, "SOCKS Proxy"))
          {
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS);
            blog(self, OVPN3_LOG_CATEGORY_WARN, "%s authentication failed", type);
            return;
          }
        break;

      case OVPN3_MGMT_PASSWORD_AUTH_TOKEN:
        blog(self, OVPN3_LOG_CATEGORY_VERB2, "Server pushed an authentication token");
        return;

      default:
        break;
    }
  blog(self, OVPN3_LOG_CATEGORY_VERB1, "Unhandled password request '%s'", type);
}

/* ---- states ------------------------------------------------------------------------- */

static void
fill_connection(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  g_autoptr(GPtrArray) remotes = ovpn3_profile_get_remotes(self->profile);
  Ovpn3ProfileRemote *match = NULL;

  for (guint i = 0; i < remotes->len && match == NULL; i++)
    {
      Ovpn3ProfileRemote *r = g_ptr_array_index(remotes, i);

      if (g_strcmp0(r->host, event->remote_addr) == 0)
        match = r;
    }
  if (match == NULL && remotes->len > 0)
    match = g_ptr_array_index(remotes, 0);
  g_free(self->conn_proto);
  g_free(self->conn_host);
  g_free(self->conn_ip);
  self->conn_proto = g_strdup(match != NULL ? match->proto : "");
  self->conn_host = g_strdup(match != NULL ? match->host : "");
  self->conn_ip = g_strdup(event->remote_addr != NULL ? event->remote_addr : "");
  self->conn_port = event->remote_port;
  if (self->session_name == NULL)
    self->session_name = g_strdup(self->conn_host);
}

static void
on_state(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *name = event->state_name != NULL ? event->state_name : "";
  const char *detail = event->state_detail != NULL ? event->state_detail : "";

  blog(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn state %s %s", name, detail);
  if (g_str_equal(name, "RESOLVE") || g_str_equal(name, "TCP_CONNECT") || g_str_equal(name, "WAIT")
      || g_str_equal(name, "AUTH") || g_str_equal(name, "GET_CONFIG"))
    {
      if (!self->connecting_emitted && !self->paused)
        {
          self->connecting_emitted = TRUE;
          conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTING, "");
        }
      return;
    }
  if (g_str_equal(name, "CONNECTED"))
    {
      self->web_auth_pending = FALSE;
      self->waiting_input = FALSE;
      self->connected = TRUE;
      fill_connection(self, event);
      if (self->net_applying)
        self->connected_deferred = TRUE;
      else
        conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTED, "");
      return;
    }
  if (g_str_equal(name, "RECONNECTING"))
    {
      self->connected = FALSE;
      self->connecting_emitted = FALSE;
      self->web_auth_pending = FALSE;
      self->n_reconnect++;
      if (self->paused || self->restart_requested || self->disconnecting
          || g_str_has_prefix(detail, "auth-failure")
          || g_str_equal(detail, "private-key-password-failure") || self->waiting_input)
        return;
      conn_status(self, OVPN3_STATUS_MINOR_CONN_RECONNECTING, detail);
      return;
    }
  if (g_str_equal(name, "EXITING"))
    {
      self->connected = FALSE;
      g_free(self->exit_reason);
      self->exit_reason = g_strdup(detail);
    }
}

static void
on_infomsg(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *text = event->text != NULL ? event->text : "";

  switch (event->infomsg_kind)
    {
      case OVPN3_MGMT_INFOMSG_WEB_AUTH:
      case OVPN3_MGMT_INFOMSG_OPEN_URL:
        self->web_auth_pending = TRUE;
        set_status(self, OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_SESS_AUTH_URL, text);
        attention(self, T_CRED, OVPN3_ATTENTION_GROUP_OPEN_URL, text);
        return;
      case OVPN3_MGMT_INFOMSG_CR_TEXT:
        {
          gboolean echo = event->flags != NULL && strchr(event->flags, 'E') != NULL;

          ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING,
                                 "auth_pending", text, !echo);
          attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING, text);
          conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, text);
          return;
        }
      default:
        blog(self, OVPN3_LOG_CATEGORY_INFO, "Server message: %s", text);
    }
}

/* ---- network settings --------------------------------------------------------------- */

static void
on_net_applied(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  self->net_applying = FALSE;
  if (!ovpn3_client_netcfg_apply_finish(OVPN3_CLIENT_NETCFG(source), result, &error))
    {
      if (self->run == RUN_DONE || self->disconnecting)
        return;
      blog(self, OVPN3_LOG_CATEGORY_ERROR, "Network configuration failed: %s", error->message);
      g_free(self->fatal_message);
      self->fatal_message = g_strdup_printf("Network configuration failed: %s", error->message);
      if (self->ovpn != NULL)
        ovpn3_client_openvpn_stop(self->ovpn, OVPN3_CLIENT_STOP_TIMEOUT_S);
      return;
    }
  self->net_applied = TRUE;
  blog(self, OVPN3_LOG_CATEGORY_VERB1, "Network configuration applied on %s",
       ovpn3_client_netcfg_get_device_name(self->netcfg));
  if (self->connected_deferred)
    {
      self->connected_deferred = FALSE;
      if (self->connected && !self->disconnecting)
        conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTED, "");
    }
}

/* "addr/prefix …" of the tunnel addresses, to notice a change on reconnect. */
static char *
addresses_key(const Ovpn3NetSettings *settings)
{
  GString *key = g_string_new(NULL);

  for (guint i = 0; i < settings->addresses->len; i++)
    {
      const Ovpn3NetAddress *a = g_ptr_array_index(settings->addresses, i);

      g_string_append_printf(key, "%s%s/%u", i > 0 ? " " : "", a->address, a->prefix);
    }
  return g_string_free(key, FALSE);
}

static void
on_updown(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3NetSettings) settings = NULL;
  g_autofree char *key = NULL;
  const char *cn;

  if (!event->up)
    {
      blog(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn closed the tunnel device");
      return;
    }
  cn = ovpn3_mgmt_event_get_env(event, "X509_0_CN");
  if (cn != NULL && *cn != '\0')
    {
      g_free(self->session_name);
      self->session_name = g_strdup(cn);
    }
  settings = ovpn3_net_settings_from_env(event->env, &self->redirect, self->dns_disabled, refusals,
                                         &error);
  if (settings == NULL)
    {
      blog(self, OVPN3_LOG_CATEGORY_ERROR, "%s", error->message);
      g_free(self->fatal_message);
      self->fatal_message = g_strdup(error->message);
      ovpn3_client_openvpn_stop(self->ovpn, OVPN3_CLIENT_STOP_TIMEOUT_S);
      return;
    }
  key = addresses_key(settings);
  if (self->applied_key != NULL)
    {
      /* --persist-tun keeps the device; netcfg keeps what it applied */
      if (g_str_equal(key, self->applied_key))
        {
          blog(self, OVPN3_LOG_CATEGORY_VERB1, "Tunnel re-opened; keeping the network settings");
          return;
        }
      blog(self, OVPN3_LOG_CATEGORY_WARN,
           "The server pushed other tunnel addresses on reconnect (%s, was %s); applying them", key,
           self->applied_key);
    }
  for (guint i = 0; i < refusals->len; i++)
    blog(self, OVPN3_LOG_CATEGORY_WARN, "%s", (const char *) g_ptr_array_index(refusals, i));
  g_free(self->applied_key);
  self->applied_key = g_steal_pointer(&key);
  self->net_applying = TRUE;
  ovpn3_client_netcfg_apply_async(self->netcfg, settings, on_net_applied, g_object_ref(self));
}

/* ---- statistics --------------------------------------------------------------------- */

static void
on_status_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3MgmtResponse) response = NULL;
  Ovpn3MgmtStatus status = { 0 };

  response = ovpn3_mgmt_client_command_finish(OVPN3_MGMT_CLIENT(source), result, &error);
  if (response == NULL)
    return;
  if (ovpn3_mgmt_parse_status((const char *const *) response->lines, &status) && status.valid)
    {
      self->tun_in = status.tun_read_bytes;
      self->tun_out = status.tun_write_bytes;
    }
}

static void
on_bytecount(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  Ovpn3MgmtClient *mgmt = ovpn3_client_openvpn_get_mgmt(self->ovpn);

  self->bytes_in = event->bytes_in;
  self->bytes_out = event->bytes_out;
  if (mgmt != NULL && self->connected)
    ovpn3_mgmt_client_command_async(mgmt, ovpn3_mgmt_command_status(), 10000, NULL, on_status_reply,
                                    g_object_ref(self));
}

static GVariant *
statistics_variant(Ovpn3ClientBackend *self)
{
  GVariantBuilder b;
  const struct
  {
    const char *key;
    guint64 value;
  } stats[] = {
    { "BYTES_IN", self->bytes_in },       { "BYTES_OUT", self->bytes_out },
    { "TUN_BYTES_IN", self->tun_in },     { "TUN_BYTES_OUT", self->tun_out },
    { "N_RECONNECT", self->n_reconnect }, { "N_PAUSE", self->n_pause },
  };

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{sx}"));
  for (gsize i = 0; i < G_N_ELEMENTS(stats); i++)
    if (stats[i].value != 0)
      g_variant_builder_add(&b, "{sx}", stats[i].key, (gint64) MIN(stats[i].value, G_MAXINT64));
  return g_variant_builder_end(&b);
}

/* ---- openvpn events ----------------------------------------------------------------- */

static void
on_event(Ovpn3ClientOpenvpn *ovpn, gpointer event_ptr, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;
  Ovpn3MgmtEvent *event = event_ptr;

  switch (event->type)
    {
      case OVPN3_MGMT_EVENT_HOLD:
        on_hold(self, event);
        break;
      case OVPN3_MGMT_EVENT_STATE:
        on_state(self, event);
        break;
      case OVPN3_MGMT_EVENT_PASSWORD:
        on_password(self, event);
        break;
      case OVPN3_MGMT_EVENT_INFOMSG:
        on_infomsg(self, event);
        break;
      case OVPN3_MGMT_EVENT_NOTIFY:
        blog(self, OVPN3_LOG_CATEGORY_INFO, "openvpn notification: %s %s",
             event->notify_type != NULL ? event->notify_type : "",
             event->text != NULL ? event->text : "");
        if (g_strcmp0(event->notify_type, "server-pushed-halt") == 0
            || g_strcmp0(event->notify_type, "remote-exit") == 0)
          self->halted = TRUE;
        break;
      case OVPN3_MGMT_EVENT_FATAL:
        g_free(self->fatal_message);
        self->fatal_message = g_strdup(event->text != NULL ? event->text : "fatal error");
        blog(self, OVPN3_LOG_CATEGORY_ERROR, "openvpn: %s", self->fatal_message);
        break;
      case OVPN3_MGMT_EVENT_BYTECOUNT:
        on_bytecount(self, event);
        break;
      case OVPN3_MGMT_EVENT_UPDOWN:
        on_updown(self, event);
        break;
      case OVPN3_MGMT_EVENT_NEED_OK:
      case OVPN3_MGMT_EVENT_NEED_STR:
        blog(self, OVPN3_LOG_CATEGORY_ERROR, "Unsupported request from openvpn: %s",
             event->text != NULL ? event->text : "");
        attention(self, OVPN3_ATTENTION_TYPE_PKCS11, OVPN3_ATTENTION_GROUP_PKCS11_SIGN,
                  event->text != NULL ? event->text : "");
        break;
      default:
        break;
    }
}

static void
on_output(Ovpn3ClientOpenvpn *ovpn, const char *line, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;
  const char *token;

  if (strstr(line, "PUSH: Received control message: 'PUSH_REPLY,") != NULL)
    ovpn3_net_parse_push_reply(line, (const char *const *) self->pull_filters, self->route_nopull,
                               &self->redirect);
  /* never pass on a token, even if openvpn printed one */
  token = strstr(line, "auth-token");
  if (token != NULL)
    {
      g_autofree char *cut = g_strndup(line, token - line);

      blog(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn: %sauth-token [redacted]", cut);
      return;
    }
  blog(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn: %s", line);
}

static void
on_exited(Ovpn3ClientOpenvpn *ovpn, gint wait_status, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  self->connected = FALSE;
  blog(self, OVPN3_LOG_CATEGORY_INFO, "openvpn exited (wait status %d)", wait_status);
  if (self->silent_exit)
    ;
  else if (self->disconnecting)
    conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
  else if (wait_status >= 0 && WIFSIGNALED(wait_status))
    {
      g_autofree char *msg
          = g_strdup_printf("openvpn was killed by signal %d", WTERMSIG(wait_status));
      conn_status(self, OVPN3_STATUS_MINOR_PROC_KILLED, msg);
    }
  else if (self->fatal_message != NULL)
    conn_status(self, OVPN3_STATUS_MINOR_CONN_FAILED, self->fatal_message);
  else if (self->halted)
    conn_status(self, OVPN3_STATUS_MINOR_CONN_FAILED, "Client disconnected by server");
  else if (g_strcmp0(self->exit_reason, "inactive") == 0)
    conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "Inactive tunnel, disconnected");
  else if (self->exit_reason != NULL && *self->exit_reason != '\0')
    conn_status(self, OVPN3_STATUS_MINOR_CONN_FAILED, self->exit_reason);
  else
    {
      g_autofree char *msg
          = g_strdup_printf("openvpn exited unexpectedly (status %d)",
                            WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : wait_status);
      conn_status(self, OVPN3_STATUS_MINOR_PROC_KILLED, msg);
    }
  finish(self);
}

/* ---- start / finish ----------------------------------------------------------------- */

static void
on_destroyed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_client_netcfg_destroy_finish(OVPN3_CLIENT_NETCFG(source), result, &error))
    blog(self, OVPN3_LOG_CATEGORY_WARN, "netcfg Destroy: %s", error->message);
  ovpn3_service_quit(self->ctx);
}

/* The session is over: remove the device, then exit. */
static void
finish(Ovpn3ClientBackend *self)
{
  if (self->finishing)
    return;
  self->finishing = TRUE;
  self->run = RUN_DONE;
  if (self->netcfg != NULL && self->run != RUN_STARTING)
    ovpn3_client_netcfg_destroy_async(self->netcfg, on_destroyed, g_object_ref(self));
  else
    ovpn3_service_quit(self->ctx);
}

static void
fail_start(Ovpn3ClientBackend *self, const char *message)
{
  blog(self, OVPN3_LOG_CATEGORY_ERROR, "%s", message);
  if (!self->silent_exit)
    conn_status(self,
                self->disconnecting ? OVPN3_STATUS_MINOR_CONN_DONE : OVPN3_STATUS_MINOR_PROC_KILLED,
                self->disconnecting ? "" : message);
  finish(self);
}

static void
on_device_created(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_client_netcfg_create_finish(OVPN3_CLIENT_NETCFG(source), result, &error))
    {
      g_autofree char *msg
          = g_strdup_printf("Could not create the tunnel device: %s", error->message);
      self->run = RUN_IDLE;
      fail_start(self, msg);
      return;
    }
  if (self->disconnecting)
    {
      self->run = RUN_IDLE;
      if (!self->silent_exit)
        conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
      finish(self);
      return;
    }
  start_openvpn(self);
}

static guint
openvpn_verb(Ovpn3ClientBackend *self)
{
  gint verb = ovpn3_profile_get_verb(self->profile);

  /* >= 3 for the PUSH_REPLY line (redirect-gateway), <= 4: no packet dumps */
  return (guint) CLAMP(verb, 3, 4);
}

static void
start_openvpn(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text
      = ovpn3_profile_render(self->profile, OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS);
  Ovpn3ClientOpenvpnConfig cfg = {
    .binary = OVPN3_OPENVPN_BINARY,
    .runtime_base = OVPN3_RUNTIMEDIR,
    .profile_text = text,
    .dev_name = ovpn3_client_netcfg_get_device_name(self->netcfg),
    .tap = ovpn3_profile_get_dev_type(self->profile) == OVPN3_PROFILE_DEV_TAP,
    .verb = openvpn_verb(self),
  };

  self->ovpn = ovpn3_client_openvpn_new();
  g_signal_connect(self->ovpn, "event", G_CALLBACK(on_event), self);
  g_signal_connect(self->ovpn, "output", G_CALLBACK(on_output), self);
  g_signal_connect(self->ovpn, "exited", G_CALLBACK(on_exited), self);
  self->run = RUN_RUNNING;
  if (!ovpn3_client_openvpn_start(self->ovpn, &cfg, &error))
    {
      g_autofree char *msg = g_strdup_printf("Could not start openvpn: %s", error->message);
      g_signal_handlers_disconnect_by_data(self->ovpn, self);
      g_clear_object(&self->ovpn);
      fail_start(self, msg);
      return;
    }
  blog(self, OVPN3_LOG_CATEGORY_INFO, "openvpn started on %s (runtime directory %s)", cfg.dev_name,
       ovpn3_client_openvpn_get_dir(self->ovpn));
}

/* ---- methods ------------------------------------------------------------------------ */

static void
do_connect(Ovpn3ClientBackend *self)
{
  switch (self->run)
    {
      case RUN_IDLE:
        self->run = RUN_STARTING;
        self->connecting_emitted = TRUE;
        conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTING, "");
        self->netcfg = ovpn3_client_netcfg_new(self->connection);
        ovpn3_client_netcfg_create_async(
            self->netcfg, "ovpn3t",
            ovpn3_profile_get_dev_type(self->profile) == OVPN3_PROFILE_DEV_TAP ? 2 : 3,
            self->dns_scope, on_device_created, g_object_ref(self));
        return;
      case RUN_RUNNING:
        if (self->paused)
          return;
        if (self->waiting_input)
          {
            self->waiting_input = FALSE;
            if (self->pending_prompt != PROMPT_NONE)
              {
                if (!answer_prompt(self))
                  self->waiting_input = TRUE;
                return;
              }
          }
        /* the user acted: no need to wait out the back-off */
        if (self->in_hold)
          hold_release(self);
        return;
      default:
        return;
    }
}

static void
method_connect(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (!self->initialized)
    {
      return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  if (!ovpn3_client_queue_complete(self->queue))
    {
      return_error(invocation, OVPN3_ERROR_CLIENT, "Required user input not provided");
      return;
    }
  if (self->disconnecting || self->run == RUN_DONE)
    {
      return_error(invocation, OVPN3_ERROR_GDBUSPP, "VPN session is stopped");
      return;
    }
  do_connect(self);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static gboolean
running(Ovpn3ClientBackend *self)
{
  return self->initialized && self->run == RUN_RUNNING && !self->disconnecting;
}

static void
method_pause(Ovpn3ClientBackend *self, GVariant *parameters, GDBusMethodInvocation *invocation)
{
  const char *reason;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_get(parameters, "(&s)", &reason);
  if (!running(self))
    {
      return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  if (self->paused)
    {
      return_error(invocation, OVPN3_ERROR_CLIENT, "Connection is already paused");
      return;
    }
  self->paused = TRUE;
  self->n_pause++;
  msg = g_strdup_printf("Reason: %s", reason);
  conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSING, msg);
  g_dbus_method_invocation_return_value(invocation, NULL);
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (self->in_hold || self->pending_prompt != PROMPT_NONE)
    /* a signal now would be ignored (hold) or fatal (prompt) */
    conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSED, "");
  else
    ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_signal("SIGUSR1", &error));
}

static void
method_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (!self->paused || !running(self))
    {
      return_error(invocation, OVPN3_ERROR_CLIENT, "Connection is not paused");
      return;
    }
  self->paused = FALSE;
  conn_status(self, OVPN3_STATUS_MINOR_CONN_RESUMING, "");
  g_dbus_method_invocation_return_value(invocation, NULL);
  self->connecting_emitted = FALSE;
  if (self->pending_prompt != PROMPT_NONE)
    {
      if (!answer_prompt(self))
        self->waiting_input = TRUE;
    }
  else if (self->in_hold && !self->waiting_input)
    hold_release(self);
}

static void
method_restart(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;

  if (!running(self))
    {
      return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  self->paused = FALSE;
  conn_status(self, OVPN3_STATUS_MINOR_CONN_RECONNECTING, "");
  g_dbus_method_invocation_return_value(invocation, NULL);
  if (self->in_hold)
    {
      if (!self->waiting_input)
        hold_release(self);
    }
  else if (self->pending_prompt == PROMPT_NONE)
    {
      self->restart_requested = TRUE;
      self->connected = FALSE;
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_signal("SIGUSR1", &error));
    }
}

static void
stop_session(Ovpn3ClientBackend *self, gboolean force)
{
  if (self->disconnecting || self->run == RUN_DONE)
    return;
  self->disconnecting = TRUE;
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (force)
    {
      self->silent_exit = TRUE;
      conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
    }
  switch (self->run)
    {
      case RUN_RUNNING:
        if (!force)
          conn_status(self, OVPN3_STATUS_MINOR_CONN_DISCONNECTING, "");
        ovpn3_client_openvpn_stop(self->ovpn, force ? 1 : OVPN3_CLIENT_STOP_TIMEOUT_S);
        return;
      case RUN_STARTING:
        if (!force)
          conn_status(self, OVPN3_STATUS_MINOR_CONN_DISCONNECTING, "");
        return; /* on_device_created finishes */
      default:
        if (!force)
          conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
        finish(self);
    }
}

static void
method_ready(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (self->web_auth_pending)
    {
      return_error(invocation, OVPN3_ERROR_READY, "Pending web authentication");
      return;
    }
  if (!ovpn3_client_queue_complete(self->queue))
    {
      return_error(invocation, OVPN3_ERROR_READY, "Missing user credentials");
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
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

  blog(self, OVPN3_LOG_CATEGORY_ERROR, "Configuration profile: %s", message);
  conn_status(self, OVPN3_STATUS_MINOR_CFG_ERROR, status);
  return_error(d->invocation, OVPN3_ERROR_CLIENT, message);
}

static void
apply_overrides(Ovpn3ClientBackend *self)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;
  gint verb = ovpn3_profile_get_verb(self->profile);

  if (verb >= 0)
    self->log_level = (guint) MIN(verb, OVPN3_LOG_LEVEL_MAX);
  if (self->overrides == NULL)
    return;
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
      else
        blog(self, OVPN3_LOG_CATEGORY_VERB1, "Override '%s' is not applied by this backend", key);
      g_variant_unref(value);
    }
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
    blog(self, OVPN3_LOG_CATEGORY_WARN, "Data channel offload is not supported; not used");
  apply_overrides(self);
  read_pull_filters(self);
  ovpn3_profile_get_inline_user_pass(self->profile, &self->inline_user, &self->inline_pass);

  need_up = ovpn3_profile_has_option(self->profile, "auth-user-pass")
            && (self->inline_user == NULL || self->inline_pass == NULL);
  need_pk = ovpn3_profile_has_encrypted_key(self->profile);
  self->initialized = TRUE;

  status = g_strdup_printf("config_path=%s", self->config_path);
  conn_status(self, OVPN3_STATUS_MINOR_CFG_OK, status);
  if (need_up)
    {
      add_user_pass_slots(self);
      add_static_challenge_slot(self);
      require(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
    }
  if (need_pk)
    {
      ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE,
                             "pk_passphrase", "Private key passphrase", TRUE);
      require(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
    }
  blog(self, OVPN3_LOG_CATEGORY_INFO, "Session %s registered, profile '%s'", self->session_path,
       self->config_name);
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
          blog(d->self, OVPN3_LOG_CATEGORY_WARN, "Log service AssignSession: %s", error->message);
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
      return_error(invocation, OVPN3_ERROR_BE_REGISTRATION,
                   "Backend service is already registered");
      return;
    }
  if (strlen(token) != strlen(self->token) || memcmp(token, self->token, strlen(token)) != 0)
    {
      return_error(invocation, OVPN3_ERROR_BE_REGISTRATION, "Invalid registration token");
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

  if (!is_sessionmgr(self, caller))
    {
      ovpn3_invocation_return_access_denied(invocation, "Access denied");
      return;
    }
  if (g_str_equal(method, "RegistrationConfirmation"))
    method_registration_confirmation(self, parameters, invocation);
  else if (g_str_equal(method, "Ping"))
    g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", TRUE));
  else if (g_str_equal(method, "Ready"))
    method_ready(self, invocation);
  else if (g_str_equal(method, "Connect"))
    method_connect(self, invocation);
  else if (g_str_equal(method, "Pause"))
    method_pause(self, parameters, invocation);
  else if (g_str_equal(method, "Resume"))
    method_resume(self, invocation);
  else if (g_str_equal(method, "Restart"))
    method_restart(self, invocation);
  else if (g_str_equal(method, "Disconnect") || g_str_equal(method, "ForceShutdown"))
    {
      g_dbus_method_invocation_return_value(invocation, NULL);
      stop_session(self, g_str_equal(method, "ForceShutdown"));
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
  gboolean mgr = is_sessionmgr(self, caller);

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
  if (!mgr)
    {
      g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "Access denied");
      return NULL;
    }
  if (g_str_equal(name, "log_level"))
    return g_variant_new_uint32(self->log_level);
  if (g_str_equal(name, "dco"))
    return g_variant_new_boolean(self->dco);
  if (g_str_equal(name, "device_name"))
    return g_variant_new_string(
        self->netcfg != NULL ? ovpn3_client_netcfg_get_device_name(self->netcfg) : "");
  if (g_str_equal(name, "session_name"))
    return g_variant_new_string(self->session_name != NULL ? self->session_name : "");
  if (g_str_equal(name, "statistics"))
    return statistics_variant(self);
  if (g_str_equal(name, "last_log_line"))
    {
      if (self->last_log_line != NULL)
        return g_variant_ref(self->last_log_line);
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

  if (!is_sessionmgr(self, caller))
    {
      g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, "Access denied");
      return FALSE;
    }
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
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY, "Property “%s” is read-only",
              name);
  return FALSE;
}

static const Ovpn3ExportedVTable backend_vtable = {
  .method_call = method_call,
  .get_property = get_property,
  .set_property = set_property,
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
    stop_session(self, FALSE);
  else
    finish(self);
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

void
ovpn3_client_backend_shutdown(Ovpn3ClientBackend *self)
{
  if (self->ovpn != NULL && ovpn3_client_openvpn_is_running(self->ovpn))
    ovpn3_client_openvpn_stop(self->ovpn, 1);
  if (self->netcfg != NULL && !self->finishing)
    {
      g_autoptr(GVariant) reply = NULL;

      /* best effort; netcfg also cleans up when our name goes away */
      if (g_strcmp0(ovpn3_client_netcfg_get_device_path(self->netcfg), "/") != 0)
        reply = g_dbus_connection_call_sync(self->connection, OVPN3_NETCFG_BUS_NAME,
                                            ovpn3_client_netcfg_get_device_path(self->netcfg),
                                            OVPN3_NETCFG_INTERFACE, "Destroy", NULL, NULL,
                                            G_DBUS_CALL_FLAGS_NONE, 3000, NULL, NULL);
    }
}

Ovpn3ClientBackend *
ovpn3_client_backend_new(Ovpn3ServiceContext *ctx, const char *bus_name, const char *token,
                         guint log_level, GError **error)
{
  g_autoptr(Ovpn3ClientBackend) self = g_object_new(OVPN3_TYPE_CLIENT_BACKEND, NULL);

  self->ctx = ctx;
  self->connection = g_object_ref(ctx->connection);
  self->bus_name = g_strdup(bus_name);
  self->token = g_strdup(token);
  self->log_level = MIN(log_level, OVPN3_LOG_LEVEL_MAX);
  self->queue = ovpn3_client_queue_new();
  g_signal_connect(self->queue, "provided", G_CALLBACK(on_queue_provided), self);
  self->registration_id
      = ovpn3_exporter_register(ctx->exporter, OVPN3_BACKEND_SESSION_PATH, OVPN3_XML_BACKEND_CLIENT,
                                &backend_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  return g_steal_pointer(&self);
}
