#define G_LOG_DOMAIN "ovpn3-test-gresource"
#include "config.h"

/* The compiled introspection GResource holds exactly the ten XML files,
 * each parses as a single net.openvpn.v3.* interface, and each says the same
 * as its source file in introspection/ (xml-stripblanks changed nothing that
 * matters). Needs OVPN3_SOURCEDIR (set by tests_env). */

#include <gio/gio.h>

#include "ovpn3-introspection-resources.h"

#define RESOURCE_DIR "/net/openvpn/v3/introspection/"

static const struct
{
  const char *file;
  const char *interface;
} expected[] = {
  { "net.openvpn.v3.backends.client.xml", "net.openvpn.v3.backends" },
  { "net.openvpn.v3.backends.manager.xml", "net.openvpn.v3.backends" },
  { "net.openvpn.v3.configuration.config.xml", "net.openvpn.v3.configuration" },
  { "net.openvpn.v3.configuration.manager.xml", "net.openvpn.v3.configuration" },
  { "net.openvpn.v3.log.manager.xml", "net.openvpn.v3.log" },
  { "net.openvpn.v3.log.proxy.xml", "net.openvpn.v3.log" },
  { "net.openvpn.v3.netcfg.device.xml", "net.openvpn.v3.netcfg" },
  { "net.openvpn.v3.netcfg.manager.xml", "net.openvpn.v3.netcfg" },
  { "net.openvpn.v3.sessions.manager.xml", "net.openvpn.v3.sessions" },
  { "net.openvpn.v3.sessions.session.xml", "net.openvpn.v3.sessions" },
};

static int
compare_strings(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

static void
test_lists_exactly_the_ten_files(void)
{
  GResource *res = ovpn3_introspection_get_resource();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) children = NULL;
  guint n;

  children = g_resource_enumerate_children(res, RESOURCE_DIR, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error(error);
  g_assert_nonnull(children);
  n = g_strv_length(children);
  g_assert_cmpuint(n, ==, G_N_ELEMENTS(expected));
  qsort(children, n, sizeof(char *), compare_strings);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr(children[i], ==, expected[i].file);
}

/* Canonical text of a node: what GDBus itself would send for Introspect. */
static char *
node_to_xml(GDBusNodeInfo *node)
{
  g_autoptr(GString) out = g_string_new(NULL);

  g_dbus_node_info_generate_xml(node, 0, out);
  return g_string_free(g_steal_pointer(&out), FALSE);
}

static void
test_each_file_parses_and_matches_source(void)
{
  GResource *res = ovpn3_introspection_get_resource();
  const char *srcdir = g_getenv("OVPN3_SOURCEDIR");

  g_assert_nonnull(srcdir);
  for (gsize i = 0; i < G_N_ELEMENTS(expected); i++)
    {
      g_autofree char *path = g_strconcat(RESOURCE_DIR, expected[i].file, NULL);
      g_autofree char *src_path = g_build_filename(srcdir, "introspection", expected[i].file, NULL);
      g_autofree char *src_text = NULL;
      g_autofree char *res_text = NULL;
      g_autofree char *res_xml = NULL;
      g_autofree char *src_xml = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GDBusNodeInfo) node = NULL;
      g_autoptr(GDBusNodeInfo) src_node = NULL;
      gsize size = 0;
      const char *data;

      g_test_message("checking %s", path);
      bytes = g_resource_lookup_data(res, path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error(error);
      data = g_bytes_get_data(bytes, &size);
      g_assert_cmpuint(size, >, 0);
      res_text = g_strndup(data, size);

      node = g_dbus_node_info_new_for_xml(res_text, &error);
      g_assert_no_error(error);
      g_assert_nonnull(node->interfaces);
      g_assert_nonnull(node->interfaces[0]);
      g_assert_null(node->interfaces[1]);
      g_assert_cmpstr(node->interfaces[0]->name, ==, expected[i].interface);
      g_assert_nonnull(node->interfaces[0]->properties);

      g_file_get_contents(src_path, &src_text, NULL, &error);
      g_assert_no_error(error);
      src_node = g_dbus_node_info_new_for_xml(src_text, &error);
      g_assert_no_error(error);

      res_xml = node_to_xml(node);
      src_xml = node_to_xml(src_node);
      g_assert_cmpstr(res_xml, ==, src_xml);
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/introspection/gresource/lists-exactly-the-ten-files",
                  test_lists_exactly_the_ten_files);
  g_test_add_func("/introspection/gresource/each-file-parses-and-matches-source",
                  test_each_file_parses_and_matches_source);
  return g_test_run();
}
