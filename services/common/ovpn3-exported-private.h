/* ovpn3-exported-private.h — what the files of the exporter share: one
 * registered object, and the org.freedesktop.DBus.Properties handler
 * (ovpn3-exported-properties.c). Only ovpn3-exported*.c include it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "ovpn3-exported.h"

G_BEGIN_DECLS

/* One registered object; referenced by every call in flight so that an
 * object unregistered while its caller's credentials are being looked up
 * is answered "does not exist" instead of being touched. */
typedef struct
{
  gint ref_count;
  gboolean alive;
  Ovpn3Exporter *exporter;
  const Ovpn3ExportedVTable *vtable;
  gpointer object;
  char *path;
  GDBusInterfaceInfo *info;
} Registration;

Registration *ovpn3_registration_ref(Registration *reg);
void ovpn3_registration_unref(Registration *reg);

/* Get, GetAll and Set of org.freedesktop.DBus.Properties on reg, for a
 * caller the access table admitted (GetAll leaves out what it may not read):
 * interface, property, readability and type are checked before the object's
 * handlers run; a successful Set emits PropertiesChanged. */
void ovpn3_exported_handle_properties(Registration *reg, const Ovpn3Caller *caller,
                                      const char *method, GVariant *parameters,
                                      GDBusMethodInvocation *invocation);

G_END_DECLS
