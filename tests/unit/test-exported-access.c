#define G_LOG_DOMAIN "test-exported-access"

#include "config.h"

#include "ovpn3-access.h"
#include "ovpn3-exported.h"
#include "ovpn3-names.h"
#include "unit-bus.h"

/* The exporter decides from the object's access table before any handler
 * runs (docs/security.md §4), against a real private dbus-daemon (GTestDBus): a
 * member without a row is refused (deny by default), a caller the rule
 * refuses gets AccessDenied with the row's or the table's text and the
 * handler never runs, GetAll leaves out what the caller may not read, and
 * structural errors (no such property, read-only) stay what they were; a call
 * still being authorised when its object is unregistered never reaches it. The
 * object is a log proxy's interface: Remove; log_level (readwrite),
 * session_path, target. */

#define DENIED     "Access denied (test table)"
#define ROW_DENIED "Remove refused (test row)"

typedef struct
{
  gboolean admit; /* what the predicate answers for OWNER */
  guint methods, reads, writes;
} TestObject;

/* no row for reading `target` nor for writing `log_level` */
static const Ovpn3AccessRow rows[] = {
  { OVPN3_ACCESS_METHOD, "Remove", OVPN3_ACCESS_OWNER | OVPN3_ACCESS_ADMIN, ROW_DENIED },
  { OVPN3_ACCESS_READ, "log_level", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "session_path", OVPN3_ACCESS_OWNER },
};

static const Ovpn3AccessTable table = OVPN3_ACCESS_TABLE(OVPN3_XML_LOG_PROXY, DENIED, rows);

static gboolean
predicate(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit, const char *member)
{
  return bit == OVPN3_ACCESS_OWNER && ((TestObject *) object)->admit;
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  ((TestObject *) object)->methods++;
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static GVariant *
get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  ((TestObject *) object)->reads++;
  if (g_str_equal(name, "log_level"))
    return g_variant_new_uint32(3);
  if (g_str_equal(name, "session_path"))
    return g_variant_new_object_path("/s");
  return g_variant_new_string("t");
}

static gboolean
set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
             GError **error)
{
  ((TestObject *) object)->writes++;
  return TRUE;
}

static const Ovpn3ExportedVTable vtable = {
  .method_call = method_call,
  .get_property = get_property,
  .set_property = set_property,
  .access = &table,
  .access_check = predicate,
};

typedef struct
{
  gboolean done;
  GVariant *reply;
  GError *error;
} Result;

static void
on_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &r->error);
  r->done = TRUE;
}

/* A call from client to the service's object; returns the reply or NULL
 * with *error. */
static GVariant *
call(GDBusConnection *client, const char *service, const char *interface, const char *method,
     GVariant *parameters, GError **error)
{
  Result r = { 0 };

  g_dbus_connection_call(client, service, "/test", interface, method, parameters, NULL,
                         G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_reply, &r);
  while (!r.done)
    g_main_context_iteration(NULL, TRUE);
  if (r.error != NULL)
    g_propagate_error(error, r.error);
  return r.reply;
}

static void
assert_denied(GError *error, const char *text)
{
  g_autofree char *remote = NULL;

  g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  remote = g_dbus_error_get_remote_error(error);
  g_assert_cmpstr(remote, ==, "org.freedesktop.DBus.Error.AccessDenied");
  g_dbus_error_strip_remote_error(error);
  g_assert_cmpstr(error->message, ==, text);
}

