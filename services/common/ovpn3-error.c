#define G_LOG_DOMAIN "ovpn3-error"

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"

/* One domain, one code, one D-Bus name (design §7). */
#define OVPN3_DEFINE_ERROR_DOMAIN(func, dbus_name)                                         \
  GQuark func(void)                                                                        \
  {                                                                                        \
    static gsize quark = 0;                                                                \
    static const GDBusErrorEntry entries[] = {                                             \
      { OVPN3_ERROR_FAILED, dbus_name },                                                   \
    };                                                                                     \
    g_dbus_error_register_error_domain(dbus_name, &quark, entries, G_N_ELEMENTS(entries)); \
    return (GQuark) quark;                                                                 \
  }

OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_ready_quark, OVPN3_ERROR_NAME_READY)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_client_quark, OVPN3_ERROR_NAME_CLIENT)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_be_registration_quark, OVPN3_ERROR_NAME_BE_REGISTRATION)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_log_quark, OVPN3_ERROR_NAME_LOG)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_netcfg_quark, OVPN3_ERROR_NAME_NETCFG)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_netcfg_device_quark, OVPN3_ERROR_NAME_NETCFG_DEVICE)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_gdbuspp_quark, OVPN3_ERROR_NAME_GDBUSPP)
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_request_quark, OVPN3_ERROR_NAME_REQUEST)

void
ovpn3_error_register_all(void)
{
  (void) OVPN3_ERROR_READY;
  (void) OVPN3_ERROR_CLIENT;
  (void) OVPN3_ERROR_BE_REGISTRATION;
  (void) OVPN3_ERROR_LOG;
  (void) OVPN3_ERROR_NETCFG;
  (void) OVPN3_ERROR_NETCFG_DEVICE;
  (void) OVPN3_ERROR_GDBUSPP;
  (void) OVPN3_ERROR_REQUEST;
}
