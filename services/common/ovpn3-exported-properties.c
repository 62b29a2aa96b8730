#define G_LOG_DOMAIN "ovpn3-exported"

/* ovpn3-exported-properties.c — org.freedesktop.DBus.Properties on every
 * exported object: Get, GetAll (the asynchronous reads of a GetAll run at the
 * same time and it answers once) and Set, checked against the introspection.
 */

#include "config.h"

#include "ovpn3-exported-private.h"
#include "ovpn3-names.h"

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

/* One Get or GetAll in progress: answered once its last property is in
 * (the asynchronous reads of a GetAll run at the same time). */
typedef struct
{
  Registration *reg;
  GDBusMethodInvocation *invocation;
  gboolean get_all;
  guint n;
  GDBusPropertyInfo **props; /* [n], of reg->info */
  GVariant **values;         /* [n]; NULL: left out */
  GError *error;             /* Get: why it failed */
  guint outstanding;         /* reads not in yet, plus one while starting them */
} PropertyRead;

struct _Ovpn3PropertyReply
{
  PropertyRead *read;
  guint index;
};

static void
property_read_answer(PropertyRead *read)
{
  Registration *reg = read->reg;

  if (!read->get_all)
    {
      if (read->values[0] != NULL)
        g_dbus_method_invocation_return_value(read->invocation,
                                              g_variant_new("(v)", read->values[0]));
      else
        g_dbus_method_invocation_return_gerror(read->invocation, read->error);
    }
  else
    {
      GVariantBuilder builder;

      g_variant_builder_init(&builder, G_VARIANT_TYPE_VARDICT);
      for (guint i = 0; i < read->n; i++)
        if (read->values[i] != NULL)
          g_variant_builder_add(&builder, "{sv}", read->props[i]->name, read->values[i]);
      g_dbus_method_invocation_return_value(read->invocation, g_variant_new("(a{sv})", &builder));
    }
  for (guint i = 0; i < read->n; i++)
    g_clear_pointer(&read->values[i], g_variant_unref);
  g_free(read->values);
  g_free(read->props);
  g_clear_error(&read->error);
  ovpn3_registration_unref(reg);
  g_free(read);
}

static void
property_read_release(PropertyRead *read)
{
  if (--read->outstanding == 0)
    property_read_answer(read);
}

