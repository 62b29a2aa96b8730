/* ovpn3-error.h — GError domains registered with real D-Bus error names.
 *
 * Each domain has a single code, OVPN3_ERROR_FAILED, and is registered so
 * that the D-Bus error name equals the domain name of docs/dbus-api.md §4 ('-' becomes
 * '_', docs/compatibility.md). The message is upstream's text alone.
 * ACL refusals use G_DBUS_ERROR_ACCESS_DENIED, bad arguments upstream does
 * not cover G_DBUS_ERROR_INVALID_ARGS.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  OVPN3_ERROR_FAILED = 0,
} Ovpn3ErrorCode;

#define OVPN3_ERROR_READY            (ovpn3_error_ready_quark())
#define OVPN3_ERROR_CLIENT           (ovpn3_error_client_quark())
#define OVPN3_ERROR_BE_REGISTRATION  (ovpn3_error_be_registration_quark())
#define OVPN3_ERROR_LOG              (ovpn3_error_log_quark())
#define OVPN3_ERROR_NETCFG           (ovpn3_error_netcfg_quark())
#define OVPN3_ERROR_NETCFG_DEVICE    (ovpn3_error_netcfg_device_quark())
#define OVPN3_ERROR_GDBUSPP          (ovpn3_error_gdbuspp_quark())
#define OVPN3_ERROR_REQUEST          (ovpn3_error_request_quark())
#define OVPN3_ERROR_OVERRIDE_NOT_SET (ovpn3_error_override_not_set_quark())

GQuark ovpn3_error_ready_quark(void);
GQuark ovpn3_error_client_quark(void);
GQuark ovpn3_error_be_registration_quark(void);
GQuark ovpn3_error_log_quark(void);
GQuark ovpn3_error_netcfg_quark(void);
GQuark ovpn3_error_netcfg_device_quark(void);
GQuark ovpn3_error_gdbuspp_quark(void);
GQuark ovpn3_error_request_quark(void);
GQuark ovpn3_error_override_not_set_quark(void);

/* Registers every domain with GDBus; idempotent. Called by the service
 * scaffold at start and by tests. */
void ovpn3_error_register_all(void);

/* The message an error of domain with this text goes out with: upstream's
 * form "GDBus.Error:<D-Bus name>: <text>" for the domains whose errors
 * upstream's clients recognise by name (net.openvpn.v3.error.ready,
 * net.openvpn.v3.error.OverrideNotSet), the text alone otherwise. */
char *ovpn3_error_wire_message(GQuark domain, const char *text);

/* Completes invocation with an error of domain (OVPN3_ERROR_FAILED) and
 * ovpn3_error_wire_message(domain, text). */
void ovpn3_invocation_return_error(GDBusMethodInvocation *invocation, GQuark domain,
                                   const char *text);

G_END_DECLS
