/* client-credentials.c — the user-input queue (docs/dbus-api.md §6) against
 * openvpn's prompts: slots and AttentionRequired when something is missing,
 * answers from the queue (or the inline <auth-user-pass>), the dynamic (CRV1)
 * and static challenges, the auth-pending text (CR_TEXT) and what a failed
 * verification re-opens (docs/architecture.md §5); the HTTP proxy's from the
 * proxy-username/-password overrides until the proxy refuses them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-credentials"

#include "config.h"

#include <string.h>

#include "client-backend-private.h"

void
client_add_user_pass_slots(Ovpn3ClientBackend *self)
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

void
client_add_static_challenge_slot(Ovpn3ClientBackend *self)
{
  g_autofree char *text = NULL;
  gboolean echo = FALSE;

  if (!ovpn3_profile_get_static_challenge(self->profile, &text, &echo))
    return;
  ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC,
                         "static_challenge", text, !echo);
  client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC, text);
}

void
client_require(Ovpn3ClientBackend *self, guint group, const char *text)
{
  client_attention(self, T_CRED, group, text);
  client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, text);
}

void
client_wait_for_input(Ovpn3ClientBackend *self, const char *reason)
{
  switch (self->state)
    {
      case OVPN3_CLIENT_STATE_PAUSED:
        self->paused_from = OVPN3_CLIENT_STATE_WAITING_INPUT;
        return;
      case OVPN3_CLIENT_STATE_DISCONNECTING:
      case OVPN3_CLIENT_STATE_DONE:
        return;
      default:
        client_set_state(self, OVPN3_CLIENT_STATE_WAITING_INPUT, reason);
    }
}

/* Sends what a constructor built, or logs why it could not (never the value). */
static gboolean
send_built(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd, const GError *error)
{
  if (cmd == NULL)
    {
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot send credentials: %s",
                 error != NULL ? error->message : "invalid value");
      return FALSE;
    }
  client_send(self, cmd);
  return TRUE;
}

/* username + password of one prompt type ("Auth", "HTTP Proxy" …). */
static void
send_user_pass(Ovpn3ClientBackend *self, const char *type, const char *user, const char *pass)
{
  g_autoptr(GError) error = NULL;
  Ovpn3MgmtCommand *cmd = ovpn3_mgmt_command_username(type, user, &error);

  if (!send_built(self, cmd, error))
    return;
  cmd = ovpn3_mgmt_command_password(type, pass, &error);
  send_built(self, cmd, error);
}

void
client_on_queue_provided(Ovpn3ClientQueue *queue, guint type, guint group, guint id,
                         gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;
  g_autoptr(GError) error = NULL;
  Ovpn3MgmtCommand *cmd;
  const char *value;

  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "User input provided for %u/%u id %u", type, group,
             id);
  if (type != T_CRED || group != OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING)
    return;
  /* CR_TEXT: the answer goes to the server at once, no Connect needed */
  value = ovpn3_client_queue_get_value(queue, type, group, "auth_pending");
  if (value == NULL || !client_state_has_openvpn(self))
    return;
  cmd = ovpn3_mgmt_command_cr_response(value, &error);
  ovpn3_client_queue_forget(queue, type, group);
  if (cmd == NULL)
    {
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot send the challenge response: %s",
                 error->message);
      return;
    }
  client_send(self, cmd);
}

static const char *
cred(Ovpn3ClientBackend *self, guint group, const char *name)
{
  return ovpn3_client_queue_get_value(self->queue, T_CRED, group, name);
}

/* The CRV1 answer: the challenge's user and "CRV1::<state>::<response>". */
static gboolean
answer_dynamic(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;
  const char *resp = cred(self, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC, "dynamic_challenge");
  Ovpn3MgmtCommand *cmd;

  if (resp == NULL)
    return FALSE; /* the slot was added with the challenge */
  cmd = ovpn3_mgmt_command_username("Auth", self->crv1_user != NULL ? self->crv1_user : "", &error);
  if (send_built(self, cmd, error))
    {
      cmd = ovpn3_mgmt_command_crv1_response(self->crv1_state_id, resp, &error);
      send_built(self, cmd, error);
    }
  ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC);
  g_clear_pointer(&self->crv1_state_id, g_free);
  g_clear_pointer(&self->crv1_user, g_free);
  return TRUE;
}

static gboolean
require_static_challenge(Ovpn3ClientBackend *self)
{
  g_autofree char *text = NULL;

  if (!ovpn3_client_queue_pending(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC))
    client_add_static_challenge_slot(self);
  ovpn3_profile_get_static_challenge(self->profile, &text, NULL);
  client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER,
                     text != NULL ? text : "Static challenge");
  return FALSE;
}

