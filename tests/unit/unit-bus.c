#define G_LOG_DOMAIN "ovpn3-unit-bus"

#include "config.h"

#include "unit-bus.h"

GDBusConnection *
unit_bus_connect(GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *c
      = g_dbus_connection_new_for_address_sync(g_test_dbus_get_bus_address(bus),
                                               G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                   | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                               NULL, NULL, &error);

  g_assert_no_error(error);
  return c;
}
