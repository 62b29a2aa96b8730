#define G_LOG_DOMAIN "ovpn3-netcfg-access"

#include "config.h"

#include "netcfg-access.h"
#include "ovpn3-acl.h"
#include "ovpn3-names.h"

#define TEXT_NOT_BACKEND \
  "Access denied: only the backend client of a live VPN session may configure the network"

gboolean
netcfg_access_wants_role(gpointer object, GDBusMethodInvocation *invocation)
{
  const char *interface = g_dbus_method_invocation_get_interface_name(invocation);
  const char *method = g_dbus_method_invocation_get_method_name(invocation);

  /* what only reads, or only undoes what the caller made */
  static const char *const not_needed[] = { "FetchInterfaceList",
                                            "DcoAvailable",
                                            "Cleanup",
                                            "Destroy",
                                            "NotificationSubscribe",
                                            "NotificationUnsubscribe",
                                            "NotificationSubscriberList",
                                            NULL };

  if (g_strcmp0(interface, DBUS_INTERFACE_PROPS) == 0)
    return g_strcmp0(method, "Set") == 0;
  return method != NULL && !g_strv_contains(not_needed, method);
}

gboolean
netcfg_access_check_backend(const Ovpn3Caller *caller, GError **error)
{
  if (ovpn3_uid_is_service_user(caller->uid) && caller->role == OVPN3_PEER_ROLE_BACKEND
      && caller->backend != NULL)
    return TRUE;
  g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, TEXT_NOT_BACKEND);
  return FALSE;
}