static gboolean
answer_auth(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;
  const char *user, *pass, *resp = NULL;
  Ovpn3MgmtCommand *cmd;

  if (self->crv1_state_id != NULL)
    return answer_dynamic(self);
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
      if (!ovpn3_client_queue_pending(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD))
        client_add_user_pass_slots(self);
      client_require(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
      return FALSE;
    }
  if (self->pending_static_challenge && resp == NULL)
    return require_static_challenge(self);
  if (!self->pending_static_challenge)
    {
      send_user_pass(self, "Auth", user, pass);
      return TRUE;
    }
  cmd = ovpn3_mgmt_command_username("Auth", user, &error);
  if (send_built(self, cmd, error))
    {
      cmd = ovpn3_mgmt_command_static_challenge("Auth", pass, resp, &error);
      send_built(self, cmd, error);
    }
  /* one-time: ask again after a restart */
  ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC);
  return TRUE;
}

static gboolean
answer_pk(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;
  const char *pk = cred(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, "pk_passphrase");
  Ovpn3MgmtCommand *cmd;

  if (pk == NULL)
    {
      if (!ovpn3_client_queue_pending(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE))
        ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE,
                               "pk_passphrase", "Private key passphrase", TRUE);
      client_require(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
      return FALSE;
    }
  cmd = ovpn3_mgmt_command_password("Private Key", pk, &error);
  send_built(self, cmd, error);
  return TRUE;
}

/* A proxy slot: already provided when the override holds the value. */
static void
add_proxy_slot(Ovpn3ClientBackend *self, const char *name, const char *description, gboolean hidden,
               const char *from_override)
{
  if (from_override != NULL)
    ovpn3_client_queue_add_provided(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS,
                                    name, description, hidden, from_override);
  else
    ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, name,
                           description, hidden);
}

static gboolean
answer_proxy(Ovpn3ClientBackend *self, gboolean http)
{
  const char *type = http ? "HTTP Proxy" : "SOCKS Proxy";
  const char *uname = http ? "http_proxy_user" : "socks_proxy_user";
  const char *pname = http ? "http_proxy_pass" : "socks_proxy_pass";
  const char *user = cred(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, uname);
  const char *pass = cred(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS, pname);
  /* the proxy-username/-password overrides, until the proxy refuses them */
  gboolean overrides = http && !self->proxy_creds_failed;
  const char *o_user = overrides ? client_override_string(self, "proxy-username") : NULL;
  const char *o_pass = overrides ? client_override_string(self, "proxy-password") : NULL;

  if (user == NULL)
    user = o_user;
  if (pass == NULL)
    pass = o_pass;
  if (user != NULL && pass != NULL)
    {
      send_user_pass(self, type, user, pass);
      return TRUE;
    }
  if (!ovpn3_client_queue_pending(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS))
    {
      add_proxy_slot(self, uname, http ? "HTTP proxy username" : "SOCKS proxy username", FALSE,
                     o_user);
      add_proxy_slot(self, pname, http ? "HTTP proxy password" : "SOCKS proxy password", TRUE,
                     o_pass);
    }
  client_require(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS,
                 http ? TEXT_NEED_PROXY : TEXT_NEED_SOCKS);
  return FALSE;
}

gboolean
client_answer_prompt(Ovpn3ClientBackend *self)
{
  gboolean answered = TRUE;

  switch (self->pending_prompt)
    {
      case PROMPT_NONE:
        return TRUE;
      case PROMPT_AUTH:
        answered = answer_auth(self);
        break;
      case PROMPT_PK:
        answered = answer_pk(self);
        break;
      case PROMPT_HTTP_PROXY:
      case PROMPT_SOCKS_PROXY:
        answered = answer_proxy(self, self->pending_prompt == PROMPT_HTTP_PROXY);
        break;
    }
  if (!answered)
    return FALSE;
  /* new credentials went out: the wait after a failed login is over */
  g_clear_handle_id(&self->auth_retry_timer_id, g_source_remove);
  self->pending_prompt = PROMPT_NONE;
  self->pending_static_challenge = FALSE;
  return TRUE;
}

/* >PASSWORD:Need '<type>' …: answer now, or wait for the user. */
static void
on_need(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event, const char *type)
{
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
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Unsupported credential request '%s'", type);
      return;
    }
  self->pending_static_challenge = event->static_challenge;
  if (!client_answer_prompt(self))
    client_wait_for_input(self, "openvpn asks for credentials");
}

/* Verification Failed: 'Auth' ['CRV1:…']: the dynamic challenge. FALSE if
 * the reason is no CRV1 challenge. */
static gboolean
on_crv1(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  g_autofree char *flags = NULL, *state = NULL, *user = NULL, *text = NULL;
  gboolean echo;

  if (!ovpn3_mgmt_parse_crv1(event->reason, &flags, &state, &user, &text))
    return FALSE;
  echo = flags != NULL && strchr(flags, 'E') != NULL;
  g_free(self->crv1_state_id);
  self->crv1_state_id = g_steal_pointer(&state);
  g_free(self->crv1_user);
  self->crv1_user
      = g_strdup(user != NULL ? user : cred(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, "username"));
  ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC,
                         "dynamic_challenge", text != NULL ? text : "", !echo);
  ovpn3_client_queue_add_provided(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC,
                                  "dynamic_challenge_cookie", "", TRUE, self->crv1_state_id);
  client_wait_for_input(self, "dynamic challenge");
  client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC, text != NULL ? text : "");
  client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, TEXT_NEED_DYNAMIC);
  return TRUE;
}

