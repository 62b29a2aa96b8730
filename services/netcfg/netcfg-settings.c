#define G_LOG_DOMAIN "ovpn3-netcfg-settings"

/* netcfg-settings.c — the `dns_backend` setting and its store record
 * (netcfg-settings.h). The record's payload is one line,
 * "dns_backend=<name>\n"; an empty payload means the default. */

#include "config.h"

#include <string.h>

#include "netcfg-settings.h"
#include "netcfg-store.h"
#include "ovpn3-names.h"

#define KEY "dns_backend="

static const char *const backend_names[] = {
  [NETCFG_DNS_BACKEND_AUTO] = OVPN3_NETCFG_DNS_BACKEND_AUTO,
  [NETCFG_DNS_BACKEND_RESOLVED] = OVPN3_NETCFG_DNS_BACKEND_RESOLVED,
  [NETCFG_DNS_BACKEND_RESOLV_CONF] = OVPN3_NETCFG_DNS_BACKEND_RESOLV_CONF,
};

static NetcfgDnsBackend dns_backend = NETCFG_DNS_BACKEND_AUTO;

static gboolean
backend_from_name(const char *name, gsize len, NetcfgDnsBackend *out)
{
  for (guint i = 0; i < G_N_ELEMENTS(backend_names); i++)
    if (strlen(backend_names[i]) == len && strncmp(backend_names[i], name, len) == 0)
      {
        *out = (NetcfgDnsBackend) i;
        return TRUE;
      }
  return FALSE;
}

void
netcfg_settings_load(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  const char *data;
  gsize len;

  dns_backend = NETCFG_DNS_BACKEND_AUTO;
  if (!netcfg_store_is_open())
    return;
  payload = netcfg_store_load(NETCFG_STORE_SETTINGS, NULL, &error);
  if (payload == NULL)
    {
      g_printerr("ovpn3-service-netcfg: settings not read (dns_backend is auto): %s\n",
                 error->message);
      return;
    }
  data = g_bytes_get_data(payload, &len);
  if (len == 0)
    return;
  if (len < strlen(KEY) + 1 || strncmp(data, KEY, strlen(KEY)) != 0 || data[len - 1] != '\n'
      || !backend_from_name(data + strlen(KEY), len - strlen(KEY) - 1, &dns_backend))
    g_printerr("ovpn3-service-netcfg: the stored settings are not valid: dns_backend is auto\n");
}

NetcfgDnsBackend
netcfg_settings_get_dns_backend(void)
{
  return dns_backend;
}

const char *
netcfg_settings_dns_backend_name(void)
{
  return backend_names[dns_backend];
}

gboolean
netcfg_settings_set_dns_backend(const char *name, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *line = NULL;
  NetcfgDnsBackend wanted;

  if (!backend_from_name(name, strlen(name), &wanted))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Invalid DNS backend “%s”: must be " OVPN3_NETCFG_DNS_BACKEND_AUTO
                  ", " OVPN3_NETCFG_DNS_BACKEND_RESOLVED
                  " or " OVPN3_NETCFG_DNS_BACKEND_RESOLV_CONF,
                  name);
      return FALSE;
    }
  line = g_strconcat(KEY, backend_names[wanted], "\n", NULL);
  if (!netcfg_store_is_open())
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "The DNS backend cannot be kept: %s",
                  netcfg_store_unavailable_reason());
      return FALSE;
    }
  if (!netcfg_store_save(NETCFG_STORE_SETTINGS, line, strlen(line), &local))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "The DNS backend cannot be kept: %s",
                  local->message);
      return FALSE;
    }
  dns_backend = wanted;
  return TRUE;
}

gboolean
netcfg_settings_set_property(NetcfgManager *manager, const Ovpn3Caller *caller, GVariant *value,
                             GError **error)
{
  if (!netcfg_settings_set_dns_backend(g_variant_get_string(value, NULL), error))
    return FALSE;
  netcfg_manager_log(manager, OVPN3_LOG_CATEGORY_INFO,
                     "DNS backend set to %s by uid %u (used from the next Establish)",
                     netcfg_settings_dns_backend_name(), caller->uid);
  return TRUE;
}

gboolean
netcfg_settings_use_resolved(gboolean resolved_present)
{
  switch (dns_backend)
    {
      case NETCFG_DNS_BACKEND_RESOLVED:
        return TRUE;
      case NETCFG_DNS_BACKEND_RESOLV_CONF:
        return FALSE;
      case NETCFG_DNS_BACKEND_AUTO:
      default:
        return resolved_present;
    }
}
