/* client-run.c — the session's resources: the netcfg device, the openvpn
 * process (client-openvpn.h) started on it with the flags of
 * docs/architecture.md §3, what openvpn prints (forwarded as log lines, the
 * last error kept for the exit status, auth tokens never passed on), its
 * exit, and the end of the session.
 *
 * Both are prepared as soon as the profile is evaluated (client_run_prestart:
 * the device, then openvpn, which waits in its first hold), so that Connect
 * only releases the hold (docs/architecture.md §2 step 5). What could not be
 * prepared, or an openvpn that ended in its hold, is tried again at Connect,
 * as if nothing had been prepared: a failure then is reported as always.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-run"

#include "config.h"

#include <string.h>

#include "client-backend-private.h"

/* ---- openvpn ------------------------------------------------------------------------ */

static void
on_event(Ovpn3ClientOpenvpn *ovpn, gpointer event_ptr, gpointer user_data)
{
  client_events_dispatch(user_data, event_ptr);
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

  if (self->state == OVPN3_CLIENT_STATE_IDLE)
    {
      /* ended in its first hold, before Connect (killed, or it refused its options) */
      client_log(self, OVPN3_LOG_CATEGORY_INFO,
                 "openvpn exited before Connect (wait status %d); started again at Connect",
                 wait_status);
      self->prepared = OVPN3_CLIENT_PREPARED_DEVICE;
      return;
    }
  client_events_exited(self, wait_status);
  client_finish(self);
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

/* Could not start: say why (unless stopped meanwhile), then end. */
static void
fail_start(Ovpn3ClientBackend *self, const char *message)
{
  gboolean stopping = self->state == OVPN3_CLIENT_STATE_DISCONNECTING;

  client_log(self, OVPN3_LOG_CATEGORY_ERROR, "%s", message);
  if (!self->force_stop)
    client_conn_status(self,
                       stopping ? OVPN3_STATUS_MINOR_CONN_DONE : OVPN3_STATUS_MINOR_PROC_KILLED,
                       stopping ? "" : message);
  client_finish(self);
}

static void
start_openvpn(Ovpn3ClientBackend *self)
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
  if (self->state != OVPN3_CLIENT_STATE_IDLE)
    client_set_state(self, OVPN3_CLIENT_STATE_CONNECTING, "openvpn starting");
  if (!ovpn3_client_openvpn_start(self->ovpn, &cfg, &error))
    {
      g_autofree char *msg = g_strdup_printf("Could not start openvpn: %s", error->message);

      g_signal_handlers_disconnect_by_data(self->ovpn, self);
      g_clear_object(&self->ovpn);
      if (self->state == OVPN3_CLIENT_STATE_IDLE)
        client_log(self, OVPN3_LOG_CATEGORY_INFO, "%s; trying again at Connect", msg);
      else
        fail_start(self, msg);
      return;
    }
  self->prepared = OVPN3_CLIENT_PREPARED_OPENVPN;
  client_log(self, OVPN3_LOG_CATEGORY_INFO, "openvpn started on %s (runtime directory %s)",
             cfg.dev_name, ovpn3_client_openvpn_get_dir(self->ovpn));
}

/* ---- the device --------------------------------------------------------------------- */

/* netcfg answered: FALSE if the session is over, or was stopped meanwhile (then it ends here:
 * nothing to start). */
static gboolean
still_starting(Ovpn3ClientBackend *self)
{
  if (self->state == OVPN3_CLIENT_STATE_DONE)
    return FALSE; /* the process is exiting */
  if (self->state != OVPN3_CLIENT_STATE_DISCONNECTING)
    return TRUE;
  if (!self->force_stop)
    client_conn_status(self, OVPN3_STATUS_MINOR_CONN_DONE, "");
  client_finish(self);
  return FALSE;
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

      if (self->state == OVPN3_CLIENT_STATE_IDLE)
        {
          client_log(self, OVPN3_LOG_CATEGORY_INFO, "%s; trying again at Connect", msg);
          self->prepared = OVPN3_CLIENT_PREPARED_FAILED;
        }
      else
        fail_start(self, msg);
      return;
    }
  self->prepared = OVPN3_CLIENT_PREPARED_DEVICE;
  if (still_starting(self))
    start_openvpn(self);
}

