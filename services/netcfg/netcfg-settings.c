#define G_LOG_DOMAIN "ovpn3-netcfg-settings"

/* netcfg-settings.c — the `dns_backend` setting and its store records
 * (netcfg-settings.h). A record's payload is one line,
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

static const char *
directory_of(NetcfgStoreRecord record)
{
  return record == NETCFG_STORE_SETTINGS_PERSISTENT ? "persistent" : "runtime";
}

/* The setting the record holds into *out: FALSE when it holds none, cannot
 * be read or is not valid (the last two said on stderr: ignored). */
static gboolean
load_record(NetcfgStoreRecord record, NetcfgDnsBackend *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = NULL;
  const char *data;
  gsize len;

  if (!netcfg_store_record_is_open(record))
    return FALSE;
  payload = netcfg_store_load(record, NULL, &error);
  if (payload == NULL)
    {
      g_printerr("ovpn3-service-netcfg: stored DNS backend ignored: %s\n", error->message);
      return FALSE;
    }
  data = g_bytes_get_data(payload, &len);
  if (len == 0)
    return FALSE;
  if (len < strlen(KEY) + 1 || strncmp(data, KEY, strlen(KEY)) != 0 || data[len - 1] != '\n'
      || !backend_from_name(data + strlen(KEY), len - strlen(KEY) - 1, out))
    {
      g_printerr("ovpn3-service-netcfg: stored DNS backend ignored: the %s directory's "
                 "settings record is not valid\n",
                 directory_of(record));
      return FALSE;
    }
  return TRUE;
}

static gboolean
save_record(NetcfgStoreRecord record, NetcfgDnsBackend backend, GError **error)
{
  g_autofree char *line = g_strconcat(KEY, backend_names[backend], "\n", NULL);

  return netcfg_store_save(record, line, strlen(line), error);
}

/* The runtime record's setting (newer than the persistent one: it is only
 * written while the persistent directory cannot be opened, or by an older
 * netcfg) moves to the persistent record. */
static void
take_over_runtime_record(void)
{
  g_autoptr(GError) error = NULL;

  if (!save_record(NETCFG_STORE_SETTINGS_PERSISTENT, dns_backend, &error)
      || !netcfg_store_save(NETCFG_STORE_SETTINGS, "", 0, &error))
    g_printerr("ovpn3-service-netcfg: DNS backend %s not made persistent: %s\n",
               backend_names[dns_backend], error->message);
  else
    g_printerr("ovpn3-service-netcfg: DNS backend %s taken from the runtime directory into "
               "the persistent one\n",
               backend_names[dns_backend]);
}

void
netcfg_settings_load(void)
{
  NetcfgDnsBackend kept;

  dns_backend = NETCFG_DNS_BACKEND_AUTO;
  if (load_record(NETCFG_STORE_SETTINGS_PERSISTENT, &kept))
    dns_backend = kept;
  if (load_record(NETCFG_STORE_SETTINGS, &kept))
    {
      dns_backend = kept;
      if (netcfg_settings_are_persistent())
        take_over_runtime_record();
    }
}

gboolean
netcfg_settings_are_persistent(void)
{
  return netcfg_store_record_is_open(NETCFG_STORE_SETTINGS_PERSISTENT);
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
  NetcfgStoreRecord record
      = netcfg_settings_are_persistent() ? NETCFG_STORE_SETTINGS_PERSISTENT : NETCFG_STORE_SETTINGS;
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
  if (!netcfg_store_record_is_open(record))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "The DNS backend cannot be kept: %s",
                  netcfg_store_record_unavailable_reason(record));
      return FALSE;
    }
  if (!save_record(record, wanted, &local))
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
                     "DNS backend set to %s by uid %u (used from the next Establish%s)",
                     netcfg_settings_dns_backend_name(), caller->uid,
                     netcfg_settings_are_persistent() ? "" : "; kept until the next reboot only");
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
