/* ovpn3-exported.h — one way to export an object: the interface comes from
 * the GResource, every call (methods and org.freedesktop.DBus.Properties
 * Get/Set/GetAll) first resolves the caller's credentials asynchronously,
 * then (when the member's rule needs it, callers of the service user only)
 * which service process it is (ovpn3-peer-role.h), then reaches the object's
 * handlers with an Ovpn3Caller — only when the object's access table
 * (ovpn3-access.h) admits the caller for that member. Property types
 * and access are checked against the introspection before the handler
 * runs; a successful Set emits PropertiesChanged. Every call touches the
 * idle timer.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-access.h"
#include "ovpn3-credentials.h"
#include "ovpn3-idle.h"
#include "ovpn3-peer-role.h"

G_BEGIN_DECLS

/* A property read answered later (get_property_async): complete it exactly
 * once with ovpn3_property_reply_return() or ovpn3_property_reply_error(). */
typedef struct _Ovpn3PropertyReply Ovpn3PropertyReply;

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
  /* Optional: properties read without blocking the main loop (from another
   * process). Returns FALSE for a property it does not serve (get_property
   * does), TRUE when it took reply and will complete it. A GetAll starts
   * every such read at once and answers when the last one completed. */
  gboolean (*get_property_async)(gpointer object, const Ovpn3Caller *caller, const char *name,
                                 Ovpn3PropertyReply *reply);
  /* value already has the declared type; the property is readwrite. */
  gboolean (*set_property)(gpointer object, const Ovpn3Caller *caller, const char *name,
                           GVariant *value, GError **error);
  /* Who may call what (ovpn3-access.h): every method, property read and
   * property write of the interface has one row; anything else is
   * refused. The exporter decides before the handler runs: the caller's
   * peer role is found out when the row needs it, polkit manage-others is
   * asked (caller->admin) only when the row has ADMIN and no other bit
   * admitted the caller. GetAll leaves out the properties the caller may
   * not read. */
  const Ovpn3AccessTable *access;
  /* The object's bits of a rule (OWNER, ACL, PUBLIC_READ, BACKEND,
   * CUSTOM); NULL: those bits admit nobody. */
  Ovpn3AccessPredicate access_check;
  /* Optional: the refusal text for a caller the row refused, when the
   * object tells several reasons apart (e.g. a netcfg device: not its
   * creator / not a live backend); NULL: the row's or the table's. */
  const char *(*access_denied)(gpointer object, const Ovpn3Caller *caller,
                               const Ovpn3AccessRow *row);
} Ovpn3ExportedVTable;

typedef struct _Ovpn3Exporter Ovpn3Exporter;

/* Who answers the ADMIN bit of an access rule (polkit manage-others:
 * ovpn3_polkit_admin_check in ovpn3-polkit.h). Kept behind a pointer so that
 * only the services with ADMIN rows link polkit (docs/architecture.md §8). */
typedef struct
{
  void (*check_async)(const char *sender, guint32 uid, GDBusMethodInvocation *invocation,
                      GAsyncReadyCallback callback, gpointer user_data);
  /* TRUE: admitted; FALSE with or without error: not */
  gboolean (*check_finish)(GAsyncResult *result, GError **error);
} Ovpn3AdminCheck;

/* One exporter per connection and service; shares the credential cache and
 * idle timer. */
Ovpn3Exporter *ovpn3_exporter_new(GDBusConnection *connection, Ovpn3Credentials *credentials,
                                  Ovpn3Idle *idle);
void ovpn3_exporter_free(Ovpn3Exporter *exporter);
/* Without a check (the default) the ADMIN bit of a rule admits nobody. */
void ovpn3_exporter_set_admin_check(Ovpn3Exporter *exporter, const Ovpn3AdminCheck *check);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3Exporter, ovpn3_exporter_free)

GDBusConnection *ovpn3_exporter_get_connection(Ovpn3Exporter *exporter);
Ovpn3Credentials *ovpn3_exporter_get_credentials(Ovpn3Exporter *exporter);
/* The role lookup the exporter uses for the access rules (made on first use). */
Ovpn3PeerRoles *ovpn3_exporter_get_peer_roles(Ovpn3Exporter *exporter);

/* Returns the registration id (0 with error on failure). object is not
 * referenced; unregister before freeing it. vtable->access is required
 * (deny by default). */
guint ovpn3_exporter_register(Ovpn3Exporter *exporter, const char *path, const char *xml_name,
                              const Ovpn3ExportedVTable *vtable, gpointer object, GError **error);
void ovpn3_exporter_unregister(Ovpn3Exporter *exporter, guint registration_id);
/* A call that waited elsewhere (received by another handler for the same path, e.g. a stand-in
 * while the object did not exist yet) is handled as if it had just arrived for the object
 * registered at its path: TRUE, or FALSE (nothing is registered there; not answered). */
gboolean ovpn3_exporter_redispatch(Ovpn3Exporter *exporter, GDBusMethodInvocation *invocation);

/* Emits PropertiesChanged(iface, {name: value}, []) from path. */
void ovpn3_exporter_emit_property_changed(Ovpn3Exporter *exporter, const char *path,
                                          const char *interface, const char *name, GVariant *value);

/* Completes a property read of get_property_async: value (floating or full,
 * taken) of the declared type, or error (G_DBUS_ERROR_ACCESS_DENIED hides
 * the property from this caller). Frees reply. */
void ovpn3_property_reply_return(Ovpn3PropertyReply *reply, GVariant *value);
void ovpn3_property_reply_error(Ovpn3PropertyReply *reply, const GError *error);

/* Convenience for handlers. */
void ovpn3_invocation_return_unknown_method(GDBusMethodInvocation *invocation);
/* The properties every manager object has: `version` (the API level, "v27")
 * and `implementation` ("ovpn3 <version>"). Returns NULL with
 * G_DBUS_ERROR_INVALID_ARGS for any other name. */
GVariant *ovpn3_manager_get_common_property(const char *name, GError **error);
void ovpn3_invocation_return_access_denied(GDBusMethodInvocation *invocation, const char *message);

G_END_DECLS
