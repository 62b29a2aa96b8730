#define G_LOG_DOMAIN "ovpn3-test-netcfg-unit"

#include "config.h"

#include <string.h>

#include "netcfg-dns-resolvconf.h"
#include "netcfg-validate.h"

static void
test_ifname(void)
{
  g_assert_true(netcfg_check_ifname_prefix("ovpn3t", NULL));
  g_assert_true(netcfg_check_ifname_prefix("tun_X9", NULL));
  g_assert_false(netcfg_check_ifname_prefix("", NULL));
  g_assert_false(netcfg_check_ifname_prefix("tun-0", NULL));
  g_assert_false(netcfg_check_ifname_prefix("a/b", NULL));
  g_assert_false(netcfg_check_ifname_prefix("abcdefghijklm", NULL));
  g_assert_false(netcfg_check_ifname_prefix("../x", NULL));
}

static void
test_resolvconf_render(void)
{
  const char *original = "# host\nnameserver 192.0.2.53\nsearch home.example\noptions edns0\n";
  g_autoptr(GPtrArray) servers = g_ptr_array_new();
  g_autoptr(GPtrArray) domains = g_ptr_array_new();
  g_autofree char *full = NULL;
  g_autofree char *split = NULL;

  g_ptr_array_add(servers, "10.8.0.1");
  g_ptr_array_add(domains, "corp.example.com");
  full = netcfg_resolvconf_render(original, servers, domains, TRUE);
  g_assert_nonnull(strstr(full, "nameserver 10.8.0.1\n"));
  g_assert_null(strstr(full, "192.0.2.53"));
  g_assert_nonnull(strstr(full, "search corp.example.com\n"));
  g_assert_nonnull(strstr(full, "options edns0\n"));
  split = netcfg_resolvconf_render(original, servers, domains, FALSE);
  g_assert_true(strstr(split, "nameserver 10.8.0.1\n") < strstr(split, "nameserver 192.0.2.53\n"));
  g_assert_nonnull(strstr(split, "search corp.example.com home.example\n"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* the policy on pushed settings: tests/unit/test-net-policy.c */
  g_test_add_func("/netcfg/validate/ifname", test_ifname);
  g_test_add_func("/netcfg/resolvconf/render", test_resolvconf_render);
  return g_test_run();
}
