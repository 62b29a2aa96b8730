#define G_LOG_DOMAIN "ovpn3-exported"

#include "config.h"

#include "ovpn3-acl.h"
#include "ovpn3-exported.h"
#include "ovpn3-introspection.h"
#include "ovpn3-names.h"
#include "ovpn3-polkit.h"

struct _Ovpn3Exporter
{
  GDBusConnection *connection;
  Ovpn3Credentials *credentials;
  Ovpn3Idle *idle;
  Ovpn3PeerRoles *roles; /* made on first use */
};

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

typedef struct
{
  Registration *reg;
  GDBusMethodInvocation *invocation;
  Ovpn3Caller *caller;
} PendingCall;

static Registration *
registration_ref(Registration *reg)
{
  g_atomic_int_inc(&reg->ref_count);
  return reg;
}

static void
registration_unref(Registration *reg)
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
  registration_unref(reg);
}

Ovpn3Exporter *
ovpn3_exporter_new(GDBusConnection *connection, Ovpn3Credentials *credentials, Ovpn3Idle *idle)
{
  Ovpn3Exporter *exporter = g_new0(Ovpn3Exporter, 1);

  exporter->connection = g_object_ref(connection);
  exporter->credentials = g_object_ref(credentials);
  exporter->idle = idle != NULL ? g_object_ref(idle) : NULL;
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
  g_free(exporter);
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

static gboolean
check_interface(Registration *reg, const char *interface, GDBusMethodInvocation *invocation)
{
  if (g_strcmp0(interface, reg->info->name) == 0)
    return TRUE;
  g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                        "No such interface “%s”", interface);
  return FALSE;
}

static GDBusPropertyInfo *
lookup_property(Registration *reg, const char *name, GDBusMethodInvocation *invocation)
{
  GDBusPropertyInfo *prop = g_dbus_interface_info_lookup_property(reg->info, name);

  if (prop == NULL)
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                          "No such property “%s”", name);
  return prop;
}

static GVariant *
get_one(Registration *reg, const Ovpn3Caller *caller, GDBusPropertyInfo *prop, GError **error)
{
  GVariant *value;

  if (reg->vtable->get_property == NULL)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Property “%s” is not readable",
                  prop->name);
      return NULL;
    }
  value = reg->vtable->get_property(reg->object, caller, prop->name, error);
  if (value == NULL)
    return NULL;
  /* floating or full reference: either way we own one now */
  g_variant_take_ref(value);
  if (!g_variant_is_of_type(value, G_VARIANT_TYPE(prop->signature)))
    {
      /* a bug in the handler, not input: report it and refuse */
      g_critical("property %s.%s: handler returned '%s', declared '%s'", reg->info->name,
                 prop->name, g_variant_get_type_string(value), prop->signature);
      g_variant_unref(value);
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Internal error reading “%s”",
                  prop->name);
      return NULL;
    }
  return value;
}

