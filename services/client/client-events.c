/* client-events.c — openvpn's management events mapped onto the session:
 * the event table of docs/architecture.md §5 (holds and the back-off, >STATE,
 * web-login URLs, CR_TEXT, >REMOTE, >NOTIFY, >FATAL, >LOG, >BYTECOUNT,
 * >NEED-*) and the status an exit of openvpn ends the session with.
 * Prompts go to client-credentials.c, >UPDOWN to client-network.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-events"

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include "client-backend-private.h"
#include "ovpn3-web-url.h"

/* ---- hold ----------------------------------------------------------------------- */

void
client_hold_release(Ovpn3ClientBackend *self)
{
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (!self->in_hold)
    return;
  self->in_hold = FALSE;
  self->connecting_emitted = FALSE;
  client_send(self, ovpn3_mgmt_command_hold(OVPN3_MGMT_HOLD_RELEASE));
}

void
client_hold_expired(Ovpn3ClientBackend *self)
{
  switch (self->state)
    {
      case OVPN3_CLIENT_STATE_CONNECTING:
      case OVPN3_CLIENT_STATE_CONNECTED:
      case OVPN3_CLIENT_STATE_RESTARTING:
        client_hold_release(self);
        return;
      default:
        return; /* paused, waiting for input or stopping: the hold stays */
    }
}

static gboolean
on_hold_timer(gpointer user_data)
{
  Ovpn3ClientBackend *self = user_data;

  self->hold_timer_id = 0;
  client_hold_expired(self);
  return G_SOURCE_REMOVE;
}

/* The first hold: real-time notifications on, then go (or wait for Connect). */
static void
first_hold(Ovpn3ClientBackend *self)
{
  self->mgmt_ready = TRUE;
  client_send(self, ovpn3_mgmt_command_state(OVPN3_MGMT_REALTIME_ON));
  /* >LOG on the socket too: the PUSH_REPLY line (redirect-gateway) then comes in
   * order with >UPDOWN, which stdout cannot promise */
  client_send(self, ovpn3_mgmt_command_log(OVPN3_MGMT_REALTIME_ON));
  /* >BYTECOUNT every second out of a hold (openvpn's timer: 1 s plus up to 0.26 s
   * jitter), so `statistics` lags openvpn's link counters by about a second at most */
  client_send(self, ovpn3_mgmt_command_bytecount(1));
  if (self->state == OVPN3_CLIENT_STATE_IDLE)
    return; /* started ahead of Connect (client_run_prestart()): Connect releases it */
  client_hold_release(self);
}

