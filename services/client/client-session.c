#define G_LOG_DOMAIN "ovpn3-client-session"

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "client-backend-private.h"
#include "ovpn3-error.h"
#include "ovpn3-web-url.h"

static void client_start_openvpn(Ovpn3ClientBackend *self);

/* ---- the queue ------------------------------------------------------------------ */

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
  if (value == NULL || self->ovpn == NULL)
    return;
  cmd = ovpn3_mgmt_command_cr_response(value, &error);
  ovpn3_client_queue_forget(queue, type, group);
  if (cmd == NULL)
    {
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot send the challenge response: %s",
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
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ON));
      /* >LOG on the socket too: the PUSH_REPLY line (redirect-gateway) then comes in
       * order with >UPDOWN, which stdout cannot promise */
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_log(OVPN3_MGMT_REALTIME_ON));
      /* >BYTECOUNT every second out of a hold (openvpn's timer: 1 s plus up to 0.26 s
       * jitter), so `statistics` lags openvpn's link counters by about a second at most */
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_bytecount(1));
      hold_release(self);
      return;
    }
  if (self->disconnecting)
    return;
  if (self->paused)
    {
      client_conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSED, "");
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
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot send credentials: %s",
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
                client_add_user_pass_slots(self);
              client_require(self, OVPN3_ATTENTION_GROUP_USER_PASSWORD, TEXT_NEED_USERPASS);
              return FALSE;
            }
          if (self->pending_static_challenge && resp == NULL)
            {
              if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                              OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC))
                client_add_static_challenge_slot(self);
              {
                g_autofree char *text = NULL;

                ovpn3_profile_get_static_challenge(self->profile, &text, NULL);
                client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER,
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
              client_require(self, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
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
              client_require(self, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS,
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
            client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Unsupported credential request '%s'", type);
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
            client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_DYNAMIC,
                             text != NULL ? text : "");
            client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, TEXT_NEED_DYNAMIC);
            return;
          }
        if (g_str_equal(type, "Auth"))
          {
            gboolean had_static = ovpn3_profile_get_static_challenge(self->profile, NULL, NULL);
            gboolean uses_user_pass = ovpn3_profile_has_option(self->profile, "auth-user-pass");

            /* the credentials were wrong: forget them and ask again */
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD);
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC);
            client_wipe_free(&self->inline_pass);
            if (!uses_user_pass)
              had_static = FALSE;
            else if (!ovpn3_client_queue_pending(self->queue, T_CRED,
                                                 OVPN3_ATTENTION_GROUP_USER_PASSWORD))
              client_add_user_pass_slots(self);
            if (had_static
                && !ovpn3_client_queue_pending(self->queue, T_CRED,
                                               OVPN3_ATTENTION_GROUP_CHALLENGE_STATIC))
              client_add_static_challenge_slot(self);
            self->waiting_input = TRUE;
            self->web_auth_pending = FALSE;
            client_log(self, OVPN3_LOG_CATEGORY_WARN, "Authentication failed: %s",
                       event->reason != NULL ? event->reason : "(no reason given)");
            client_conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED,
                               event->reason != NULL && *event->reason != '\0'
                                   ? event->reason
                                   : "Authentication failed");
            if (uses_user_pass)
              client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_USER_PASSWORD,
                               TEXT_NEED_USERPASS);
            return;
          }
        if (g_str_equal(type, "Private Key"))
          {
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE);
            ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE,
                                   "pk_passphrase", "Private key passphrase", TRUE);
            self->waiting_input = TRUE;
            client_conn_status(self, OVPN3_STATUS_MINOR_CONN_AUTH_FAILED,
                               "Private key passphrase verification failed");
            client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_PK_PASSPHRASE, TEXT_NEED_PK);
            return;
          }
        if (g_str_equal(type, "HTTP Proxy") || g_str_equal(type, "SOCKS Proxy"))
          {
            ovpn3_client_queue_forget(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_HTTP_PROXY_CREDS);
            client_log(self, OVPN3_LOG_CATEGORY_WARN, "%s authentication failed", type);
            return;
          }
        break;

      case OVPN3_MGMT_PASSWORD_AUTH_TOKEN:
        client_log(self, OVPN3_LOG_CATEGORY_VERB2, "Server pushed an authentication token");
        return;

      default:
        break;
    }
  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "Unhandled password request '%s'", type);
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
  /* "tcp-client", "tcp4", "udp6" … -> "tcp" / "udp" */
  self->conn_proto = g_strdup(match == NULL                           ? ""
                              : g_str_has_prefix(match->proto, "tcp") ? "tcp"
                              : g_str_has_prefix(match->proto, "udp") ? "udp"
                                                                      : match->proto);
  self->conn_host = g_strdup(self->server_override != NULL ? self->server_override
                             : match != NULL               ? match->host
                                                           : "");
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

  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn state %s %s", name, detail);
  if (g_str_equal(name, "RESOLVE") || g_str_equal(name, "TCP_CONNECT") || g_str_equal(name, "WAIT")
      || g_str_equal(name, "AUTH") || g_str_equal(name, "GET_CONFIG"))
    {
      if (!self->connecting_emitted && !self->paused)
        {
          self->connecting_emitted = TRUE;
          client_conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTING, "");
        }
      return;
    }
  if (g_str_equal(name, "CONNECTED"))
    {
      self->web_auth_pending = FALSE;
      self->waiting_input = FALSE;
      self->connected = TRUE;
      fill_connection(self, event);
      client_stats_refresh(self);
      if (self->net_applying)
        self->connected_deferred = TRUE;
      else
        client_status_connected(self);
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
      client_conn_status(self, OVPN3_STATUS_MINOR_CONN_RECONNECTING, detail);
      return;
    }
  if (g_str_equal(name, "EXITING"))
    {
      self->connected = FALSE;
      g_free(self->exit_reason);
      self->exit_reason = g_strdup(detail);
    }
}