static void
create_device(Ovpn3ClientBackend *self)
{
  self->prepared = OVPN3_CLIENT_PREPARED_CREATING;
  self->netcfg = ovpn3_client_netcfg_new(self->connection);
  ovpn3_client_netcfg_create_async(
      self->netcfg, "ovpn3t",
      ovpn3_profile_get_dev_type(self->profile) == OVPN3_PROFILE_DEV_TAP ? 2 : 3, self->engine.uid,
      self->dns_scope, on_device_created, g_object_ref(self));
}

void
client_run_prestart(Ovpn3ClientBackend *self)
{
  if (self->prepared == OVPN3_CLIENT_PREPARED_NONE && self->state == OVPN3_CLIENT_STATE_IDLE)
    create_device(self);
}

/* The device that could not be prepared is gone (or never was): a new one. */
static void
on_discarded(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ovpn3_client_netcfg_destroy_finish(OVPN3_CLIENT_NETCFG(source), result, &error))
    g_debug("netcfg Destroy of the device not prepared: %s", error->message);
  if (still_starting(self))
    create_device(self);
}

/* openvpn ended in its first hold before Connect: forget it and what it said. */
static void
forget_openvpn(Ovpn3ClientBackend *self)
{
  if (self->ovpn == NULL)
    return;
  g_signal_handlers_disconnect_by_data(self->ovpn, self);
  g_clear_object(&self->ovpn);
  self->mgmt_ready = FALSE;
  self->in_hold = FALSE;
  self->halted = FALSE;
  g_clear_pointer(&self->fatal_message, g_free);
  g_clear_pointer(&self->last_error_line, g_free);
  g_clear_pointer(&self->exit_reason, g_free);
}

/* The device that could not be prepared: what netcfg may have made of it goes first (the
 * per-user device quota), then a new one. */
static void
discard_device(Ovpn3ClientBackend *self)
{
  g_autoptr(Ovpn3ClientNetcfg) failed = g_steal_pointer(&self->netcfg);

  self->prepared = OVPN3_CLIENT_PREPARED_CREATING;
  ovpn3_client_netcfg_destroy_async(failed, on_discarded, g_object_ref(self));
}

void
client_run_start(Ovpn3ClientBackend *self)
{
  gboolean device = self->prepared == OVPN3_CLIENT_PREPARED_DEVICE
                    || self->prepared == OVPN3_CLIENT_PREPARED_OPENVPN;

  self->connecting_emitted = TRUE;
  /* STARTING until netcfg made the device: on_device_created() goes on */
  client_set_state(self, device ? OVPN3_CLIENT_STATE_CONNECTING : OVPN3_CLIENT_STATE_STARTING,
                   "Connect");
  client_conn_status(self, OVPN3_STATUS_MINOR_CONN_CONNECTING, "");
  switch (self->prepared)
    {
      case OVPN3_CLIENT_PREPARED_NONE:
        create_device(self);
        return;
      case OVPN3_CLIENT_PREPARED_CREATING:
        return;
      case OVPN3_CLIENT_PREPARED_FAILED:
        discard_device(self);
        return;
      case OVPN3_CLIENT_PREPARED_DEVICE:
        forget_openvpn(self);
        start_openvpn(self);
        return;
      case OVPN3_CLIENT_PREPARED_OPENVPN:
        if (self->mgmt_ready)
          client_hold_release(self); /* else the first hold releases itself */
        return;
    }
}

gboolean
client_run_stop_prepared(Ovpn3ClientBackend *self)
{
  switch (self->prepared)
    {
      case OVPN3_CLIENT_PREPARED_CREATING:
        return TRUE; /* on_device_created() finishes */
      case OVPN3_CLIENT_PREPARED_OPENVPN:
        self->out->stop(self, 1); /* on_exited() finishes */
        return TRUE;
      default:
        return FALSE;
    }
}

/* ---- the end ------------------------------------------------------------------------ */

void
client_finish(Ovpn3ClientBackend *self)
{
  /* while netcfg still creates the device there is nothing to destroy yet */
  gboolean creating = self->state == OVPN3_CLIENT_STATE_STARTING;

  if (self->state == OVPN3_CLIENT_STATE_DONE)
    return;
  client_stats_final(self);
  client_set_state(self, OVPN3_CLIENT_STATE_DONE, "session over");
  self->out->finish(self, self->netcfg != NULL && !creating);
}
