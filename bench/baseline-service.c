/* The minimal GDBus service of bench/cold_start: the floor of "activation →
 * first reply". It exports one object, then owns the bus name given as its
 * only argument, and answers the method Ping with a version string — the
 * same order (objects first, then the name) and the same kind of reply as
 * Properties.Get(version) on an ovpn3 service. It exits on SIGTERM. It owns
 * a name under net.openvpn.v3.backends and serves the backend client's path
 * and interface only because the bus policy lets the service user own such
 * a name and call Ping there (dbus-policy/client.conf.in). Not installed. */
#define G_LOG_DOMAIN "ovpn3-bench-baseline"

#include <glib-unix.h>
#include <gio/gio.h>

#define BASELINE_PATH "/net/openvpn/v3/backends/session"
#define BASELINE_XML                                                     \
  "<node><interface name='net.openvpn.v3.backends'><method name='Ping'>" \
  "<arg type='s' direction='out'/></method></interface></node>"

static void
on_call(GDBusConnection *connection, const char *sender, const char *path, const char *iface,
        const char *method, GVariant *parameters, GDBusMethodInvocation *invocation,
        gpointer user_data)
{
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(s)", "baseline"));
}

static const GDBusInterfaceVTable vtable = { .method_call = on_call };

static gboolean
on_signal(gpointer loop)
{
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);

  if (argc != 2)
    return 2;
  connection = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
  info = g_dbus_node_info_new_for_xml(BASELINE_XML, &error);
  if (connection == NULL || info == NULL
      || g_dbus_connection_register_object(connection, BASELINE_PATH, info->interfaces[0], &vtable,
                                           NULL, NULL, &error)
             == 0)
    {
      g_printerr("%s: %s\n", argv[0], error->message);
      return 1;
    }
  g_bus_own_name_on_connection(connection, argv[1], G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, NULL, NULL,
                               NULL, NULL);
  g_unix_signal_add(SIGTERM, on_signal, loop);
  g_main_loop_run(loop);
  return 0;
}