/* A URL from the server reaches front-ends only if it is a plain https: URL
 * (ovpn3-web-url.h). Any other is logged once (escaped) and ends the
 * session with CONN_FAILED and the reason: ignoring it would leave the user
 * waiting for a login that cannot happen until the server gives up. */
static void
on_web_url(Ovpn3ClientBackend *self, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;

  if (ovpn3_web_url_check(url, &error))
    {
      self->web_auth_pending = TRUE;
      client_set_status(self, OVPN3_STATUS_MAJOR_SESSION, OVPN3_STATUS_MINOR_SESS_AUTH_URL, url);
      client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_OPEN_URL, url);
      return;
    }
  shown = ovpn3_web_url_escape(url);
  client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Refused the server's web login URL \"%s\": %s", shown,
             error->message);
  g_free(self->fatal_message);
  self->fatal_message = g_strdup_printf("Web authentication refused: %s", error->message);
  ovpn3_client_openvpn_stop(self->ovpn, OVPN3_CLIENT_STOP_TIMEOUT_S);
}

static void
on_infomsg(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *text = event->text != NULL ? event->text : "";

  switch (event->infomsg_kind)
    {
      case OVPN3_MGMT_INFOMSG_WEB_AUTH:
      case OVPN3_MGMT_INFOMSG_OPEN_URL:
        on_web_url(self, text);
        return;
      case OVPN3_MGMT_INFOMSG_CR_TEXT:
        {
          gboolean echo = event->flags != NULL && strchr(event->flags, 'E') != NULL;

          ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING,
                                 "auth_pending", text, !echo);
          client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING, text);
          client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, text);
          return;
        }
      default:
        client_log(self, OVPN3_LOG_CATEGORY_INFO, "Server message: %s", text);
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
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Network configuration failed: %s",
                 error->message);
      g_free(self->fatal_message);
      self->fatal_message = g_strdup_printf("Network configuration failed: %s", error->message);
      if (self->ovpn != NULL)
        ovpn3_client_openvpn_stop(self->ovpn, OVPN3_CLIENT_STOP_TIMEOUT_S);
      return;
    }
  self->net_applied = TRUE;
  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "Network configuration applied on %s",
             ovpn3_client_netcfg_get_device_name(self->netcfg));
  if (self->connected_deferred)
    {
      self->connected_deferred = FALSE;
      if (self->connected && !self->disconnecting)
        client_status_connected(self);
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
      client_log(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn closed the tunnel device");
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
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "%s", error->message);
      g_free(self->fatal_message);
      self->fatal_message = g_strdup(error->message);
      ovpn3_client_openvpn_stop(self->ovpn, OVPN3_CLIENT_STOP_TIMEOUT_S);
      return;
    }
  client_host_wide_filter(self, settings);
  key = addresses_key(settings);
  if (self->applied_key != NULL)
    {
      /* --persist-tun keeps the device; netcfg keeps what it applied */
      if (g_str_equal(key, self->applied_key))
        {
          client_log(self, OVPN3_LOG_CATEGORY_VERB1,
                     "Tunnel re-opened; keeping the network settings");
          return;
        }
      client_log(
          self, OVPN3_LOG_CATEGORY_WARN,
          "The server pushed other tunnel addresses on reconnect (%s, was %s); applying them", key,
          self->applied_key);
    }
  for (guint i = 0; i < refusals->len; i++)
    client_log(self, OVPN3_LOG_CATEGORY_WARN, "%s", (const char *) g_ptr_array_index(refusals, i));
  g_free(self->applied_key);
  self->applied_key = g_steal_pointer(&key);
  self->net_applying = TRUE;
  ovpn3_client_netcfg_apply_async(self->netcfg, settings, on_net_applied, g_object_ref(self));
}

