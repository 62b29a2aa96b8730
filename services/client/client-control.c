/* client-control.c — what the session manager asks of the session: Connect,
 * Pause, Resume, Restart, Disconnect/ForceShutdown and Ready
 * (docs/dbus-api.md §3.4, docs/architecture.md §5). Each asks the state
 * first; the errors are upstream's texts.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-control"

#include "config.h"

#include "client-backend-private.h"
#include "ovpn3-error.h"

/* Answers the prompt openvpn waits at; FALSE: still waiting for input. */
static gboolean
answer_pending_prompt(Ovpn3ClientBackend *self, const char *reason)
{
  if (!client_answer_prompt(self))
    {
      client_wait_for_input(self, "input still missing");
      return FALSE;
    }
  client_set_state(self, OVPN3_CLIENT_STATE_CONNECTING, reason);
  return TRUE;
}

void
client_session_connect(Ovpn3ClientBackend *self)
{
  switch (self->state)
    {
      case OVPN3_CLIENT_STATE_IDLE:
        client_run_start(self);
        return;
      case OVPN3_CLIENT_STATE_WAITING_INPUT:
        if (self->pending_prompt != PROMPT_NONE)
          {
            answer_pending_prompt(self, "Connect: input provided");
            return;
          }
        client_set_state(self, OVPN3_CLIENT_STATE_CONNECTING, "Connect: input provided");
        break;
      case OVPN3_CLIENT_STATE_CONNECTING:
      case OVPN3_CLIENT_STATE_CONNECTED:
      case OVPN3_CLIENT_STATE_RESTARTING:
        break;
      default:
        return; /* starting, paused or stopping */
    }
  /* the user acted: no need to wait out the back-off */
  client_hold_release(self);
}

void
client_method_connect(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (!self->initialized)
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  if (!ovpn3_client_queue_complete(self->queue))
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT,
                                    "Required user input not provided");
      return;
    }
  if (self->state == OVPN3_CLIENT_STATE_DISCONNECTING || self->state == OVPN3_CLIENT_STATE_DONE)
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_GDBUSPP, "VPN session is stopped");
      return;
    }
  client_session_connect(self);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static gboolean
running(Ovpn3ClientBackend *self)
{
  return self->initialized && client_state_active(self);
}

void
client_session_pause(Ovpn3ClientBackend *self, const char *reason,
                     GDBusMethodInvocation *invocation)
{
  g_autofree char *msg = g_strdup_printf("Reason: %s", reason);

  self->paused_from = self->state;
  client_set_state(self, OVPN3_CLIENT_STATE_PAUSED, "Pause");
  self->n_pause++;
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSING, msg);
  if (invocation != NULL)
    g_dbus_method_invocation_return_value(invocation, NULL);
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (self->in_hold || self->pending_prompt != PROMPT_NONE)
    /* a signal now would be ignored (hold) or fatal (prompt) */
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_PAUSED, "");
  else
    client_send(self, ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGUSR1));
}

void
client_method_pause(Ovpn3ClientBackend *self, GVariant *parameters,
                    GDBusMethodInvocation *invocation)
{
  const char *reason;

  g_variant_get(parameters, "(&s)", &reason);
  if (!running(self))
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  if (self->state == OVPN3_CLIENT_STATE_PAUSED)
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT, "Connection is already paused");
      return;
    }
  client_session_pause(self, reason, invocation);
}

void
client_session_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  Ovpn3ClientState to = self->paused_from;

  /* a restart that reached its hold is over */
  if (to == OVPN3_CLIENT_STATE_RESTARTING && self->in_hold)
    to = OVPN3_CLIENT_STATE_CONNECTING;
  client_set_state(self, to, "Resume");
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_RESUMING, "");
  if (invocation != NULL)
    g_dbus_method_invocation_return_value(invocation, NULL);
  self->connecting_emitted = FALSE;
  if (self->pending_prompt != PROMPT_NONE)
    answer_pending_prompt(self, "Resume: input provided");
  else if (self->state != OVPN3_CLIENT_STATE_WAITING_INPUT)
    client_hold_release(self);
}

void
client_method_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (self->state != OVPN3_CLIENT_STATE_PAUSED || !running(self))
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT, "Connection is not paused");
      return;
    }
  client_session_resume(self, invocation);
}

void
client_session_restart(Ovpn3ClientBackend *self)
{
  Ovpn3ClientState base
      = self->state == OVPN3_CLIENT_STATE_PAUSED ? self->paused_from : self->state;

  if (base == OVPN3_CLIENT_STATE_WAITING_INPUT || self->pending_prompt != PROMPT_NONE)
    client_set_state(self, OVPN3_CLIENT_STATE_WAITING_INPUT, "Restart: input still missing");
  else if (self->in_hold)
    client_set_state(self, OVPN3_CLIENT_STATE_CONNECTING, "Restart");
  else
    client_set_state(self, OVPN3_CLIENT_STATE_RESTARTING, "Restart");
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_RECONNECTING, "");
  if (self->in_hold)
    {
      if (self->state != OVPN3_CLIENT_STATE_WAITING_INPUT)
        client_hold_release(self);
    }
  else if (self->pending_prompt == PROMPT_NONE)
    client_send(self, ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGUSR1));
}

void
client_method_restart(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (!running(self))
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_CLIENT, ERR_NOT_INITIALIZED);
      return;
    }
  client_session_restart(self);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

void
client_stop_session(Ovpn3ClientBackend *self, gboolean force)
{
  Ovpn3ClientState from = self->state;

  if (from == OVPN3_CLIENT_STATE_DISCONNECTING || from == OVPN3_CLIENT_STATE_DONE)
    return;
  self->force_stop = force;
  client_set_state(self, OVPN3_CLIENT_STATE_DISCONNECTING, force ? "ForceShutdown" : "Disconnect");
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  if (force)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
  if (from == OVPN3_CLIENT_STATE_IDLE)
    {
      if (!force)
        client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
      /* CONN_DONE was the last status: none when the prepared openvpn exits */
      self->force_stop = TRUE;
      if (!client_run_stop_prepared(self))
        client_finish(self);
      return;
    }
  if (!force)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DISCONNECTING, "");
  /* STARTING: on_device_created() finishes */
  if (from != OVPN3_CLIENT_STATE_STARTING)
    self->out->stop(self, force ? 1 : OVPN3_CLIENT_STOP_TIMEOUT_S);
}

void
client_end_after_auth_failure(Ovpn3ClientBackend *self)
{
  g_clear_handle_id(&self->auth_retry_timer_id, g_source_remove);
  if (self->state == OVPN3_CLIENT_STATE_DISCONNECTING || self->state == OVPN3_CLIENT_STATE_DONE)
    return;
  /* no status at openvpn's exit: CONN_AUTH_FAILED was the last */
  self->force_stop = TRUE;
  client_set_state(self, OVPN3_CLIENT_STATE_DISCONNECTING, "authentication failed");
  g_clear_handle_id(&self->hold_timer_id, g_source_remove);
  self->out->stop(self, OVPN3_CLIENT_STOP_TIMEOUT_S);
}

void
client_method_ready(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation)
{
  if (self->web_auth_pending)
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_READY, "Pending web authentication");
      return;
    }
  if (!ovpn3_client_queue_complete(self->queue))
    {
      ovpn3_invocation_return_error(invocation, OVPN3_ERROR_READY, "Missing user credentials");
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
}