static void
on_hold(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  self->in_hold = TRUE;
  if (!self->mgmt_ready)
    {
      first_hold(self);
      return;
    }
  switch (self->state)
    {
      case OVPN3_CLIENT_STATE_PAUSED:
        client_conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSED, "");
        return;
      case OVPN3_CLIENT_STATE_RESTARTING:
        client_set_state(self, OVPN3_CLIENT_STATE_CONNECTING, "restarted");
        client_hold_release(self);
        return;
      case OVPN3_CLIENT_STATE_WAITING_INPUT:
      case OVPN3_CLIENT_STATE_DISCONNECTING:
      case OVPN3_CLIENT_STATE_DONE:
        return;
      default:
        break;
    }
  /* the back-off openvpn asks for: releasing at once makes a reconnect storm */
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (event->hold_seconds == 0)
    client_hold_release(self);
  else
    self->hold_timer_id = g_timeout_add_seconds(MIN(event->hold_seconds, 300), on_hold_timer, self);
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
  /* "tcp-client", "tcp4", "udp6" … -> "tcp" / "udp"; an HTTP proxy is reached over TCP */
  self->conn_proto = g_strdup(self->http_proxy                        ? "tcp"
                              : match == NULL                         ? ""
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
on_connected(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  self->web_auth_pending = FALSE;
  switch (self->state)
    {
      case OVPN3_CLIENT_STATE_PAUSED:
        self->paused_from = OVPN3_CLIENT_STATE_CONNECTED;
        break;
      case OVPN3_CLIENT_STATE_DISCONNECTING:
      case OVPN3_CLIENT_STATE_DONE:
        break;
      default:
        client_set_state(self, OVPN3_CLIENT_STATE_CONNECTED, "openvpn connected");
    }
  fill_connection(self, event);
  client_stats_refresh(self);
  /* else CONN_CONNECTED once netcfg applied the settings (client_network_applied) */
  if (!self->net_applying)
    client_status_connected(self);
}

/* Left CONNECTED (or will not come back to it after Resume). */
static void
left_connected(Ovpn3ClientBackend *self, const char *reason)
{
  if (self->state == OVPN3_CLIENT_STATE_CONNECTED)
    client_set_state(self, OVPN3_CLIENT_STATE_CONNECTING, reason);
  else if (self->state == OVPN3_CLIENT_STATE_PAUSED
           && self->paused_from == OVPN3_CLIENT_STATE_CONNECTED)
    self->paused_from = OVPN3_CLIENT_STATE_CONNECTING;
}

static void
on_reconnecting(Ovpn3ClientBackend *self, const char *detail)
{
  gboolean silent;

  self->connecting_emitted = FALSE;
  self->web_auth_pending = FALSE;
  self->n_reconnect++;
  left_connected(self, "openvpn reconnecting");
  /* pausing, restarting, stopping and failed credentials report their own status */
  silent = self->state != OVPN3_CLIENT_STATE_CONNECTING || g_str_has_prefix(detail, "auth-failure")
           || g_str_equal(detail, "private-key-password-failure");
  if (!silent)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_RECONNECTING, detail);
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
      if (!self->connecting_emitted && self->state != OVPN3_CLIENT_STATE_PAUSED)
        {
          self->connecting_emitted = TRUE;
          client_conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTING, "");
        }
    }
  else if (g_str_equal(name, "CONNECTED"))
    on_connected(self, event);
  else if (g_str_equal(name, "RECONNECTING"))
    on_reconnecting(self, detail);
  else if (g_str_equal(name, "EXITING"))
    {
      left_connected(self, "openvpn exiting");
      g_free(self->exit_reason);
      self->exit_reason = g_strdup(detail);
    }
}

/* ---- messages ----------------------------------------------------------------------- */

/* A URL from the server reaches front-ends only if it is a plain https: URL
 * (ovpn3-web-url.h). Any other is logged once (escaped) and ends the
 * session with CONN_FAILED and the reason: ignoring it would leave the user
 * waiting for a login that cannot happen until the server gives up. */
static void
on_web_url(Ovpn3ClientBackend *self, const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *message = NULL;

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
  message = g_strdup_printf("Web authentication refused: %s", error->message);
  client_fail(self, message);
}

static void
on_infomsg(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *text = event->text != NULL ? event->text : "";
  gboolean echo;

  switch (event->infomsg_kind)
    {
      case OVPN3_MGMT_INFOMSG_WEB_AUTH:
      case OVPN3_MGMT_INFOMSG_OPEN_URL:
        on_web_url(self, text);
        return;
      case OVPN3_MGMT_INFOMSG_CR_TEXT:
        echo = event->flags != NULL && strchr(event->flags, 'E') != NULL;
        ovpn3_client_queue_add(self->queue, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING,
                               "auth_pending", text, !echo);
        client_attention(self, T_CRED, OVPN3_ATTENTION_GROUP_CHALLENGE_AUTH_PENDING, text);
        client_conn_status(self, OVPN3_STATUS_MINOR_CFG_REQUIRE_USER, text);
        return;
      default:
        client_log(self, OVPN3_LOG_CATEGORY_INFO, "Server message: %s", text);
    }
}

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
          client_send(self, ovpn3_mgmt_command_remote_skip(1));
          return;
        }
      client_log(self, OVPN3_LOG_CATEGORY_WARN,
                 "No remote uses protocol %s (proto-override); using %s", self->proto_override,
                 event->proto);
    }
  self->remote_skips = 0;
  if (self->server_override == NULL && self->port_override == 0)
    {
      client_send(self, ovpn3_mgmt_command_remote_accept());
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
  client_send(self, cmd);
}