/* ---- openvpn events ----------------------------------------------------------------- */

/* >REMOTE (only with server/port/proto overrides): MOD, SKIP or ACCEPT. */
static void
on_remote(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  g_autoptr(GPtrArray) remotes = ovpn3_profile_get_remotes(self->profile);
  g_autoptr(GError) error = NULL;
  Ovpn3MgmtCommand *cmd;

  if (self->proto_override != NULL && event->proto != NULL
      && !g_str_has_prefix(event->proto, self->proto_override))
    {
      /* never skip every entry: openvpn would cycle through them for ever */
      if (++self->remote_skips < MAX(remotes->len, 1))
        {
          ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_remote_skip(1));
          return;
        }
      client_log(self, OVPN3_LOG_CATEGORY_WARN,
                 "No remote uses protocol %s (proto-override); using %s", self->proto_override,
                 event->proto);
    }
  self->remote_skips = 0;
  if (self->server_override == NULL && self->port_override == 0)
    {
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_remote_accept());
      return;
    }
  cmd = ovpn3_mgmt_command_remote_mod(
      self->server_override != NULL ? self->server_override : event->host,
      self->port_override != 0 ? self->port_override : event->port, &error);
  if (cmd == NULL)
    {
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Cannot apply the server override: %s",
                 error->message);
      cmd = ovpn3_mgmt_command_remote_accept();
    }
  ovpn3_client_openvpn_send(self->ovpn, cmd);
}

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
        client_log(self, OVPN3_LOG_CATEGORY_INFO, "openvpn notification: %s %s",
                   event->notify_type != NULL ? event->notify_type : "",
                   event->text != NULL ? event->text : "");
        if (g_strcmp0(event->notify_type, "server-pushed-halt") == 0
            || g_strcmp0(event->notify_type, "remote-exit") == 0)
          self->halted = TRUE;
        break;
      case OVPN3_MGMT_EVENT_FATAL:
        g_free(self->fatal_message);
        self->fatal_message = g_strdup(event->text != NULL ? event->text : "fatal error");
        client_log(self, OVPN3_LOG_CATEGORY_ERROR, "openvpn: %s", self->fatal_message);
        break;
      case OVPN3_MGMT_EVENT_REMOTE:
        on_remote(self, event);
        break;
      case OVPN3_MGMT_EVENT_LOG:
        /* only read for PUSH_REPLY; the log itself is forwarded from stdout */
        if (event->text != NULL
            && strstr(event->text, "PUSH: Received control message: 'PUSH_REPLY,") != NULL)
          client_host_wide_push_reply(self, event->text);
        break;
      case OVPN3_MGMT_EVENT_BYTECOUNT:
        client_stats_bytecount(self, event->bytes_in, event->bytes_out);
        break;
      case OVPN3_MGMT_EVENT_UPDOWN:
        on_updown(self, event);
        break;
      case OVPN3_MGMT_EVENT_NEED_OK:
      case OVPN3_MGMT_EVENT_NEED_STR:
        client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Unsupported request from openvpn: %s",
                   event->text != NULL ? event->text : "");
        client_attention(self, OVPN3_ATTENTION_TYPE_PKCS11, OVPN3_ATTENTION_GROUP_PKCS11_SIGN,
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

  if (strstr(line, "rror") != NULL || strstr(line, "ERROR") != NULL)
    {
      /* without the "YYYY-MM-DD HH:MM:SS [us=N] " prefix */
      const char *text = line;

      if (g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ", line, 0, 0))
        text = line + 20;
      if (g_str_has_prefix(text, "us="))
        text = strchr(text, ' ') != NULL ? strchr(text, ' ') + 1 : text;
      g_free(self->last_error_line);
      self->last_error_line = g_strdup(text);
    }
  /* never pass on a token, even if openvpn printed one */
  token = strstr(line, "auth-token");
  if (token != NULL)
    {
      g_autofree char *cut = g_strndup(line, token - line);

      client_log(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn: %sauth-token [redacted]", cut);
      return;
    }
  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "openvpn: %s", line);
}

static void
on_exited(Ovpn3ClientOpenvpn *ovpn, gint wait_status, gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  self->connected = FALSE;
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "openvpn exited (wait status %d)", wait_status);
  if (self->silent_exit)
    ;
  else if (self->disconnecting)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
  else if (wait_status >= 0 && WIFSIGNALED(wait_status))
    {
      g_autofree char *msg
          = g_strdup_printf("openvpn was killed by signal %d", WTERMSIG(wait_status));
      client_conn_status(self, OVPN3_STATUS_MINOR_PROC_KILLED, msg);
    }
  else if (self->fatal_message != NULL)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_FAILED, self->fatal_message);
  else if (self->halted)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_FAILED, "Client disconnected by server");
  else if (g_strcmp0(self->exit_reason, "inactive") == 0)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "Inactive tunnel, disconnected");
  else if (self->exit_reason != NULL && *self->exit_reason != '\0')
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_FAILED, self->exit_reason);
  else
    {
      g_autofree char *msg
          = g_strdup_printf("openvpn exited unexpectedly (status %d)%s%s",
                            WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : wait_status,
                            self->last_error_line != NULL ? ": " : "",
                            self->last_error_line != NULL ? self->last_error_line : "");
      client_conn_status(self, OVPN3_STATUS_MINOR_PROC_KILLED, msg);
    }
  client_finish(self);
}