/* ---- a failed login: auth-fail-retry ---------------------------------------------- */

static guint
auth_retry_seconds(void)
{
#if OVPN3_TEST_SWITCHES
  const char *env = g_getenv(OVPN3_ENV_TEST_AUTH_RETRY_S);
  guint64 s;

  if (env != NULL && g_ascii_string_to_unsigned(env, 10, 1, OVPN3_CLIENT_AUTH_RETRY_S, &s, NULL))
    return (guint) s;
#endif
  return OVPN3_CLIENT_AUTH_RETRY_S;
}

static gboolean
on_auth_retry_timeout(gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;
  g_autofree char *msg = g_strdup_printf(
      "Authentication failed: no new credentials within %u seconds", auth_retry_seconds());

  self->auth_retry_timer_id = 0;
  client_log(self, OVPN3_LOG_CATEGORY_WARN, "%s; ending the session", msg);
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED, msg);
  client_end_after_auth_failure(self);
  return G_SOURCE_REMOVE;
}

/* After CONN_AUTH_FAILED: with auth-fail-retry (the default) the session waits for new
 * credentials, at most auth_retry_seconds(), then ends; without it, it ends now, as upstream's
 * does. FALSE: it ends (CONN_AUTH_FAILED stays its last status). */
static gboolean
retry_after_failure(Ovpn3ClientBackend *self)
{
  g_clear_handle_id(&self->auth_retry_timer_id, g_source_remove);
  if (!self->auth_fail_retry)
    {
      client_log(self, OVPN3_LOG_CATEGORY_WARN,
                 "auth-fail-retry is off: the session ends after the failed login");
      client_end_after_auth_failure(self);
      return FALSE;
    }
  self->auth_retry_timer_id
      = g_timeout_add_seconds(auth_retry_seconds(), on_auth_retry_timeout, self);
  return TRUE;
}

/* Verification Failed: 'Auth': the credentials were wrong: forget them and ask again. */
static void
on_auth_failed(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  gboolean had_static = ovpn3_profile_get_static_challenge(self->profile, NULL, NULL);
  gboolean uses_user_pass = ovpn3_profile_has_option(self->profile, "auth-user-pass");

  ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD);
  ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC);
  client_wipe_free(&self->inline_pass);
  if (!uses_user_pass)
    had_static = FALSE;
  else if (!ovpn3_client_queue_pending(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD))
    client_add_user_pass_slots(self);
  if (had_static
      && !ovpn3_client_queue_pending(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC))
    client_add_static_challenge_slot(self);
  client_wait_for_input(self, "authentication failed");
  self->web_auth_pending = FALSE;
  client_log(self, OVPN3_LOG_CATEGORY_WARN, "Authentication failed: %s",
             event->reason != NULL ? event->reason : "(no reason given)");
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED,
                     event->reason != NULL && *event->reason != '\0' ? event->reason
                                                                     : "Authentication failed");
  if (!retry_after_failure(self))
    return;
  if (uses_user_pass)
    client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
}

static void
on_pk_failed(Ovpn3ClientBackend *self)
{
  ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE);
  ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, "pk_passphrase",
                         "Private key passphrase", TRUE);
  client_wait_for_input(self, "private key passphrase failed");
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED,
                     "Private key passphrase verification failed");
  if (!retry_after_failure(self))
    return;
  client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
}

/* FALSE if the failure is of no type this client handles. */
static gboolean
on_verify_failed(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event, const char *type)
{
  if (g_str_equal(type, "Auth") && event->crv1)
    return on_crv1(self, event);
  if (g_str_equal(type, "Auth"))
    {
      on_auth_failed(self, event);
      return TRUE;
    }
  if (g_str_equal(type, "Private Key"))
    {
      on_pk_failed(self);
      return TRUE;
    }
  if (g_str_equal(type, "HTTP Proxy") || g_str_equal(type, "SOCKS Proxy"))
    {
      ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS);
      /* the next answer comes from the user, not again from the overrides */
      self->proxy_creds_failed = TRUE;
      client_log(self, OVPN3_LOG_CATEGORY_WARN, "%s authentication failed", type);
      return TRUE;
    }
  return FALSE;
}

void
client_on_password(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *type = event->cred_type != NULL ? event->cred_type : "";

  switch (event->password_kind)
    {
      case OVPN3_MGMT_PASSWORD_NEED_USER_PASS:
      case OVPN3_MGMT_PASSWORD_NEED_PASSWORD:
        on_need(self, event, type);
        return;
      case OVPN3_MGMT_PASSWORD_VERIFY_FAILED:
        if (on_verify_failed(self, event, type))
          return;
        break;
      case OVPN3_MGMT_PASSWORD_AUTH_TOKEN:
        client_log(self, OVPN3_LOG_CATEGORY_VERB2, "Server pushed an authentication token");
        return;
      default:
        break;
    }
  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "Unhandled password request '%s'", type);
}
