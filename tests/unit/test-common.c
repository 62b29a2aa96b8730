#define G_LOG_DOMAIN "test-common"

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "config-overrides.h"
#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-idle.h"
#include "ovpn3-introspection.h"
#include "ovpn3-log-client.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-state-file.h"
#include "ovpn3-web-url.h"

static void
test_object_id(void)
{
  g_autofree char *id = ovpn3_object_id_new(OVPN3_ID_SEP_CONFIG);
  g_autofree char *other = ovpn3_object_id_new(OVPN3_ID_SEP_CONFIG);
  g_autofree char *path = ovpn3_object_path_new(OVPN3_SESSIONS_PATH_PREFIX, OVPN3_ID_SEP_SESSION);

  g_assert_cmpuint(strlen(id), ==, OVPN3_OBJECT_ID_LEN);
  g_assert_null(strchr(id, '-'));
  g_assert_cmpint(id[8], ==, 'x');
  g_assert_true(ovpn3_object_id_is_valid(id, 'x'));
  g_assert_false(ovpn3_object_id_is_valid(id, 's'));
  g_assert_cmpstr(id, !=, other);
  g_assert_true(g_str_has_prefix(path, "/net/openvpn/v3/sessions/"));
  g_assert_true(g_variant_is_object_path(path));
  g_assert_false(ovpn3_object_id_is_valid("../../etc/passwd", 'x'));
  g_assert_false(ovpn3_object_id_is_valid(NULL, 'x'));
  g_assert_false(ovpn3_object_id_is_valid("34eea818xe578x4356x924bx9fccbbeb92eB", 'x'));
  g_assert_true(ovpn3_object_id_is_valid("34eea818xe578x4356x924bx9fccbbeb92eb", 'x'));
}

static void
test_acl(void)
{
  Ovpn3Acl acl;
  g_autoptr(GVariant) v = NULL;

  ovpn3_acl_init(&acl, 1000);
  g_assert_true(ovpn3_acl_check(&acl, 1000, OVPN3_ACL_OWNER));
  g_assert_false(ovpn3_acl_check(&acl, 1001, OVPN3_ACL_READ));
  g_assert_false(ovpn3_acl_check(&acl, 0, OVPN3_ACL_READ));
  g_assert_true(ovpn3_acl_check(&acl, 0, OVPN3_ACL_ALLOW_ROOT));
  g_assert_true(ovpn3_acl_grant(&acl, 1001));
  g_assert_false(ovpn3_acl_grant(&acl, 1001));
  g_assert_true(ovpn3_acl_check(&acl, 1001, OVPN3_ACL_ALLOW_LIST));
  g_assert_false(ovpn3_acl_check(&acl, 1001, OVPN3_ACL_ALLOW_PUBLIC));
  acl.public_access = TRUE;
  g_assert_true(ovpn3_acl_check(&acl, 4242, OVPN3_ACL_ALLOW_PUBLIC));
  g_assert_false(ovpn3_acl_check(&acl, 4242, OVPN3_ACL_ALLOW_LIST));
  v = g_variant_ref_sink(ovpn3_acl_to_variant(&acl));
  g_assert_cmpstr(g_variant_get_type_string(v), ==, "au");
  g_assert_cmpuint(g_variant_n_children(v), ==, 1);
  g_assert_true(ovpn3_acl_revoke(&acl, 1001));
  g_assert_false(ovpn3_acl_revoke(&acl, 1001));
  ovpn3_acl_clear(&acl);
}

