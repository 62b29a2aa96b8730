#define G_LOG_DOMAIN "ovpn3-test-client-openvpn"

#include "config.h"

#include "client-openvpn.h"

static gint
index_of(GStrv argv, const char *arg)
{
  for (gint i = 0; argv[i] != NULL; i++)
    if (g_str_equal(argv[i], arg))
      return i;
  return -1;
}

/* docs/architecture.md §3: the enforced flags, after --config (scalar options keep the last
 * value) */
static void
test_argv(void)
{
  const char *const extra[] = { "--allow-compression", "no", NULL };
  Ovpn3ClientOpenvpnConfig cfg = {
    .binary = "/usr/sbin/openvpn",
    .runtime_base = "/run/ovpn3",
    .profile_text = "",
    .dev_name = "ovpn3t4",
    .tap = FALSE,
    .verb = 3,
  };
  g_auto(GStrv) argv
      = ovpn3_client_openvpn_build_argv(&cfg, "/dev/fd/3", "/run/ovpn3/client-X/mgmt");
  const char *flags[] = { "--client",
                          "--management-client",
                          "--management-hold",
                          "--management-query-passwords",
                          "--management-up-down",
                          "--ifconfig-noexec",
                          "--route-noexec",
                          "--disable-dco",
                          "--persist-tun",
                          "--persist-key",
                          "--nobind",
                          NULL };
  gint config = index_of(argv, "--config");

  g_assert_cmpstr(argv[0], ==, "/usr/sbin/openvpn");
  g_assert_cmpint(config, ==, 1);
  g_assert_cmpstr(argv[config + 1], ==, "/dev/fd/3");
  for (gsize i = 0; flags[i] != NULL; i++)
    g_assert_cmpint(index_of(argv, flags[i]), >, config);
  g_assert_cmpstr(argv[index_of(argv, "--dev") + 1], ==, "ovpn3t4");
  g_assert_cmpstr(argv[index_of(argv, "--dev-type") + 1], ==, "tun");
  g_assert_cmpstr(argv[index_of(argv, "--management") + 1], ==, "/run/ovpn3/client-X/mgmt");
  g_assert_cmpstr(argv[index_of(argv, "--management") + 2], ==, "unix");
  g_assert_cmpint(index_of(argv, "--management-client-user"), <, 0);
  g_assert_cmpstr(argv[index_of(argv, "--auth-retry") + 1], ==, "interact");
  g_assert_cmpstr(argv[index_of(argv, "--script-security") + 1], ==, "0");
  g_assert_cmpstr(argv[index_of(argv, "--verb") + 1], ==, "3");
  g_assert_cmpstr(argv[index_of(argv, "IV_SSO") + 1], ==, "webauth,openurl,crtext");
  g_assert_true(g_str_has_prefix(argv[index_of(argv, "IV_GUI_VER") + 1], "ovpn3 "));

  g_assert_cmpint(index_of(argv, "--management-query-remote"), ==, -1);

  /* overrides go between --config and the enforced flags, which win */
  cfg.tap = TRUE;
  cfg.extra_args = extra;
  cfg.query_remote = TRUE;
  g_clear_pointer(&argv, g_strfreev);
  argv = ovpn3_client_openvpn_build_argv(&cfg, "p", "m");
  g_assert_cmpstr(argv[index_of(argv, "--dev-type") + 1], ==, "tap");
  g_assert_cmpint(index_of(argv, "--allow-compression"), ==, 3);
  g_assert_cmpstr(argv[4], ==, "no");
  g_assert_cmpint(index_of(argv, "--management-query-remote"), <, index_of(argv, "--client"));

  /* docs/architecture.md §3: --nobind only when the profile sets no lport, bind or local
   * (openvpn refuses the combination) */
  g_assert_cmpint(index_of(argv, "--nobind"), >, 0);
  cfg.bind_local = TRUE;
  g_clear_pointer(&argv, g_strfreev);
  argv = ovpn3_client_openvpn_build_argv(&cfg, "p", "m");
  g_assert_cmpint(index_of(argv, "--nobind"), ==, -1);
  g_assert_cmpint(index_of(argv, "--persist-key"), >, 0);
  g_assert_cmpstr(argv[index_of(argv, "--verb") + 1], ==, "3");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/openvpn/argv", test_argv);
  return g_test_run();
}