static void
handle_properties(Registration *reg, const Ovpn3Caller *caller, const char *method,
                  GVariant *parameters, GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal(method, "Get") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)")))
    {
      const char *iface, *name;
      GDBusPropertyInfo *prop;
      g_autoptr(GVariant) value = NULL;

      g_variant_get(parameters, "(&s&s)", &iface, &name);
      if (!check_interface(reg, iface, invocation)
          || (prop = lookup_property(reg, name, invocation)) == NULL)
        return;
      if ((prop->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE) == 0)
        {
          g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                                "Property “%s” is not readable", name);
          return;
        }
      value = get_one(reg, caller, prop, &error);
      if (value == NULL)
        g_dbus_method_invocation_return_gerror(invocation, error);
      else
        g_dbus_method_invocation_return_value(invocation, g_variant_new("(v)", value));
    }
  else if (g_str_equal(method, "GetAll") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(s)")))
    {
      const char *iface;
      GVariantBuilder builder;

      g_variant_get(parameters, "(&s)", &iface);
      if (!check_interface(reg, iface, invocation))
        return;
      g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
      for (GDBusPropertyInfo **p = reg->info->properties; p != NULL && *p != NULL; p++)
        {
          g_autoptr(GVariant) value = NULL;
          g_autoptr(GError) local = NULL;

          if (((*p)->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE) == 0)
            continue;
          value = get_one(reg, caller, *p, &local);
          if (value != NULL)
            g_variant_builder_add(&builder, "{sv}", (*p)->name, value);
          else if (!g_error_matches(local, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
            g_debug("GetAll %s: %s: %s", reg->path, (*p)->name, local->message);
          /* properties this caller may not read are left out */
        }
      g_dbus_method_invocation_return_value(invocation, g_variant_new("(a{sv})", &builder));
    }
  else if (g_str_equal(method, "Set") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssv)")))
    {
      const char *iface, *name;
      g_autoptr(GVariant) value = NULL;
      GDBusPropertyInfo *prop;

      g_variant_get(parameters, "(&s&sv)", &iface, &name, &value);
      if (!check_interface(reg, iface, invocation)
          || (prop = lookup_property(reg, name, invocation)) == NULL)
        return;
      if ((prop->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE) == 0
          || reg->vtable->set_property == NULL)
        {
          g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR,
                                                G_DBUS_ERROR_PROPERTY_READ_ONLY,
                                                "Property “%s” is read-only", name);
          return;
        }
      if (!g_variant_is_of_type(value, G_VARIANT_TYPE(prop->signature)))
        {
          g_dbus_method_invocation_return_error(
              invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
              "Property “%s” has type '%s'; a value of type '%s' was given", name, prop->signature,
              g_variant_get_type_string(value));
          return;
        }
      if (!reg->vtable->set_property(reg->object, caller, name, value, &error))
        {
          g_dbus_method_invocation_return_gerror(invocation, error);
          return;
        }
      if (reg->alive)
        ovpn3_exporter_emit_property_changed(reg->exporter, reg->path, reg->info->name, name,
                                             value);
      g_dbus_method_invocation_return_value(invocation, NULL);
    }
  else
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                            "Unknown method “%s” or wrong arguments", method);
    }
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
    handle_properties(reg, pending->caller, method, parameters, invocation);
  else
    reg->vtable->method_call(reg->object, pending->caller, method, parameters, invocation);

  registration_unref(reg);
  ovpn3_caller_free(pending->caller);
  g_free(pending);
}

static void
on_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingCall *pending = user_data;
  g_autoptr(GError) error = NULL;

  pending->caller->admin = ovpn3_polkit_check_finish(result, &error);
  pending_call_finish(pending);
}

/* The member a Properties call is about, for authorize(). */
static const char *
member_of(GDBusMethodInvocation *invocation)
{
  const char *interface = g_dbus_method_invocation_get_interface_name(invocation);
  GVariant *parameters = g_dbus_method_invocation_get_parameters(invocation);
  const char *member = NULL;

  if (g_strcmp0(interface, DBUS_INTERFACE_PROPS) != 0)
    return g_dbus_method_invocation_get_method_name(invocation);
  if (g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)"))
      || g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssv)")))
    g_variant_get_child(parameters, 1, "&s", &member);
  return member; /* NULL for GetAll */
}

static void
pending_call_authorize(PendingCall *pending)
{
  GDBusMethodInvocation *invocation = pending->invocation;
  const char *action = NULL;

  if (pending->reg->alive && pending->reg->vtable->authorize != NULL)
    action = pending->reg->vtable->authorize(
        pending->reg->object, pending->caller,
        g_dbus_method_invocation_get_interface_name(invocation), member_of(invocation));
  if (action != NULL)
    {
      ovpn3_polkit_check_async(pending->caller->sender, pending->caller->uid, action,
                               ovpn3_polkit_invocation_is_interactive(invocation), NULL,
                               on_authorized, pending);
      return;
    }
  pending_call_finish(pending);
}

static void
on_role_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  PendingCall *pending = user_data;

  pending->caller->role
      = ovpn3_peer_roles_lookup_finish(OVPN3_PEER_ROLES(source), result, &pending->caller->backend);
  pending_call_authorize(pending);
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
      registration_unref(pending->reg);
      g_free(pending);
      return;
    }
  /* which process of the service user (design §8), when the object asks */
  if (reg->alive && reg->vtable->wants_role != NULL
      && ovpn3_uid_is_service_user(pending->caller->uid)
      && reg->vtable->wants_role(reg->object, invocation))
    {
      ovpn3_peer_roles_lookup_async(ovpn3_exporter_get_peer_roles(reg->exporter),
                                    pending->caller->sender, NULL, on_role_known, pending);
      return;
    }
  pending_call_authorize(pending);
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
  pending->reg = registration_ref(reg);
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
  Registration *reg = g_new0(Registration, 1);
  guint id;

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
  return id;
}

void
ovpn3_exporter_unregister(Ovpn3Exporter *exporter, guint registration_id)
{
  if (registration_id != 0)
    g_dbus_connection_unregister_object(exporter->connection, registration_id);
}
