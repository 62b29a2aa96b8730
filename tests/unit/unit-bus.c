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

void
unit_exporter_up(UnitExporter *f)
{
  f->bus = g_test_dbus_new(G_TEST_DBUS_NONE);
  g_test_dbus_up(f->bus);
  f->service = unit_bus_connect(f->bus);
  f->client = unit_bus_connect(f->bus);
  f->service_name = g_dbus_connection_get_unique_name(f->service);
  f->creds = ovpn3_credentials_new(f->service);
  f->exporter = ovpn3_exporter_new(f->service, f->creds, NULL);
}

void
unit_exporter_down(UnitExporter *f)
{
  g_clear_pointer(&f->exporter, ovpn3_exporter_free);
  g_clear_object(&f->creds);
  g_dbus_connection_close_sync(f->client, NULL, NULL);
  g_dbus_connection_close_sync(f->service, NULL, NULL);
  g_clear_object(&f->client);
  g_clear_object(&f->service);
  g_test_dbus_down(f->bus);
  g_clear_object(&f->bus);
}
