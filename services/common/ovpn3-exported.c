#define G_LOG_DOMAIN "ovpn3-exported"

#include "config.h"

#include "ovpn3-acl.h"
#include "ovpn3-exported.h"
#include "ovpn3-exported-private.h"
#include "ovpn3-introspection.h"
#include "ovpn3-names.h"

struct _Ovpn3Exporter
{
  GDBusConnection *connection;
  Ovpn3Credentials *credentials;
  Ovpn3Idle *idle;
  Ovpn3PeerRoles *roles;              /* made on first use */
  const Ovpn3AdminCheck *admin_check; /* NULL: ADMIN admits nobody */
  /* registration id -> Registration (a reference): unregistering marks it
   * dead at once, while GDBus frees its user data only from a later idle */
  GHashTable *registrations;
};

typedef struct
{
  Registration *reg;
  GDBusMethodInvocation *invocation;
  Ovpn3Caller *caller;
  /* with an access table: the row of this call (NULL for GetAll and for
   * calls the structural checks of handle_properties answer) */
  const Ovpn3AccessRow *row;
} PendingCall;

Registration *
ovpn3_registration_ref(Registration *reg)
{
  g_atomic_int_inc(&reg->ref_count);
  return reg;
}

void
ovpn3_registration_unref(Registration *reg)
{
  if (!g_atomic_int_dec_and_test(&reg->ref_count))
    return;
  g_free(reg->path);
  g_dbus_interface_info_unref(reg->info);
  g_free(reg);
}

static void
registration_gone(gpointer data)
{
  Registration *reg = data;

  reg->alive = FALSE;
  ovpn3_registration_unref(reg);
}

Ovpn3Exporter *
ovpn3_exporter_new(GDBusConnection *connection, Ovpn3Credentials *credentials, Ovpn3Idle *idle)
{
  Ovpn3Exporter *exporter = g_new0(Ovpn3Exporter, 1);

  exporter->connection = g_object_ref(connection);
  exporter->credentials = g_object_ref(credentials);
  exporter->idle = idle != NULL ? g_object_ref(idle) : NULL;
  exporter->registrations
      = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify) ovpn3_registration_unref);
  return exporter;
}

void
ovpn3_exporter_free(Ovpn3Exporter *exporter)
{
  if (exporter == NULL)
    return;
  g_clear_object(&exporter->connection);
  g_clear_object(&exporter->credentials);
  g_clear_object(&exporter->idle);
  g_clear_object(&exporter->roles);
  g_clear_pointer(&exporter->registrations, g_hash_table_unref);
  g_free(exporter);
}

void
ovpn3_exporter_set_admin_check(Ovpn3Exporter *exporter, const Ovpn3AdminCheck *check)
{
  exporter->admin_check = check;
}

GDBusConnection *
ovpn3_exporter_get_connection(Ovpn3Exporter *exporter)
{
  return exporter->connection;
}

Ovpn3Credentials *
ovpn3_exporter_get_credentials(Ovpn3Exporter *exporter)
{
  return exporter->credentials;
}

Ovpn3PeerRoles *
ovpn3_exporter_get_peer_roles(Ovpn3Exporter *exporter)
{
  if (exporter->roles == NULL)
    exporter->roles = ovpn3_peer_roles_new(exporter->connection);
  return exporter->roles;
}

void
ovpn3_invocation_return_access_denied(GDBusMethodInvocation *invocation, const char *message)
{
  g_dbus_method_invocation_return_error_literal(invocation, G_DBUS_ERROR,
                                                G_DBUS_ERROR_ACCESS_DENIED, message);
}

void
ovpn3_invocation_return_unknown_method(GDBusMethodInvocation *invocation)
{
  g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                        "Unknown method “%s”",
                                        g_dbus_method_invocation_get_method_name(invocation));
}

