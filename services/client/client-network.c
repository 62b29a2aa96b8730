/* client-network.c — the network hand-off: openvpn's >UPDOWN:UP environment,
 * checked by the server-pushed-settings policy (client-netcfg.h,
 * docs/architecture.md §6) and filtered for a session that may not change the
 * whole host (client-host-wide.c), goes to netcfg through
 * Ovpn3ClientOutputs.apply_network; CONN_CONNECTED waits for its answer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-client-network"

#include "config.h"

#include "client-backend-private.h"

void
client_network_applied(Ovpn3ClientBackend *self, const GError *error)
{
  g_autofree char *message = NULL;

  self->net_applying = FALSE;
  if (error != NULL)
    {
      if (self->state == OVPN3_CLIENT_STATE_DONE || self->state == OVPN3_CLIENT_STATE_DISCONNECTING)
        return;
      client_log(self, OVPN3_LOG_CATEGORY_ERROR, "Network configuration failed: %s",
                 error->message);
      message = g_strdup_printf("Network configuration failed: %s", error->message);
      client_fail(self, message);
      return;
    }
  client_log(self, OVPN3_LOG_CATEGORY_VERB1, "Network configuration applied on %s",
             self->netcfg != NULL ? ovpn3_client_netcfg_get_device_name(self->netcfg) : "");
  /* openvpn said CONNECTED while netcfg was at work */
  if (self->state == OVPN3_CLIENT_STATE_CONNECTED)
    client_status_connected(self);
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

/* TRUE if settings differ from what was applied (or nothing was yet). */
static gboolean
addresses_changed(Ovpn3ClientBackend *self, char *key)
{
  if (self->applied_key == NULL)
    return TRUE;
  /* --persist-tun keeps the device; netcfg keeps what it applied */
  if (g_str_equal(key, self->applied_key))
    {
      client_log(self, OVPN3_LOG_CATEGORY_VERB1, "Tunnel re-opened; keeping the network settings");
      return FALSE;
    }
  client_log(self, OVPN3_LOG_CATEGORY_WARN,
             "The server pushed other tunnel addresses on reconnect (%s, was %s); applying them",
             key, self->applied_key);
  return TRUE;
}

void
client_network_updown(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event)
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
      client_fail(self, error->message);
      return;
    }
  client_host_wide_filter(self, settings);
  client_overrides_filter_network(self, settings);
  key = addresses_key(settings);
  if (!addresses_changed(self, key))
    return;
  for (guint i = 0; i < refusals->len; i++)
    client_log(self, OVPN3_LOG_CATEGORY_WARN, "%s", (const char *) g_ptr_array_index(refusals, i));
  g_free(self->applied_key);
  self->applied_key = g_steal_pointer(&key);
  self->net_applying = TRUE;
  self->out->apply_network(self, settings);
}
