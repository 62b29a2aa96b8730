#define G_LOG_DOMAIN "test-exported-async"

#include "config.h"

#include "ovpn3-access.h"
#include "ovpn3-exported.h"
#include "ovpn3-names.h"
#include "unit-bus.h"

/* Asynchronous property getters (get_property_async), against a real
 * private dbus-daemon (GTestDBus): a GetAll starts every asynchronous read
 * before any of them completes and answers once, after the last; a read
 * that fails is left out of GetAll and is the error of a Get; a property
 * the getter does not take is read synchronously. The object is a log
 * proxy's interface: log_level and session_path asynchronous, target not. */

typedef struct
{
  GPtrArray *pending; /* Ovpn3PropertyReply, in the order asked */
  GPtrArray *names;   /* the property of each */
} TestObject;

static const Ovpn3AccessRow rows[] = {
  { OVPN3_ACCESS_METHOD, "Remove", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "log_level", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "session_path", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "target", OVPN3_ACCESS_ANYONE },
};

static const Ovpn3AccessTable table
    = OVPN3_ACCESS_TABLE(OVPN3_XML_LOG_PROXY, "Access denied (test table)", rows);

static GVariant *
get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  g_assert_cmpstr(name, ==, "target");
  return g_variant_new_string("t");
}

static gboolean
get_property_async(gpointer object, const Ovpn3Caller *caller, const char *name,
                   Ovpn3PropertyReply *reply)
{
  TestObject *self = object;

  if (g_str_equal(name, "target"))
    return FALSE;
  g_ptr_array_add(self->pending, reply);
  g_ptr_array_add(self->names, g_strdup(name));
  return TRUE;
}

static const Ovpn3ExportedVTable vtable = {
  .get_property = get_property,
  .get_property_async = get_property_async,
  .access = &table,
};

typedef struct
{
  guint answers;
  GVariant *reply;
  GError *error;
} Result;

static void
on_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &r->error);
  r->answers++;
}

static void
call_async(GDBusConnection *client, const char *service, const char *method, GVariant *parameters,
           Result *r)
{
  g_dbus_connection_call(client, service, "/test", DBUS_INTERFACE_PROPS, method, parameters, NULL,
                         G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_reply, r);
}

/* Iterates until the object holds n reads (the call is not answered meanwhile). */
static void
wait_pending(TestObject *object, guint n, Result *r)
{
  while (object->pending->len < n)
    g_main_context_iteration(NULL, TRUE);
  /* let anything else that might come arrive */
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_assert_cmpuint(object->pending->len, ==, n);
  g_assert_cmpuint(r->answers, ==, 0);
}

static void
wait_answer(Result *r)
{
  while (r->answers == 0)
    g_main_context_iteration(NULL, TRUE);
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_assert_cmpuint(r->answers, ==, 1);
}

static Ovpn3PropertyReply *
take(TestObject *object, const char *name)
{
  for (guint i = 0; i < object->names->len; i++)
    if (g_str_equal(object->names->pdata[i], name))
      {
        Ovpn3PropertyReply *reply = object->pending->pdata[i];

        g_ptr_array_remove_index(object->pending, i);
        g_ptr_array_remove_index(object->names, i);
        return reply;
      }
  g_assert_not_reached();
}

static void
test_async(void)
{
  UnitExporter f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failed = g_error_new_literal(G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "stopped");
  TestObject object = { g_ptr_array_new(), g_ptr_array_new_with_free_func(g_free) };
  Result all = { 0 }, one = { 0 };
  guint id;

  unit_exporter_up(&f);
  id = ovpn3_exporter_register(f.exporter, "/test", OVPN3_XML_LOG_PROXY, &vtable, &object, &error);
  g_assert_no_error(error);

  /* GetAll: both asynchronous reads start at once, nothing is answered
   * until the last is in; the failed one is left out */
  call_async(f.client, f.service_name, "GetAll", g_variant_new("(s)", OVPN3_LOG_INTERFACE), &all);
  wait_pending(&object, 2, &all);
  ovpn3_property_reply_return(take(&object, "session_path"), g_variant_new_object_path("/s"));
  while (g_main_context_iteration(NULL, FALSE))
    ;
  g_assert_cmpuint(all.answers, ==, 0);
  ovpn3_property_reply_error(take(&object, "log_level"), failed);
  wait_answer(&all);
  g_assert_no_error(all.error);
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value(all.reply, 0);
    const char *s;

    g_assert_cmpuint(g_variant_n_children(dict), ==, 2);
    g_assert_true(g_variant_lookup(dict, "session_path", "&o", &s));
    g_assert_cmpstr(s, ==, "/s");
    g_assert_true(g_variant_lookup(dict, "target", "&s", &s));
    g_assert_cmpstr(s, ==, "t");
  }
  g_clear_pointer(&all.reply, g_variant_unref);

  /* Get: the value, or the getter's error */
  call_async(f.client, f.service_name, "Get",
             g_variant_new("(ss)", OVPN3_LOG_INTERFACE, "log_level"), &one);
  wait_pending(&object, 1, &one);
  ovpn3_property_reply_return(take(&object, "log_level"), g_variant_new_uint32(4));
  wait_answer(&one);
  g_assert_no_error(one.error);
  {
    g_autoptr(GVariant) value = NULL;

    g_variant_get(one.reply, "(v)", &value);
    g_assert_cmpuint(g_variant_get_uint32(value), ==, 4);
  }
  g_clear_pointer(&one.reply, g_variant_unref);
  one.answers = 0;
  call_async(f.client, f.service_name, "Get",
             g_variant_new("(ss)", OVPN3_LOG_INTERFACE, "log_level"), &one);
  wait_pending(&object, 1, &one);
  ovpn3_property_reply_error(take(&object, "log_level"), failed);
  wait_answer(&one);
  g_assert_error(one.error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED);
  g_clear_error(&one.error);

  ovpn3_exporter_unregister(f.exporter, id);
  g_ptr_array_unref(object.pending);
  g_ptr_array_unref(object.names);
  unit_exporter_down(&f);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/common/exported/async-properties", test_async);
  return g_test_run();
}