GVariant *
ovpn3_manager_get_common_property(const char *name, GError **error)
{
  if (g_str_equal(name, "version"))
    return g_variant_new_string(OVPN3_API_VERSION);
  if (g_str_equal(name, "implementation"))
    return g_variant_new_string("ovpn3 " OVPN3_VERSION);
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

void
ovpn3_exporter_emit_property_changed(Ovpn3Exporter *exporter, const char *path,
                                     const char *interface, const char *name, GVariant *value)
{
  g_autoptr(GVariant) sunk = g_variant_ref_sink(value);
  GVariantBuilder changed;
  g_autoptr(GError) error = NULL;

  g_variant_builder_init(&changed, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(&changed, "{sv}", name, sunk);
  if (!g_dbus_connection_emit_signal(
          exporter->connection, NULL, path, DBUS_INTERFACE_PROPS, "PropertiesChanged",
          g_variant_new("(sa{sv}as)", interface, &changed, NULL), &error))
    g_warning("PropertiesChanged on %s: %s", path, error->message);
}

static void
pending_call_finish(PendingCall *pending)
{
  Registration *reg = pending->reg;
  GDBusMethodInvocation *invocation = pending->invocation;
  const char *interface = g_dbus_method_invocation_get_interface_name(invocation);
  const char *method = g_dbus_method_invocation_get_method_name(invocation);
  GVariant *parameters = g_dbus_method_invocation_get_parameters(invocation);

  if (!reg->alive)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                          "Object does not exist at path “%s”", reg->path);
  else if (g_strcmp0(interface, DBUS_INTERFACE_PROPS) == 0)
    ovpn3_exported_handle_properties(reg, pending->caller, method, parameters, invocation);
  else
    reg->vtable->method_call(reg->object, pending->caller, method, parameters, invocation);

  ovpn3_registration_unref(reg);
  ovpn3_caller_free(pending->caller);
  g_free(pending);
}

/* ---- authorization (ovpn3-access.h) ------------------------------------ */

/* The row this call is about, or NULL with *structural TRUE when
 * handle_properties answers it with an error without reaching a handler
 * (no such interface or property, wrong kind, wrong arguments), or NULL for
 * GetAll (every readable property is checked on its own). */
static const Ovpn3AccessRow *
row_of(Registration *reg, GDBusMethodInvocation *invocation, gboolean *structural,
       gboolean *get_all)
{
  const Ovpn3AccessTable *table = reg->vtable->access;
  const char *interface = g_dbus_method_invocation_get_interface_name(invocation);
  const char *method = g_dbus_method_invocation_get_method_name(invocation);
  GVariant *parameters = g_dbus_method_invocation_get_parameters(invocation);
  const char *iface = NULL, *name = NULL;
  GDBusPropertyInfo *prop;
  gboolean set;

  *structural = FALSE;
  *get_all = FALSE;
  if (g_strcmp0(interface, DBUS_INTERFACE_PROPS) != 0)
    return ovpn3_access_lookup(table, OVPN3_ACCESS_METHOD, method);

  *structural = TRUE;
  if (g_str_equal(method, "GetAll") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(s)")))
    {
      g_variant_get(parameters, "(&s)", &iface);
      *get_all = g_strcmp0(iface, reg->info->name) == 0;
      *structural = !*get_all;
      return NULL;
    }
  set = g_str_equal(method, "Set") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssv)"));
  if (!set
      && !(g_str_equal(method, "Get") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)"))))
    return NULL;
  g_variant_get_child(parameters, 0, "&s", &iface);
  g_variant_get_child(parameters, 1, "&s", &name);
  if (g_strcmp0(iface, reg->info->name) != 0
      || (prop = g_dbus_interface_info_lookup_property(reg->info, name)) == NULL
      || (prop->flags
          & (set ? G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE : G_DBUS_PROPERTY_INFO_FLAGS_READABLE))
             == 0)
    return NULL;
  *structural = FALSE;
  return ovpn3_access_lookup(table, set ? OVPN3_ACCESS_WRITE : OVPN3_ACCESS_READ, name);
}

static const char *
member_name(PendingCall *pending)
{
  return pending->row != NULL ? pending->row->name : NULL;
}

static void
pending_call_deny(PendingCall *pending)
{
  Registration *reg = pending->reg;
  const char *text = NULL;

  if (reg->alive && reg->vtable->access_denied != NULL && pending->row != NULL)
    text = reg->vtable->access_denied(reg->object, pending->caller, pending->row);
  if (text == NULL)
    text = ovpn3_access_denied_text(reg->vtable->access, pending->row);
  ovpn3_invocation_return_access_denied(pending->invocation, text);
  ovpn3_registration_unref(pending->reg);
  ovpn3_caller_free(pending->caller);
  g_free(pending);
}

/* For GetAll: ask manage-others only when some property refuses the caller
 * but would admit an administrator (an acl-list member, who may read every
 * property a rule gives the acl list, is not asked). */
static gboolean
get_all_wants_admin(PendingCall *pending)
{
  Registration *reg = pending->reg;
  const Ovpn3AccessTable *table = reg->vtable->access;

  for (gsize i = 0; i < table->n_rows; i++)
    {
      const Ovpn3AccessRow *row = &table->rows[i];

      if (row->kind == OVPN3_ACCESS_READ && (row->rule & OVPN3_ACCESS_ADMIN) != 0
          && !ovpn3_access_allows(row->rule, pending->caller, reg->vtable->access_check,
                                  reg->object, row->name))
        return TRUE;
    }
  return FALSE;
}

static void
on_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingCall *pending = user_data;
  g_autoptr(GError) error = NULL;

  pending->caller->admin = pending->reg->exporter->admin_check->check_finish(result, &error);
  if (error != NULL)
    g_debug("admin check: %s", error->message);
  if (pending->reg->alive && pending->row != NULL
      && !ovpn3_access_allows(pending->row->rule, pending->caller,
                              pending->reg->vtable->access_check, pending->reg->object,
                              member_name(pending)))
    {
      pending_call_deny(pending);
      return;
    }
  pending_call_finish(pending);
}

/* The services act for nobody: polkit is never asked for the service user. */
static gboolean
may_ask_admin(PendingCall *pending)
{
  return pending->reg->exporter->admin_check != NULL
         && !ovpn3_uid_is_service_user(pending->caller->uid);
}

static void
ask_admin(PendingCall *pending)
{
  pending->reg->exporter->admin_check->check_async(pending->caller->sender, pending->caller->uid,
                                                   pending->invocation, on_authorized, pending);
}

/* The table's decision (before any handler runs). */
static void
pending_call_check(PendingCall *pending)
{
  Registration *reg = pending->reg;
  gboolean structural, get_all;

  if (!reg->alive)
    {
      pending_call_finish(pending);
      return;
    }
  pending->row = row_of(reg, pending->invocation, &structural, &get_all);
  if (structural)
    {
      pending_call_finish(pending); /* handle_properties answers the error */
      return;
    }
  if (get_all)
    {
      if (may_ask_admin(pending) && get_all_wants_admin(pending))
        ask_admin(pending);
      else
        pending_call_finish(pending);
      return;
    }
  if (pending->row == NULL)
    {
      pending_call_deny(pending); /* deny by default */
      return;
    }
  if (ovpn3_access_allows(pending->row->rule, pending->caller, reg->vtable->access_check,
                          reg->object, pending->row->name))
    pending_call_finish(pending);
  else if ((pending->row->rule & OVPN3_ACCESS_ADMIN) != 0 && may_ask_admin(pending))
    ask_admin(pending);
  else
    pending_call_deny(pending);
}

static void
on_role_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingCall *pending = user_data;

  pending->caller->role
      = ovpn3_peer_roles_lookup_finish(OVPN3_PEER_ROLES(source), result, &pending->caller->backend);
  pending_call_check(pending);
}

