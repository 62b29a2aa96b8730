/* unit-bus.h — what the unit tests that need a private bus share.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "ovpn3-exported.h"

G_BEGIN_DECLS

/* A new connection to the GTestDBus bus (fails the test if it cannot). */
GDBusConnection *unit_bus_connect(GTestDBus *bus);

/* A private bus, a service connection that exports through an exporter and a
 * client connection to call it from. */
typedef struct
{
  GTestDBus *bus;
  GDBusConnection *service, *client;
  const char *service_name; /* the service connection's unique name */
  Ovpn3Credentials *creds;
  Ovpn3Exporter *exporter;
} UnitExporter;

void unit_exporter_up(UnitExporter *f);
/* Frees the exporter (unregister its objects first), closes both connections. */
void unit_exporter_down(UnitExporter *f);

G_END_DECLS