/* value: floating or full (taken), or NULL with error. */
static void
property_read_complete(PropertyRead *read, guint index, GVariant *value, const GError *error)
{
  Registration *reg = read->reg;
  GDBusPropertyInfo *prop = read->props[index];
  g_autoptr(GError) local = NULL;

  if (value != NULL)
    {
      /* floating or full reference: either way we own one now */
      g_variant_take_ref(value);
      if (g_variant_is_of_type(value, G_VARIANT_TYPE(prop->signature)))
        read->values[index] = value;
      else
        {
          /* a bug in the handler, not input: report it and refuse */
          g_critical("property %s.%s: handler returned '%s', declared '%s'", reg->info->name,
                     prop->name, g_variant_get_type_string(value), prop->signature);
          g_variant_unref(value);
          local = g_error_new(G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Internal error reading “%s”",
                              prop->name);
          error = local;
        }
    }
  if (read->values[index] == NULL)
    {
      if (!read->get_all)
        read->error = g_error_copy(error);
      else if (!g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
        g_debug("GetAll %s: %s: %s", reg->path, prop->name, error->message);
      /* GetAll leaves out the properties this caller may not read */
    }
  property_read_release(read);
}

void
ovpn3_property_reply_return(Ovpn3PropertyReply *reply, GVariant *value)
{
  g_return_if_fail(value != NULL);
  property_read_complete(reply->read, reply->index, value, NULL);
  g_free(reply);
}

void
ovpn3_property_reply_error(Ovpn3PropertyReply *reply, const GError *error)
{
  property_read_complete(reply->read, reply->index, NULL, error);
  g_free(reply);
}

static void
property_read_start(PropertyRead *read, guint index, const Ovpn3Caller *caller)
{
  Registration *reg = read->reg;
  const char *name = read->props[index]->name;
  g_autoptr(GError) error = NULL;
  Ovpn3PropertyReply *reply;
  GVariant *value = NULL;

  read->outstanding++;
  if (reg->vtable->get_property_async != NULL)
    {
      reply = g_new0(Ovpn3PropertyReply, 1);
      reply->read = read;
      reply->index = index;
      if (reg->vtable->get_property_async(reg->object, caller, name, reply))
        return;
      g_free(reply);
    }
  if (reg->vtable->get_property == NULL)
    g_set_error(&error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Property “%s” is not readable", name);
  else
    value = reg->vtable->get_property(reg->object, caller, name, &error);
  property_read_complete(read, index, value, error);
}

/* Reads props[0..n) (taken) and answers invocation, now or later. */
static void
property_read_run(Registration *reg, const Ovpn3Caller *caller, GDBusMethodInvocation *invocation,
                  gboolean get_all, GDBusPropertyInfo **props, guint n)
{
  PropertyRead *read = g_new0(PropertyRead, 1);

  read->reg = ovpn3_registration_ref(reg);
  read->invocation = invocation;
  read->get_all = get_all;
  read->n = n;
  read->props = props;
  read->values = g_new0(GVariant *, MAX(n, 1));
  read->outstanding = 1;
  for (guint i = 0; i < n; i++)
    property_read_start(read, i, caller);
  property_read_release(read);
}

/* For GetAll: whether the access table lets caller read the property. */
static gboolean
may_read(Registration *reg, const Ovpn3Caller *caller, const char *name)
{
  const Ovpn3AccessRow *row;

  row = ovpn3_access_lookup(reg->vtable->access, OVPN3_ACCESS_READ, name);
  return row != NULL
         && ovpn3_access_allows(row->rule, caller, reg->vtable->access_check, reg->object, name);
}

static void
handle_get(Registration *reg, const Ovpn3Caller *caller, GVariant *parameters,
           GDBusMethodInvocation *invocation)
{
  const char *iface, *name;
  GDBusPropertyInfo *prop;

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
  property_read_run(reg, caller, invocation, FALSE, g_memdup2(&prop, sizeof prop), 1);
}

static void
handle_get_all(Registration *reg, const Ovpn3Caller *caller, GVariant *parameters,
               GDBusMethodInvocation *invocation)
{
  const char *iface;
  g_autoptr(GPtrArray) props = g_ptr_array_new();
  guint n;

  g_variant_get(parameters, "(&s)", &iface);
  if (!check_interface(reg, iface, invocation))
    return;
  for (GDBusPropertyInfo **p = reg->info->properties; p != NULL && *p != NULL; p++)
    /* properties this caller may not read are left out */
    if (((*p)->flags & G_DBUS_PROPERTY_INFO_FLAGS_READABLE) != 0
        && may_read(reg, caller, (*p)->name))
      g_ptr_array_add(props, *p);
  n = props->len;
  property_read_run(reg, caller, invocation, TRUE,
                    (GDBusPropertyInfo **) g_ptr_array_free(g_steal_pointer(&props), FALSE), n);
}

static void
handle_set(Registration *reg, const Ovpn3Caller *caller, GVariant *parameters,
           GDBusMethodInvocation *invocation)
{
  g_autoptr(GError) error = NULL;
  const char *iface, *name;
  g_autoptr(GVariant) value = NULL;
  GDBusPropertyInfo *prop;

  g_variant_get(parameters, "(&s&sv)", &iface, &name, &value);
  if (!check_interface(reg, iface, invocation)
      || (prop = lookup_property(reg, name, invocation)) == NULL)
    return;
  if ((prop->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE) == 0 || reg->vtable->set_property == NULL)
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
    ovpn3_exporter_emit_property_changed(reg->exporter, reg->path, reg->info->name, name, value);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

void
ovpn3_exported_handle_properties(Registration *reg, const Ovpn3Caller *caller, const char *method,
                                 GVariant *parameters, GDBusMethodInvocation *invocation)
{
  if (g_str_equal(method, "Get") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ss)")))
    handle_get(reg, caller, parameters, invocation);
  else if (g_str_equal(method, "GetAll") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(s)")))
    handle_get_all(reg, caller, parameters, invocation);
  else if (g_str_equal(method, "Set") && g_variant_is_of_type(parameters, G_VARIANT_TYPE("(ssv)")))
    handle_set(reg, caller, parameters, invocation);
  else
    g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                          "Unknown method “%s” or wrong arguments", method);
}