/* ---- start / finish ----------------------------------------------------------------- */

static void
on_destroyed(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_client_netcfg_destroy_finish(OVPN3_CLIENT_NETCFG(source), result, &error))
    client_log(self, OVPN3_LOG_CATEGORY_WARN, "netcfg Destroy: %s", error->message);
  ovpn3_service_quit(self->ctx);
}

/* The session is over: remove the device, then exit. */
void
client_finish(Ovpn3ClientBackend *self)
{
  if (self->finishing)
    return;
  client_stats_final(self);
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
  client_log(self, OVPN3_LOG_CATEGORY_ERROR, "%s", message);
  if (!self->silent_exit)
    client_conn_status(
        self, self->disconnecting ? OVPN3_STATUS_MINOR_CONN_DONE : OVPN3_STATUS_MINOR_PROC_KILLED,
        self->disconnecting ? "" : message);
  client_finish(self);
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
        client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
      client_finish(self);
      return;
    }
  client_start_openvpn(self);
}

static guint
openvpn_verb(Ovpn3ClientBackend *self)
{
  gint verb = ovpn3_profile_get_verb(self->profile);

  /* >= 3 for the PUSH_REPLY line (redirect-gateway), <= 4: no packet dumps */
  return (guint) CLAMP(verb, 3, 4);
}

/* The engine binary; tests may put another program in openvpn's place
 * (the hostile-engine test), only in builds with -Dtest_switches=true. */
static const char *
client_openvpn_binary(void)
{
#if OVPN3_TEST_SWITCHES
  const char *env = g_getenv(OVPN3_ENV_TEST_OPENVPN_BINARY);

  if (env != NULL && g_path_is_absolute(env))
    return env;
#endif
  return OVPN3_OPENVPN_BINARY;
}

