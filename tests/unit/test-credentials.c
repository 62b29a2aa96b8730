#define G_LOG_DOMAIN "test-credentials"

#include "config.h"

#include <unistd.h>

#include "ovpn3-credentials.h"
#include "unit-bus.h"

/* Ovpn3Credentials against a real private dbus-daemon (GTestDBus): the
 * caller's uid/pid come from the bus, are cached per unique name, and the
 * entry goes away when that name leaves the bus. */

static void
on_lookup(GObject *source, GAsyncResult *result, gpointer user_data)
{
  Ovpn3Caller **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, &error);
  g_assert_no_error(error);
}

static void
on_lookup_fails(GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *failed = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Caller) caller
      = ovpn3_credentials_lookup_finish(OVPN3_CREDENTIALS(source), result, &error);

  g_assert_null(caller);
  g_assert_nonnull(error);
  *failed = TRUE;
}

static void
test_cache_and_drop(void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new(G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) service = NULL;
  g_autoptr(GDBusConnection) client = NULL;
  g_autoptr(Ovpn3Credentials) creds = NULL;
  g_autoptr(Ovpn3Caller) first = NULL;
  g_autoptr(Ovpn3Caller) second = NULL;
  g_autofree char *client_name = NULL;
  gboolean failed = FALSE;

  g_test_dbus_up(bus);
  service = unit_bus_connect(bus);
  client = unit_bus_connect(bus);
  client_name = g_strdup(g_dbus_connection_get_unique_name(client));
  creds = ovpn3_credentials_new(service);

  ovpn3_credentials_lookup_async(creds, client_name, NULL, on_lookup, &first);
  while (first == NULL)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpuint(first->uid, ==, getuid());
  g_assert_cmpuint(first->pid, ==, getpid());
  g_assert_cmpstr(first->sender, ==, client_name);
  g_assert_false(first->admin);
  g_assert_cmpuint(ovpn3_credentials_cache_size(creds), ==, 1);
  g_assert_nonnull(ovpn3_credentials_peek(creds, client_name));

  /* second lookup: served from the cache, same answer */
  ovpn3_credentials_lookup_async(creds, client_name, NULL, on_lookup, &second);
  while (second == NULL)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpuint(second->uid, ==, first->uid);
  g_assert_cmpuint(ovpn3_credentials_cache_size(creds), ==, 1);

  /* the name leaves the bus: the entry is dropped */
  g_dbus_connection_close_sync(client, NULL, NULL);
  while (ovpn3_credentials_cache_size(creds) != 0)
    g_main_context_iteration(NULL, TRUE);
  g_assert_null(ovpn3_credentials_peek(creds, client_name));

  /* and a name that is not on the bus is an error, not a guess */
  ovpn3_credentials_lookup_async(creds, client_name, NULL, on_lookup_fails, &failed);
  while (!failed)
    g_main_context_iteration(NULL, TRUE);
  g_assert_cmpuint(ovpn3_credentials_cache_size(creds), ==, 0);

  g_clear_object(&creds);
  g_dbus_connection_close_sync(service, NULL, NULL);
  g_test_dbus_down(bus);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/common/credentials/cache-and-drop", test_cache_and_drop);
  return g_test_run();
}
