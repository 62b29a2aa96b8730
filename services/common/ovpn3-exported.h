/* ovpn3-exported.h — one way to export an object: the interface comes from
 * the GResource, every call (methods and org.freedesktop.DBus.Properties
 * Get/Set/GetAll) first resolves the caller's credentials asynchronously,
 * then (for objects that ask, callers of the service user only) which
 * service process it is (ovpn3-peer-role.h), then reaches the object's
 * handlers with an Ovpn3Caller. Property types
 * and access are checked against the introspection before the handler
 * runs; a successful Set emits PropertiesChanged. Every call touches the
 * idle timer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "ovpn3-idle.h"
#include "ovpn3-peer-role.h"

G_BEGIN_DECLS

typedef struct
{
  /* A method of the object's own interface. Must complete the invocation
   * (now or later). */
  void (*method_call)(gpointer object, const Ovpn3Caller *caller, const char *method,
                      GVariant *parameters, GDBusMethodInvocation *invocation);
  /* Returns a new (floating or full) value, or NULL with error. Return
   * G_DBUS_ERROR_ACCESS_DENIED to hide a property from this caller. */
  GVariant *(*get_property)(gpointer object, const Ovpn3Caller *caller, const char *name,
                            GError **error);
  /* value already has the declared type; the property is readwrite. */
  gboolean (*set_property)(gpointer object, const Ovpn3Caller *caller, const char *name,
                           GVariant *value, GError **error);
  /* Optional, called before every method and property call: return a
   * polkit action id when this caller does not pass the object's own ACL
   * and would need that action (e.g. net.openvpn.v3.manage-others), or
   * NULL. The exporter then asks polkit asynchronously (interactive if
   * the message allows it) and sets caller->admin to the answer; the
   * handler still makes the decision. */
  const char *(*authorize)(gpointer object, const Ovpn3Caller *caller, const char *interface,
                           const char *member);
  /* Optional: return TRUE when the handler of this call needs to know
   * which process of the service user is calling (caller->role and
   * caller->backend, ovpn3-peer-role.h; design §8). Asked only for callers
   * of the service user; the exporter then finds out asynchronously
   * (cached per caller) before authorize() and the handler run. */
  gboolean (*wants_role)(gpointer object, GDBusMethodInvocation *invocation);
} Ovpn3ExportedVTable;

typedef struct _Ovpn3Exporter Ovpn3Exporter;

/* One exporter per connection and service; shares the credential cache and
 * idle timer. */
Ovpn3Exporter *ovpn3_exporter_new(GDBusConnection *connection, Ovpn3Credentials *credentials,
                                  Ovpn3Idle *idle);
void ovpn3_exporter_free(Ovpn3Exporter *exporter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Exporter, ovpn3_exporter_free)

GDBusConnection *ovpn3_exporter_get_connection(Ovpn3Exporter *exporter);
Ovpn3Credentials *ovpn3_exporter_get_credentials(Ovpn3Exporter *exporter);
/* The role lookup the exporter uses for wants_role (made on first use). */
Ovpn3PeerRoles *ovpn3_exporter_get_peer_roles(Ovpn3Exporter *exporter);

/* Returns the registration id (0 with error on failure). object is not
 * referenced; unregister before freeing it. */
guint ovpn3_exporter_register(Ovpn3Exporter *exporter, const char *path, const char *xml_name,
                              const Ovpn3ExportedVTable *vtable, gpointer object, GError **error);
void ovpn3_exporter_unregister(Ovpn3Exporter *exporter, guint registration_id);

/* Emits PropertiesChanged(iface, {name: value}, []) from path. */
void ovpn3_exporter_emit_property_changed(Ovpn3Exporter *exporter, const char *path,
                                          const char *interface, const char *name, GVariant *value);

/* Convenience for handlers. */
void ovpn3_invocation_return_unknown_method(GDBusMethodInvocation *invocation);
/* The properties every manager object has: `version` (the API level, "v27")
 * and `implementation` ("ovpn3 <version>"). Returns NULL with
 * G_DBUS_ERROR_INVALID_ARGS for any other name. */
GVariant *ovpn3_manager_get_common_property(const char *name, GError **error);
void ovpn3_invocation_return_access_denied(GDBusMethodInvocation *invocation, const char *message);

G_END_DECLS