/* Whether the rule of this call (any property's, for GetAll) needs the
 * caller's peer role. */
static gboolean
needs_role(Registration *reg, GDBusMethodInvocation *invocation)
{
  const Ovpn3AccessTable *table = reg->vtable->access;
  gboolean structural, get_all;
  const Ovpn3AccessRow *row;

  row = row_of(reg, invocation, &structural, &get_all);
  if (row != NULL)
    return (row->rule & OVPN3_ACCESS_ROLE_BITS) != 0;
  if (get_all)
    for (gsize i = 0; i < table->n_rows; i++)
      if (table->rows[i].kind == OVPN3_ACCESS_READ
          && (table->rows[i].rule & OVPN3_ACCESS_ROLE_BITS) != 0)
        return TRUE;
  return FALSE;
}

static void
on_caller_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingCall *pending = user_data;
  GDBusMethodInvocation *invocation = pending->invocation;
  Registration *reg = pending->reg;
  g_autoptr(GError) error = NULL;

  pending->caller = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, &error);
  if (pending->caller == NULL)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                            "Could not authenticate the caller: %s",
                                            error->message);
      ovpn3_registration_unref(pending->reg);
      g_free(pending);
      return;
    }
  /* which process of the service user (docs/security.md §5), when the rule asks */
  if (reg->alive && ovpn3_uid_is_service_user(pending->caller->uid) && needs_role(reg, invocation))
    {
      ovpn3_peer_roles_lookup_async(ovpn3_exporter_get_peer_roles(reg->exporter),
                                    pending->caller->sender, NULL, on_role_known, pending);
      return;
    }
  pending_call_check(pending);
}