static void
test_error_names(void)
{
  struct
  {
    GQuark domain;
    const char *name;
  } cases[] = {
    { OVPN3_ERROR_READY, "net.openvpn.v3.error.ready" },
    { OVPN3_ERROR_CLIENT, "net.openvpn.v3.error.client" },
    { OVPN3_ERROR_BE_REGISTRATION, "net.openvpn.v3.error.be_registration" },
    { OVPN3_ERROR_LOG, "net.openvpn.v3.log.error" },
    { OVPN3_ERROR_NETCFG, "net.openvpn.v3.netcfg.error" },
    { OVPN3_ERROR_NETCFG_DEVICE, "net.openvpn.v3.netcfg.device.error" },
    { OVPN3_ERROR_GDBUSPP, "net.openvpn.gdbuspp" },
    { OVPN3_ERROR_REQUEST, "net.openvpn.gdbuspp.request" },
    { OVPN3_ERROR_OVERRIDE_NOT_SET, "net.openvpn.v3.error.OverrideNotSet" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autoptr(GError) error
          = g_error_new_literal(cases[i].domain, OVPN3_ERROR_FAILED, "Missing user credentials");
      g_autofree char *name = g_dbus_error_encode_gerror(error);
      g_autoptr(GError) back = NULL;

      g_assert_cmpstr(name, ==, cases[i].name);
      g_assert_true(g_dbus_is_error_name(name));
      back = g_dbus_error_new_for_dbus_error(name, "Missing user credentials");
      g_assert_true(g_error_matches(back, cases[i].domain, OVPN3_ERROR_FAILED));
    }
}

/* upstream's form only where its clients look for the name (tests/compat) */
static void
test_error_wire_message(void)
{
  g_autofree char *ready = ovpn3_error_wire_message(OVPN3_ERROR_READY, "Missing user credentials");
  g_autofree char *unset
      = ovpn3_error_wire_message(OVPN3_ERROR_OVERRIDE_NOT_SET, "Override 'x' has not been set");
  g_autofree char *plain = ovpn3_error_wire_message(OVPN3_ERROR_GDBUSPP, "Tag already exists");

  g_assert_cmpstr(ready, ==, "GDBus.Error:net.openvpn.v3.error.ready: Missing user credentials");
  g_assert_cmpstr(unset, ==,
                  "GDBus.Error:net.openvpn.v3.error.OverrideNotSet: Override 'x' has not been set");
  g_assert_cmpstr(plain, ==, "Tag already exists");
}

static void
test_log_levels(void)
{
  g_assert_true(ovpn3_log_level_passes(0, OVPN3_LOG_CATEGORY_CRIT));
  g_assert_true(ovpn3_log_level_passes(0, OVPN3_LOG_CATEGORY_FATAL));
  g_assert_false(ovpn3_log_level_passes(0, OVPN3_LOG_CATEGORY_ERROR));
  g_assert_true(ovpn3_log_level_passes(1, OVPN3_LOG_CATEGORY_ERROR));
  g_assert_false(ovpn3_log_level_passes(1, OVPN3_LOG_CATEGORY_WARN));
  g_assert_true(ovpn3_log_level_passes(3, OVPN3_LOG_CATEGORY_INFO));
  g_assert_false(ovpn3_log_level_passes(3, OVPN3_LOG_CATEGORY_VERB1));
  g_assert_true(ovpn3_log_level_passes(6, OVPN3_LOG_CATEGORY_DEBUG));
  g_assert_false(ovpn3_log_level_passes(5, OVPN3_LOG_CATEGORY_DEBUG));
}

static void
on_idle(Ovpn3Idle *idle, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
quit_loop(gpointer user_data)
{
  g_main_loop_quit(user_data);
  return G_SOURCE_REMOVE;
}

static void
test_idle(void)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  g_autoptr(Ovpn3Idle) idle = ovpn3_idle_new(1);
  g_autoptr(Ovpn3Idle) never = ovpn3_idle_new(0);
  gboolean fired = FALSE, never_fired = FALSE;

  g_signal_connect(idle, "idle", G_CALLBACK(on_idle), &fired);
  g_signal_connect(never, "idle", G_CALLBACK(on_idle), &never_fired);

  /* held: does not fire */
  ovpn3_idle_hold(idle);
  g_timeout_add(2500, quit_loop, loop);
  g_main_loop_run(loop);
  g_assert_false(fired);
  g_assert_cmpuint(ovpn3_idle_get_holds(idle), ==, 1);

  /* released: fires after the timeout */
  ovpn3_idle_release(idle);
  g_timeout_add(2500, quit_loop, loop);
  g_main_loop_run(loop);
  g_assert_true(fired);
  g_assert_false(never_fired);
}

static void
test_state_file(void)
{
  g_autofree char *dir = g_dir_make_tmp("ovpn3-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "state.json", NULL);
  g_autofree char *link = g_build_filename(dir, "link.json", NULL);
  g_autofree char *big = g_build_filename(dir, "big.json", NULL);
  g_autofree char *junk = g_build_filename(dir, "junk.json", NULL);
  g_autoptr(JsonNode) node = json_from_string("{\"a\": [1, 2], \"b\": \"c\"}", NULL);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *blob = NULL;
  struct stat st;

  g_assert_nonnull(node);
  g_assert_true(ovpn3_state_file_save_json(path, node, &error));
  g_assert_no_error(error);
  g_assert_cmpint(stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  back = ovpn3_state_file_load_json(path, &error);
  g_assert_no_error(error);
  g_assert_true(json_node_equal(node, back));

  /* group-readable: refused */
  g_assert_cmpint(chmod(path, 0640), ==, 0);
  g_clear_pointer(&back, json_node_unref);
  back = ovpn3_state_file_load_json(path, &error);
  g_assert_null(back);
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_PERM);
  g_clear_error(&error);

  /* symlink: refused */
  g_assert_cmpint(chmod(path, 0600), ==, 0);
  g_assert_cmpint(symlink(path, link), ==, 0);
  back = ovpn3_state_file_load_json(link, &error);
  g_assert_null(back);
  g_assert_nonnull(error);
  g_clear_error(&error);

  /* oversized: refused */
  blob = g_malloc0(OVPN3_STATE_FILE_MAX_SIZE + 2);
  memset(blob, ' ', OVPN3_STATE_FILE_MAX_SIZE + 1);
  g_assert_true(g_file_set_contents_full(big, blob, -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  back = ovpn3_state_file_load_json(big, &error);
  g_assert_null(back);
  g_assert_nonnull(error);
  g_clear_error(&error);

  /* not JSON: refused */
  g_assert_true(
      g_file_set_contents_full(junk, "{not json", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  back = ovpn3_state_file_load_json(junk, &error);
  g_assert_null(back);
  g_assert_nonnull(error);
  g_clear_error(&error);

  g_unlink(path);
  g_unlink(link);
  g_unlink(big);
  g_unlink(junk);
  g_rmdir(dir);
}

static void
test_overrides(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) b = g_variant_ref_sink(g_variant_new_boolean(TRUE));
  g_autoptr(GVariant) udp = g_variant_ref_sink(g_variant_new_string("udp"));
  g_autoptr(GVariant) icmp = g_variant_ref_sink(g_variant_new_string("icmp"));
  g_autoptr(GVariant) num = g_variant_ref_sink(g_variant_new_uint32(3));
  g_autoptr(GVariant) ctrl = g_variant_ref_sink(g_variant_new_string("a\nb"));

  g_assert_true(ovpn3_config_override_check("persist-tun", b, &error));
  g_assert_true(ovpn3_config_override_check("proto-override", udp, &error));
  g_assert_false(ovpn3_config_override_check("proto-override", icmp, &error));
  g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error(&error);
  g_assert_false(ovpn3_config_override_check("persist-tun", udp, &error));
  g_assert_cmpstr(error->message, ==,
                  "(SetOverride) Invalid override data type for 'persist-tun': s");
  g_clear_error(&error);
  g_assert_false(ovpn3_config_override_check("no-such", b, &error));
  g_assert_cmpstr(error->message, ==, "Invalid override key 'no-such'");
  g_clear_error(&error);
  g_assert_false(ovpn3_config_override_check("log-level", num, &error));
  g_clear_error(&error);
  g_assert_false(ovpn3_config_override_check("server-override", ctrl, &error));
  g_clear_error(&error);
  g_assert_cmpstr(ovpn3_config_override_type("dns-scope"), ==, "s");
  g_assert_true(ovpn3_config_override_is_owner_only("proxy-password"));
  g_assert_true(ovpn3_config_override_is_owner_only("proxy-username"));
  g_assert_false(ovpn3_config_override_is_owner_only("proxy-host"));
  g_assert_false(ovpn3_config_override_is_owner_only("no-such"));
}

static void
test_web_url(void)
{
  static const char *const good[] = {
    "https://auth.example.test/login?session=abc123",
    "HTTPS://Auth.Example.test/",
    "https://[2001:db8::1]:8443/x#frag",
    "https://a/%C3%A9",
  };
  static const struct
  {
    const char *url;
    const char *message;
  } bad[] = {
    { "http://auth.example.test/", "the server sent a 'http:' URL; only https: URLs are opened" },
    { "javascript:alert(1)", "the server sent a 'javascript:' URL; only https: URLs are opened" },
    { "file:///etc/passwd", "the server sent a 'file:' URL; only https: URLs are opened" },
    { "data:text/html,<b>x</b>", "the server sent a 'data:' URL; only https: URLs are opened" },
    { "auth.example.test/login", "the server sent something that is not an absolute URL" },
    { "//auth.example.test/", "the server sent something that is not an absolute URL" },
    { "https://a/%zz", "the server sent something that is not an absolute URL" },
    { "", "the server sent an empty URL" },
    { "https://a/x\ny", NULL },
    { "https://a/\x1b[2J", NULL },
    { "https://a b/", NULL },
    { "https://a/\xc3\xa9", NULL },
    { "https:///path", "the server's https: URL names no host" },
    { "https:opaque", "the server's https: URL names no host" },
    { "https://bank.example@evil.example/",
      "the server's https: URL carries user information (user@host)" },
  };
  g_autofree char *long_url = g_strnfill(400, 'a');
  g_autofree char *shown = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true(ovpn3_web_url_check(good[i], &error));
      g_assert_no_error(error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false(ovpn3_web_url_check(bad[i].url, &error));
      g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
      if (bad[i].message != NULL)
        g_assert_cmpstr(error->message, ==, bad[i].message);
      else
        g_assert_cmpstr(error->message, ==,
                        "the server's URL contains a space, a control or a non-ASCII character");
    }
  g_assert_false(ovpn3_web_url_check(NULL, NULL));

  shown = ovpn3_web_url_escape("javascript:\"x\"\n\x1b");
  g_assert_cmpstr(shown, ==, "javascript:\\\"x\\\"\\n\\033");
  g_clear_pointer(&shown, g_free);
  shown = ovpn3_web_url_escape(long_url);
  g_assert_cmpuint(strlen(shown), ==, 256 + strlen("…"));
  g_assert_true(g_str_has_suffix(shown, "…"));
}

static void
test_introspection(void)
{
  const char *names[] = {
    OVPN3_XML_CONFIG_MANAGER,   OVPN3_XML_CONFIG_OBJECT,  OVPN3_XML_SESSIONS_MANAGER,
    OVPN3_XML_SESSION_OBJECT,   OVPN3_XML_LOG_MANAGER,    OVPN3_XML_LOG_PROXY,
    OVPN3_XML_BACKENDS_MANAGER, OVPN3_XML_BACKEND_CLIENT, OVPN3_XML_NETCFG_MANAGER,
    OVPN3_XML_NETCFG_DEVICE,
  };

  for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
    {
      GDBusInterfaceInfo *info = ovpn3_introspection_get(names[i]);

      g_assert_nonnull(info);
      g_assert_true(g_str_has_prefix(info->name, "net.openvpn.v3."));
      g_assert_true(g_str_has_prefix(names[i], info->name));
      g_assert_true(ovpn3_introspection_get(names[i]) == info);
    }
  g_assert_nonnull(g_dbus_interface_info_lookup_method(
      ovpn3_introspection_get(OVPN3_XML_CONFIG_MANAGER), "Import"));
  g_assert_null(g_dbus_interface_info_lookup_method(
      ovpn3_introspection_get(OVPN3_XML_CONFIG_OBJECT), "Import"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/common/object-id", test_object_id);
  g_test_add_func("/common/acl", test_acl);
  g_test_add_func("/common/error-names", test_error_names);
  g_test_add_func("/common/error-wire-message", test_error_wire_message);
  g_test_add_func("/common/log-levels", test_log_levels);
  g_test_add_func("/common/idle", test_idle);
  g_test_add_func("/common/state-file", test_state_file);
  g_test_add_func("/common/introspection", test_introspection);
  g_test_add_func("/configmgr/overrides", test_overrides);
  g_test_add_func("/common/web-url", test_web_url);
  return g_test_run();
}