static void
test_table(void)
{
  UnitExporter f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) all = NULL;
  TestObject object = { 0 };
  guint id;

  unit_exporter_up(&f);
  id = ovpn3_exporter_register(f.exporter, "/test", OVPN3_XML_LOG_PROXY, &vtable, &object, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(id, !=, 0);

  /* the rule refuses: the row's text, the handler never runs */
  g_assert_null(call(f.client, f.service_name, OVPN3_LOG_INTERFACE, "Remove", NULL, &error));
  assert_denied(error, ROW_DENIED);
  g_clear_error(&error);
  g_assert_cmpuint(object.methods, ==, 0);
  /* and admits */
  object.admit = TRUE;
  reply = call(f.client, f.service_name, OVPN3_LOG_INTERFACE, "Remove", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(object.methods, ==, 1);
  g_clear_pointer(&reply, g_variant_unref);

  /* no row: refused with the table's text, whoever asks */
  g_assert_null(call(f.client, f.service_name, DBUS_INTERFACE_PROPS, "Get",
                     g_variant_new("(ss)", OVPN3_LOG_INTERFACE, "target"), &error));
  assert_denied(error, DENIED);
  g_clear_error(&error);
  g_assert_null(call(
      f.client, f.service_name, DBUS_INTERFACE_PROPS, "Set",
      g_variant_new("(ssv)", OVPN3_LOG_INTERFACE, "log_level", g_variant_new_uint32(1)), &error));
  assert_denied(error, DENIED);
  g_clear_error(&error);
  g_assert_cmpuint(object.reads, ==, 0);
  g_assert_cmpuint(object.writes, ==, 0);

  /* GetAll: what the rows let this caller read */
  all = call(f.client, f.service_name, DBUS_INTERFACE_PROPS, "GetAll",
             g_variant_new("(s)", OVPN3_LOG_INTERFACE), &error);
  g_assert_no_error(error);
  g_assert_true(g_variant_is_of_type(all, G_VARIANT_TYPE("(a{sv})")));
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value(all, 0);

    g_assert_cmpuint(g_variant_n_children(dict), ==, 2);
    g_assert_true(g_variant_lookup(dict, "log_level", "u", NULL));
    g_assert_true(g_variant_lookup(dict, "session_path", "o", NULL));
  }
  g_clear_pointer(&all, g_variant_unref);
  object.admit = FALSE;
  all = call(f.client, f.service_name, DBUS_INTERFACE_PROPS, "GetAll",
             g_variant_new("(s)", OVPN3_LOG_INTERFACE), &error);
  g_assert_no_error(error);
  {
    g_autoptr(GVariant) dict = g_variant_get_child_value(all, 0);

    g_assert_cmpuint(g_variant_n_children(dict), ==, 1);
    g_assert_true(g_variant_lookup(dict, "log_level", "u", NULL));
  }

  /* structural errors are what they were */
  g_assert_null(call(f.client, f.service_name, DBUS_INTERFACE_PROPS, "Get",
                     g_variant_new("(ss)", OVPN3_LOG_INTERFACE, "nonexistent"), &error));
  g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error(&error);
  g_assert_null(call(
      f.client, f.service_name, DBUS_INTERFACE_PROPS, "Set",
      g_variant_new("(ssv)", OVPN3_LOG_INTERFACE, "target", g_variant_new_string("x")), &error));
  /* (GDBus itself answers a Set of a read-only property) */
  g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error(&error);

  ovpn3_exporter_unregister(f.exporter, id);
  unit_exporter_down(&f);
}

/* An admin check that answers when the test says so (the exporter without
 * one, as in test_table, lets ADMIN admit nobody). */
static struct
{
  GAsyncReadyCallback callback;
  gpointer user_data;
} held;

static void
held_check_async(const char *sender, guint32 uid, GDBusMethodInvocation *invocation,
                 GAsyncReadyCallback callback, gpointer user_data)
{
  held.callback = callback;
  held.user_data = user_data;
}

static gboolean
held_check_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

static const Ovpn3AdminCheck held_check = { held_check_async, held_check_finish };

/* Unregistered while its caller is being authorised: GDBus frees the
 * registration only from a later idle, but the call must already find the
 * object gone and be answered so, without its handler running. */
static void
test_unregister_in_flight(void)
{
  UnitExporter f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) answer = NULL;
  TestObject object = { 0 };
  Result r = { 0 };
  guint id;

  unit_exporter_up(&f);
  ovpn3_exporter_set_admin_check(f.exporter, &held_check);
  id = ovpn3_exporter_register(f.exporter, "/test", OVPN3_XML_LOG_PROXY, &vtable, &object, &error);
  g_assert_no_error(error);

  g_dbus_connection_call(f.client, f.service_name, "/test", OVPN3_LOG_INTERFACE, "Remove", NULL,
                         NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_reply, &r);
  while (held.callback == NULL)
    g_main_context_iteration(NULL, TRUE);
  ovpn3_exporter_unregister(f.exporter, id);
  /* the admin answer comes before the main loop runs GDBus's idle */
  answer = g_task_new(NULL, NULL, NULL, NULL);
  g_task_return_boolean(answer, TRUE);
  held.callback(NULL, G_ASYNC_RESULT(answer), held.user_data);
  while (!r.done)
    g_main_context_iteration(NULL, TRUE);
  g_assert_error(r.error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD);
  g_assert_cmpuint(object.methods, ==, 0);
  g_clear_error(&r.error);

  unit_exporter_down(&f);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/common/exported/access-table", test_table);
  g_test_add_func("/common/exported/unregister-in-flight", test_unregister_in_flight);
  return g_test_run();
}
