#define G_LOG_DOMAIN "ovpn3-netcfg-access"

#include "config.h"

#include "netcfg-access.h"
#include "netcfg-device.h"
#include "netcfg-manager.h"
#include "ovpn3-acl.h"
#include "ovpn3-names.h"

#define TEXT_NOT_CREATOR "Access denied: only the process that created this device may use it"

/* ---- the manager ---------------------------------------------------------- */

/* Root and the service user (docs/architecture.md §6); changing the network only for the
 * backend client of a live session (netcfg-access.h); Cleanup removes only
 * the caller's own devices; the subscriber list is root's. */
#define PRIVILEGED (OVPN3_ACCESS_ROOT | OVPN3_ACCESS_SERVICE_USER)

static const Ovpn3AccessRow manager_rows[] = {
  { OVPN3_ACCESS_METHOD, "CreateVirtualInterface", OVPN3_ACCESS_BACKEND, NETCFG_TEXT_NOT_BACKEND },
  { OVPN3_ACCESS_METHOD, "FetchInterfaceList", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "ProtectSocket", OVPN3_ACCESS_BACKEND, NETCFG_TEXT_NOT_BACKEND },
  { OVPN3_ACCESS_METHOD, "DcoAvailable", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "Cleanup", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "NotificationSubscribe", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "NotificationUnsubscribe", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "NotificationSubscriberList", OVPN3_ACCESS_ROOT, "Access denied" },
  { OVPN3_ACCESS_READ, "global_dns_servers", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "global_dns_search", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "log_level", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_level", PRIVILEGED },
  { OVPN3_ACCESS_READ, "config_file", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, OVPN3_NETCFG_PROP_DNS_BACKEND, OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, OVPN3_NETCFG_PROP_DNS_BACKEND, OVPN3_ACCESS_ROOT,
    "Access denied: only root may choose the DNS backend" },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
};

const Ovpn3AccessTable netcfg_manager_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_NETCFG_MANAGER, NETCFG_TEXT_DENIED, manager_rows);

/* Callers who are neither root nor the service user keep the refusal they
 * always had. */
const char *
netcfg_manager_access_denied(gpointer object, const Ovpn3Caller *caller, const Ovpn3AccessRow *row)
{
  return caller->uid == 0 || ovpn3_uid_is_service_user(caller->uid) ? NULL : NETCFG_TEXT_DENIED;
}

/* BACKEND: any confirmed backend client (the manager belongs to no session;
 * the exporter admits BACKEND only for one). */
gboolean
netcfg_manager_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                            const char *member)
{
  return bit == OVPN3_ACCESS_BACKEND;
}

/* ---- a device --------------------------------------------------------------- */

static gboolean
is_creator(NetcfgDevice *device, const Ovpn3Caller *caller)
{
  return g_strcmp0(caller->sender, netcfg_device_get_creator(device)) == 0;
}

/* Everything but Destroy: the process that created the device, while the
 * session manager confirms it as the backend client of a live session
 * (BACKEND of this device); undoing is always allowed to the creator
 * (CUSTOM, docs/security.md §5). Reads: the creator, root and the service user. */
#define CREATOR_BACKEND OVPN3_ACCESS_BACKEND, NETCFG_TEXT_NOT_BACKEND
#define READERS         OVPN3_ACCESS_CUSTOM | OVPN3_ACCESS_ROOT | OVPN3_ACCESS_SERVICE_USER

static const Ovpn3AccessRow device_rows[] = {
  { OVPN3_ACCESS_METHOD, "AddIPAddress", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "SetRemoteAddress", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "AddNetworks", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "AddDNS", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "AddDNSSearch", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "SetDNSSEC", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "SetDNSTransport", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "Establish", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "Disable", CREATOR_BACKEND },
  { OVPN3_ACCESS_METHOD, "Destroy", OVPN3_ACCESS_CUSTOM },
  { OVPN3_ACCESS_READ, "device_name", READERS },
  { OVPN3_ACCESS_READ, "mtu", READERS },
  { OVPN3_ACCESS_WRITE, "mtu", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "layer", READERS },
  { OVPN3_ACCESS_WRITE, "layer", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "txqueuelen", READERS },
  { OVPN3_ACCESS_WRITE, "txqueuelen", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "reroute_ipv4", READERS },
  { OVPN3_ACCESS_WRITE, "reroute_ipv4", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "reroute_ipv6", READERS },
  { OVPN3_ACCESS_WRITE, "reroute_ipv6", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "owner", READERS },
  { OVPN3_ACCESS_READ, "engine_uid", READERS },
  { OVPN3_ACCESS_WRITE, "engine_uid", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "acl", READERS },
  { OVPN3_ACCESS_READ, "dns_scope", READERS },
  { OVPN3_ACCESS_WRITE, "dns_scope", CREATOR_BACKEND },
  { OVPN3_ACCESS_READ, "dns_name_servers", READERS },
  { OVPN3_ACCESS_READ, "dns_search_domains", READERS },
  { OVPN3_ACCESS_READ, "dnssec_mode", READERS },
};

const Ovpn3AccessTable netcfg_device_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_NETCFG_DEVICE, TEXT_NOT_CREATOR, device_rows);

/* BACKEND (a confirmed backend client) and CUSTOM: the process that
 * created this device. */
gboolean
netcfg_device_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                           const char *member)
{
  return (bit == OVPN3_ACCESS_BACKEND || bit == OVPN3_ACCESS_CUSTOM) && is_creator(object, caller);
}

/* Two refusals told apart: not the creator, or the creator without a live
 * session. */
const char *
netcfg_device_access_denied(gpointer object, const Ovpn3Caller *caller, const Ovpn3AccessRow *row)
{
  return is_creator(object, caller) ? NULL : TEXT_NOT_CREATOR;
}