static void
dispatch(GDBusConnection *connection, const char *sender, const char *object_path,
         const char *interface_name, const char *method_name, GVariant *parameters,
         GDBusMethodInvocation *invocation, gpointer user_data)
{
  Registration *reg = user_data;
  PendingCall *pending = g_new0(PendingCall, 1);

  if (reg->exporter->idle != NULL)
    ovpn3_idle_touch(reg->exporter->idle);
  pending->reg = ovpn3_registration_ref(reg);
  pending->invocation = invocation; /* owned by us until returned */
  ovpn3_credentials_lookup_async(reg->exporter->credentials, sender, NULL, on_caller_known,
                                 pending);
}

static const GDBusInterfaceVTable dispatch_vtable = {
  .method_call = dispatch,
  /* NULL get/set: GDBus routes org.freedesktop.DBus.Properties to
   * method_call, so property access is authorised asynchronously too */
  .get_property = NULL,
  .set_property = NULL,
};

guint
ovpn3_exporter_register(Ovpn3Exporter *exporter, const char *path, const char *xml_name,
                        const Ovpn3ExportedVTable *vtable, gpointer object, GError **error)
{
  Registration *reg;
  guint id;

  g_return_val_if_fail(vtable->access != NULL, 0);
  reg = g_new0(Registration, 1);
  reg->ref_count = 1;
  reg->alive = TRUE;
  reg->exporter = exporter;
  reg->vtable = vtable;
  reg->object = object;
  reg->path = g_strdup(path);
  reg->info = g_dbus_interface_info_ref(ovpn3_introspection_get(xml_name));

  id = g_dbus_connection_register_object(exporter->connection, path, reg->info, &dispatch_vtable,
                                         reg, registration_gone, error);
  if (id == 0)
    registration_gone(reg);
  else
    g_hash_table_insert(exporter->registrations, GUINT_TO_POINTER(id), ovpn3_registration_ref(reg));
  return id;
}

gboolean
ovpn3_exporter_redispatch(Ovpn3Exporter *exporter, GDBusMethodInvocation *invocation)
{
  const char *path = g_dbus_method_invocation_get_object_path(invocation);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, exporter->registrations);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(((Registration *) value)->path, path))
      {
        dispatch(exporter->connection, g_dbus_method_invocation_get_sender(invocation), path,
                 g_dbus_method_invocation_get_interface_name(invocation),
                 g_dbus_method_invocation_get_method_name(invocation),
                 g_dbus_method_invocation_get_parameters(invocation), invocation, value);
        return TRUE;
      }
  return FALSE;
}

void
ovpn3_exporter_unregister(Ovpn3Exporter *exporter, guint registration_id)
{
  Registration *reg;

  if (registration_id == 0)
    return;
  /* dead now: a call whose caller lookup completes before GDBus's idle
   * frees the registration must not reach the object its owner is about
   * to free */
  reg = g_hash_table_lookup(exporter->registrations, GUINT_TO_POINTER(registration_id));
  if (reg != NULL)
    {
      reg->alive = FALSE;
      g_hash_table_remove(exporter->registrations, GUINT_TO_POINTER(registration_id));
    }
  g_dbus_connection_unregister_object(exporter->connection, registration_id);
}