static void
client_start_openvpn(Ovpn3ClientBackend *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text
      = ovpn3_profile_render(self->profile, OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS);
  Ovpn3ClientOpenvpnConfig cfg = {
    .binary = client_openvpn_binary(),
    .runtime_base = OVPN3_RUNTIMEDIR,
    .profile_text = text,
    .dev_name = ovpn3_client_netcfg_get_device_name(self->netcfg),
    .tap = ovpn3_profile_get_dev_type(self->profile) == OVPN3_PROFILE_DEV_TAP,
    .verb = openvpn_verb(self),
    .extra_args = (const char *const *) self->extra_args,
    .query_remote
    = self->server_override != NULL || self->port_override != 0 || self->proto_override != NULL,
    .engine_uid = self->engine.uid,
    .bind_local = ovpn3_profile_binds_locally(self->profile),
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
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "openvpn started on %s (runtime directory %s)",
             cfg.dev_name, ovpn3_client_openvpn_get_dir(self->ovpn));
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
        client_conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTING, "");
        self->netcfg = ovpn3_client_netcfg_new(self->connection);
        ovpn3_client_netcfg_create_async(
            self->netcfg, "ovpn3t",
            ovpn3_profile_get_dev_type(self->profile) == OVPN3_PROFILE_DEV_TAP ? 2 : 3,
            self->engine.uid, self->dns_scope, on_device_created, g_object_ref(self));
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

void
client_method_connect(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (!self->initialized)
    {
      client_return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  if (!ovpn3_client_queue_complete(self->queue))
    {
      client_return_error(invocation, OVPN3_ERROR_CLIENT, "Required user input not provided");
      return;
    }
  if (self->disconnecting || self->run == RUN_DONE)
    {
      client_return_error(invocation, OVPN3_ERROR_GDBUSPP, "VPN session is stopped");
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

void
client_method_pause(Ovpn3ClientBackend *self, GVariant *parameters,
                    GDBusMethodInvocation *invocation)
{
  const char *reason;
  g_autofree char *msg = NULL;
  g_autoptr(GError) error = NULL;

  g_variant_get(parameters, "(&s)", &reason);
  if (!running(self))
    {
      client_return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  if (self->paused)
    {
      client_return_error(invocation, OVPN3_ERROR_CLIENT, "Connection is already paused");
      return;
    }
  self->paused = TRUE;
  self->n_pause++;
  msg = g_strdup_printf("Reason: %s", reason);
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSING, msg);
  g_dbus_method_invocation_return_value(invocation, NULL);
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (self->in_hold || self->pending_prompt != PROMPT_NONE)
    /* a signal now would be ignored (hold) or fatal (prompt) */
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSED, "");
  else
    ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGUSR1));
}

void
client_method_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (!self->paused || !running(self))
    {
      client_return_error(invocation, OVPN3_ERROR_CLIENT, "Connection is not paused");
      return;
    }
  self->paused = FALSE;
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_RESUMING, "");
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

void
client_method_restart(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;

  if (!running(self))
    {
      client_return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  self->paused = FALSE;
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_RECONNECTING, "");
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
      ovpn3_client_openvpn_send(self->ovpn, ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGUSR1));
    }
}

void
client_stop_session(Ovpn3ClientBackend *self, gboolean force)
{
  if (self->disconnecting || self->run == RUN_DONE)
    return;
  self->disconnecting = TRUE;
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (force)
    {
      self->silent_exit = TRUE;
      client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
    }
  switch (self->run)
    {
      case RUN_RUNNING:
        if (!force)
          client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DISCONNECTING, "");
        ovpn3_client_openvpn_stop(self->ovpn, force ? 1 : OVPN3_CLIENT_STOP_TIMEOUT_S);
        return;
      case RUN_STARTING:
        if (!force)
          client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DISCONNECTING, "");
        return; /* on_device_created finishes */
      default:
        if (!force)
          client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
        client_finish(self);
    }
}

void
client_method_ready(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (self->web_auth_pending)
    {
      client_return_error(invocation, OVPN3_ERROR_READY, "Pending web authentication");
      return;
    }
  if (!ovpn3_client_queue_complete(self->queue))
    {
      client_return_error(invocation, OVPN3_ERROR_READY, "Missing user credentials");
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
}