static void
on_notify(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "openvpn notification: %s %s",
             event->notify_type != NULL ? event->notify_type : "",
             event->text != NULL ? event->text : "");
  if (g_strcmp0(event->notify_type, "server-pushed-halt") == 0
      || g_strcmp0(event->notify_type, "remote-exit") == 0)
    self->halted = TRUE;
}

static void
on_other(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  const char *text = event->text != NULL ? event->text : "";

  switch (event->type)
    {
      case OVPN3_MGMT_EVENT_FATAL:
        g_free(self->fatal_message);
        self->fatal_message = g_strdup(event->text != NULL ? event->text : "fatal error");
        client_log(self, OVPN3_LOG_CATEGORY_ERROR, "openvpn: %s", self->fatal_message);
        return;
      case OVPN3_MGMT_EVENT_LOG:
        /* only read for PUSH_REPLY; the log itself is forwarded from stdout */
        if (strstr(text, "PUSH: Received control message: 'PUSH_REPLY,") != NULL)
          client_host_wide_push_reply(self, text);
        return;
      case OVPN3_MGMT_EVENT_NEED_OK:
      case OVPN3_MGMT_EVENT_NEED_STR:
        client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Unsupported request from openvpn: %s", text);
        client_attention(self, OVPN3_ATTENTION_TYPE_PKCS11, OVPN3_ATTENTION_GROUP_PKCS11_SIGN,
                         text);
        return;
      default:
        return;
    }
}

void
client_events_dispatch(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
{
  switch (event->type)
    {
      case OVPN3_MGMT_EVENT_HOLD:
        on_hold(self, event);
        break;
      case OVPN3_MGMT_EVENT_STATE:
        on_state(self, event);
        break;
      case OVPN3_MGMT_EVENT_PASSWORD:
        client_on_password(self, event);
        break;
      case OVPN3_MGMT_EVENT_INFOMSG:
        on_infomsg(self, event);
        break;
      case OVPN3_MGMT_EVENT_NOTIFY:
        on_notify(self, event);
        break;
      case OVPN3_MGMT_EVENT_REMOTE:
        on_remote(self, event);
        break;
      case OVPN3_MGMT_EVENT_BYTECOUNT:
        client_stats_bytecount(self, event->bytes_in, event->bytes_out);
        break;
      case OVPN3_MGMT_EVENT_UPDOWN:
        client_network_updown(self, event);
        break;
      default:
        on_other(self, event);
        break;
    }
}

/* ---- exit --------------------------------------------------------------------------- */

static char *
unexpected_exit_message(Ovpn3ClientBackend *self, gint wait_status)
{
  return g_strdup_printf("openvpn exited unexpectedly (status %d)%s%s",
                         WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : wait_status,
                         self->last_error_line != NULL ? ": " : "",
                         self->last_error_line != NULL ? self->last_error_line : "");
}

void
client_events_exited(Ovpn3ClientBackend *self, gint wait_status)
{
  g_autofree char *msg = NULL;

  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  g_clear_handle_id(&self->auth_retry_timer_id, g_source_remove);
  left_connected(self, "openvpn exited");
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "openvpn exited (wait status %d)", wait_status);
  if (self->force_stop)
    return; /* CONN_DONE was said at ForceShutdown */
  if (self->state == OVPN3_CLIENT_STATE_DISCONNECTING)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
  else if (wait_status >= 0 && WIFSIGNALED(wait_status))
    {
      msg = g_strdup_printf("openvpn was killed by signal %d", WTERMSIG(wait_status));
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
      msg = unexpected_exit_message(self, wait_status);
      client_conn_status(self, OVPN3_STATUS_MINOR_PROC_KILLED, msg);
    }
}
