#define G_LOG_DOMAIN "ovpn3-error"

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"

/* One domain, one code, one D-Bus name (docs/compatibility.md). */
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
OVPN3_DEFINE_ERROR_DOMAIN(ovpn3_error_override_not_set_quark, OVPN3_ERROR_NAME_OVERRIDE_NOT_SET)

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
  (void) OVPN3_ERROR_OVERRIDE_NOT_SET;
}

/* Upstream's clients find these by name in the message: `openvpn3` (GDBus++)
 * tells a Ready failure by 'net.openvpn.v3.error.ready' in what() and an
 * unset override by 'net.openvpn.v3.error.OverrideNotSet'; openvpn2 and
 * openvpn3-autoload look for ' Missing user credentials' (with the space). */
static gboolean
upstream_form(GQuark domain)
{
  return domain == OVPN3_ERROR_READY || domain == OVPN3_ERROR_OVERRIDE_NOT_SET;
}

char *
ovpn3_error_wire_message(GQuark domain, const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (!upstream_form(domain))
    return g_strdup(text);
  /* the registered name, exactly as it goes on the wire */
  error = g_error_new_literal(domain, OVPN3_ERROR_FAILED, text);
  name = g_dbus_error_encode_gerror(error);
  return g_strdup_printf("GDBus.Error:%s: %s", name, text);
}

void
ovpn3_invocation_return_error(GDBusMethodInvocation *invocation, GQuark domain, const char *text)
{
  g_autofree char *message = ovpn3_error_wire_message(domain, text);

  g_dbus_method_invocation_return_error_literal(invocation, domain, OVPN3_ERROR_FAILED, message);
}
