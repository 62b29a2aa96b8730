/* client-machine.c — the session's state and the outputs of the state machine.
 *
 * Every state change goes through client_set_state(), which logs it once
 * (debug: "CONNECTING -> WAITING_INPUT (auth failed)"). What the machine does
 * to the world — log lines, StatusChange, AttentionRequired, commands to
 * openvpn, stopping openvpn, the network hand-off — goes through
 * self->out (Ovpn3ClientOutputs), so that tests can drive the machine with
 * recorded management events and record what it does, without D-Bus.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-machine"

#include "config.h"

#include <string.h>

#include "client-backend-private.h"

const char *
client_state_name(Ovpn3ClientState state)
{
  static const char *const names[] = {
    [OVPN3_CLIENT_STATE_IDLE] = "IDLE",
    [OVPN3_CLIENT_STATE_STARTING] = "STARTING",
    [OVPN3_CLIENT_STATE_CONNECTING] = "CONNECTING",
    [OVPN3_CLIENT_STATE_WAITING_INPUT] = "WAITING_INPUT",
    [OVPN3_CLIENT_STATE_CONNECTED] = "CONNECTED",
    [OVPN3_CLIENT_STATE_RESTARTING] = "RESTARTING",
    [OVPN3_CLIENT_STATE_PAUSED] = "PAUSED",
    [OVPN3_CLIENT_STATE_DISCONNECTING] = "DISCONNECTING",
    [OVPN3_CLIENT_STATE_DONE] = "DONE",
  };

  if ((gsize) state < G_N_ELEMENTS(names))
    return names[state];
  return "?";
}

void
client_set_state(Ovpn3ClientBackend *self, Ovpn3ClientState to, const char *reason)
{
  Ovpn3ClientState from = self->state;

  if (from == to)
    return;
  g_debug("%s -> %s (%s)", client_state_name(from), client_state_name(to), reason);
  self->state = to;
  if (self->out->state_changed != NULL)
    self->out->state_changed(self, from, to, reason);
}

gboolean
client_state_active(Ovpn3ClientBackend *self)
{
  switch (self->state)
    {
      case OVPN3_CLIENT_STATE_CONNECTING:
      case OVPN3_CLIENT_STATE_WAITING_INPUT:
      case OVPN3_CLIENT_STATE_CONNECTED:
      case OVPN3_CLIENT_STATE_RESTARTING:
      case OVPN3_CLIENT_STATE_PAUSED:
        return TRUE;
      default:
        return FALSE;
    }
}

gboolean
client_state_has_openvpn(Ovpn3ClientBackend *self)
{
  return client_state_active(self)
         || (self->state == OVPN3_CLIENT_STATE_DISCONNECTING && self->ovpn != NULL);
}

void
client_wipe_free(char **s)
{
  if (*s != NULL)
    {
      explicit_bzero(*s, strlen(*s));
      g_clear_pointer(s, g_free);
    }
}

void
client_log(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (!ovpn3_log_level_passes(self->log_level, category))
    return;
  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);
  self->out->log(self, category, message);
}

void
client_set_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message)
{
  self->st_major = major;
  self->st_minor = minor;
  g_free(self->st_message);
  self->st_message = g_strdup(message != NULL ? message : "");
  client_log(self, OVPN3_LOG_CATEGORY_VERB2, "Status: %u/%u %s", major, minor, self->st_message);
  self->out->status(self, major, minor, self->st_message);
}

void
client_conn_status(Ovpn3ClientBackend *self, guint minor, const char *message)
{
  client_set_status(self, OVPN3_STATUS_MAJOR_CONNECTION, minor, message);
}

void
client_attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message)
{
  self->out->attention(self, type, group, message);
}

void
client_send(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd)
{
  g_return_if_fail(cmd != NULL);
  self->out->send(self, cmd);
}

void
client_fail(Ovpn3ClientBackend *self, const char *message)
{
  g_free(self->fatal_message);
  self->fatal_message = g_strdup(message);
  self->out->stop(self, OVPN3_CLIENT_STOP_TIMEOUT_S);
}
