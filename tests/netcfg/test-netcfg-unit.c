#define G_LOG_DOMAIN "ovpn3-test-netcfg-unit"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "netcfg-dns-resolvconf.h"
#include "netcfg-validate.h"
#include "ovpn3-route-budget.h"

static void
test_ip(void)
{
  NetcfgAddr a;
  g_autoptr(GError) error = NULL;
  static const char *const bad4[]
      = { "",           "1.2.3", "1.2.3.256", "01.2.3.4",  " 1.2.3.4", "1.2.3.4 ",
          "1.2.3.4/24", "::1",   "1.2.3.4\n", "1.2.3.4;x", NULL };
  static const char *const bad6[]
      = { "", "fe80::1%eth0", "1.2.3.4", "::g", "2001:db8::/64", "2001:db8::1\n", NULL };

  g_assert_true(netcfg_parse_ip("10.8.0.2", FALSE, &a, &error));
  g_assert_no_error(error);
  g_assert_cmpint(a.family, ==, AF_INET);
  g_assert_true(netcfg_parse_ip("2001:db8::1", TRUE, &a, NULL));
  g_assert_cmpint(a.family, ==, AF_INET6);
  for (guint i = 0; bad4[i] != NULL; i++)
    {
      g_assert_false(netcfg_parse_ip(bad4[i], FALSE, &a, &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_assert_nonnull(strstr(error->message, "Invalid IPv4 address"));
      g_assert_null(strchr(error->message, '\n'));
      g_clear_error(&error);
    }
  for (guint i = 0; bad6[i] != NULL; i++)
    {
      g_assert_false(netcfg_parse_ip(bad6[i], TRUE, &a, &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error(&error);
    }
}

static void
test_prefixes(void)
{
  NetcfgAddr a;
  g_autoptr(GError) error = NULL;

  g_assert_true(netcfg_parse_ip("10.8.0.2", FALSE, &a, NULL));
  g_assert_true(netcfg_check_tunnel_address(&a, 24, NULL));
  g_assert_true(netcfg_check_tunnel_address(&a, 32, NULL));
  g_assert_false(netcfg_check_tunnel_address(&a, 33, &error));
  g_assert_nonnull(strstr(error->message, "prefix size 33"));
  g_clear_error(&error);
  g_assert_false(netcfg_check_tunnel_address(&a, 0, NULL));
  g_assert_true(netcfg_parse_ip("fd00::2", TRUE, &a, NULL));
  g_assert_true(netcfg_check_tunnel_address(&a, 128, NULL));
  g_assert_false(netcfg_check_tunnel_address(&a, 129, &error));
  g_assert_nonnull(strstr(error->message, "prefix size 129"));
  g_clear_error(&error);

  g_assert_true(netcfg_parse_ip("127.0.0.1", FALSE, &a, NULL));
  g_assert_false(netcfg_check_tunnel_address(&a, 8, NULL));
  g_assert_true(netcfg_parse_ip("::", TRUE, &a, NULL));
  g_assert_false(netcfg_check_tunnel_address(&a, 64, NULL));
}

static void
test_routes(void)
{
  struct
  {
    const char *net;
    gboolean v6;
    guint prefix;
    gboolean ok;
  } cases[] = {
    { "10.20.0.0", FALSE, 16, TRUE }, { "10.20.0.1", FALSE, 16, FALSE }, /* host bits */
    { "0.0.0.0", FALSE, 0, FALSE },   { "0.0.0.0", FALSE, 1, FALSE },
    { "128.0.0.0", FALSE, 1, FALSE }, { "127.0.0.0", FALSE, 8, FALSE },
    { "224.0.0.0", FALSE, 4, FALSE }, { "255.255.255.255", FALSE, 32, FALSE },
    { "10.0.0.0", FALSE, 33, FALSE }, { "192.0.2.1", FALSE, 32, TRUE },
    { "fd00:20::", TRUE, 48, TRUE },  { "::", TRUE, 0, FALSE },
    { "8000::", TRUE, 1, FALSE },     { "ff02::", TRUE, 16, FALSE },
    { "::1", TRUE, 128, FALSE },      { "fd00::", TRUE, 129, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      NetcfgAddr a;
      g_autoptr(GError) error = NULL;

      g_assert_true(netcfg_parse_ip(cases[i].net, cases[i].v6, &a, NULL));
      g_assert_cmpint(netcfg_check_route(&a, cases[i].prefix, &error), ==, cases[i].ok);
      if (!cases[i].ok)
        g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    }
}

static void
test_in_network(void)
{
  NetcfgAddr a, net;

  g_assert_true(netcfg_parse_ip("203.0.113.10", FALSE, &a, NULL));
  g_assert_true(netcfg_parse_ip("203.0.113.0", FALSE, &net, NULL));
  g_assert_true(netcfg_addr_in_network(&a, &net, 24));
  g_assert_true(netcfg_addr_in_network(&a, &net, 0));
  g_assert_true(netcfg_parse_ip("203.0.112.0", FALSE, &net, NULL));
  g_assert_false(netcfg_addr_in_network(&a, &net, 24));
  g_assert_true(netcfg_addr_in_network(&a, &net, 23));
}

static void
test_domains(void)
{
  g_autofree char *long_label = g_strnfill(64, 'a');
  g_autofree char *label63 = g_strnfill(63, 'a');
  g_autofree char *name253
      = g_strdup_printf("%s.%s.%s.%s", label63, label63, label63,
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_autofree char *name300 = g_strnfill(300, 'a');
  g_autofree char *name254 = g_strconcat(name253, "a", NULL);
  g_autoptr(GError) error = NULL;
  const char *bad[] = { "",        ".",        "a..b",     "-a.com",
                        "a-.com",  "a b.com",  "a\nb.com", "corp.example.com\nnameserver 1.2.3.4",
                        "a;b",     "\"a\"",    "a/b",      "exämple.com",
                        "a_b.com", long_label, name300,    name254,
                        NULL };

  g_assert_cmpuint(strlen(name253), ==, 253);
  g_assert_true(netcfg_check_domain("corp.example.com", NULL));
  g_assert_true(netcfg_check_domain("example.com.", NULL));
  g_assert_true(netcfg_check_domain("x-1.example", NULL));
  g_assert_true(netcfg_check_domain(label63, NULL));
  g_assert_true(netcfg_check_domain(name253, NULL));
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_assert_false(netcfg_check_domain(bad[i], &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      /* the offending value is escaped: no raw control characters */
      g_assert_null(strchr(error->message, '\n'));
      g_clear_error(&error);
    }
}

static gboolean
budget_take(Ovpn3RouteBudget *b, const char *net, guint prefix)
{
  NetcfgAddr a;

  g_assert_true(netcfg_parse_ip_any(net, &a, NULL));
  return ovpn3_route_budget_take(b, a.family, a.bytes, prefix);
}

static void
test_route_budget(void)
{
  g_autoptr(Ovpn3RouteBudget) pieces = ovpn3_route_budget_new(FALSE, FALSE);
  g_autoptr(Ovpn3RouteBudget) overlap = ovpn3_route_budget_new(FALSE, FALSE);
  g_autoptr(Ovpn3RouteBudget) swallow = ovpn3_route_budget_new(FALSE, FALSE);
  g_autoptr(Ovpn3RouteBudget) v6 = ovpn3_route_budget_new(FALSE, FALSE);
  g_autoptr(Ovpn3RouteBudget) exact6 = ovpn3_route_budget_new(FALSE, FALSE);
  g_autoptr(Ovpn3RouteBudget) reroute4 = ovpn3_route_budget_new(TRUE, FALSE);
  guint8 zero[16] = { 0 };

  /* a default route in pieces: only 1/16 of IPv4 goes through */
  g_assert_false(budget_take(pieces, "128.0.0.0", 2));
  g_assert_false(budget_take(pieces, "32.0.0.0", 3));
  g_assert_true(budget_take(pieces, "16.0.0.0", 4)); /* exactly 1/16 */
  g_assert_false(budget_take(pieces, "64.0.0.0", 8));
  g_assert_false(budget_take(pieces, "198.51.100.0", 32));
  g_assert_true(budget_take(pieces, "16.1.0.0", 16)); /* inside: free */
  g_assert_true(budget_take(pieces, "16.1.2.3", 4));  /* host bits ignored */

  /* the union counts: 10.0.0.0/8 twice and 10.1.0.0/16 are one /8, so
   * 15 more /8 still fit */
  g_assert_true(budget_take(overlap, "10.0.0.0", 8));
  g_assert_true(budget_take(overlap, "10.0.0.0", 8));
  g_assert_true(budget_take(overlap, "10.1.0.0", 16));
  for (guint i = 11; i < 26; i++)
    {
      g_autofree char *net = g_strdup_printf("%u.0.0.0", i);

      g_assert_true(budget_take(overlap, net, 8));
    }
  g_assert_false(budget_take(overlap, "26.0.0.0", 8));
  g_assert_false(budget_take(overlap, "26.0.0.0", 32));

  /* a wider route offered after narrower ones inside it */
  g_assert_true(budget_take(swallow, "10.1.0.0", 16));
  g_assert_true(budget_take(swallow, "10.2.0.0", 16));
  g_assert_true(budget_take(swallow, "10.0.0.0", 8));
  for (guint i = 11; i < 26; i++)
    {
      g_autofree char *net = g_strdup_printf("%u.0.0.0", i);

      g_assert_true(budget_take(swallow, net, 8));
    }
  g_assert_false(budget_take(swallow, "26.0.0.0", 32));
  g_assert_true(budget_take(swallow, "10.3.0.0", 16));

  /* IPv6: 1/256 of 2000::/3 is a /11; outside 2000::/3 nothing counts */
  g_assert_false(budget_take(v6, "2000::", 4));
  g_assert_false(budget_take(v6, "::", 2)); /* contains all of 2000::/3 */
  g_assert_true(budget_take(v6, "fd00::", 8));
  g_assert_true(budget_take(v6, "2000::", 11));
  g_assert_false(budget_take(v6, "2400::", 12));
  g_assert_false(budget_take(v6, "2a00::1", 128));
  g_assert_true(budget_take(v6, "2001:db8::", 32)); /* inside 2000::/11 */
  g_assert_true(budget_take(v6, "10.0.0.0", 4));    /* IPv4 is counted apart */

  /* exact to the address: two /12 halves fill it, one more address does not fit */
  g_assert_true(budget_take(exact6, "2000::", 12));
  g_assert_true(budget_take(exact6, "3000::", 12));
  g_assert_false(budget_take(exact6, "2a00::1", 128));

  /* redirect-gateway for IPv4: no IPv4 budget, IPv6 still has one */
  g_assert_true(budget_take(reroute4, "128.0.0.0", 2));
  g_assert_true(budget_take(reroute4, "0.0.0.0", 0));
  g_assert_false(budget_take(reroute4, "2000::", 4));

  /* bad arguments are refused */
  g_assert_false(ovpn3_route_budget_take(pieces, AF_UNIX, zero, 8));
  g_assert_false(ovpn3_route_budget_take(pieces, AF_INET, zero, 33));
  g_assert_false(ovpn3_route_budget_take(pieces, AF_INET6, zero, 129));
  g_assert_false(ovpn3_route_budget_take(pieces, AF_INET, NULL, 8));
}

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
  g_test_add_func("/netcfg/validate/ip", test_ip);
  g_test_add_func("/netcfg/validate/prefixes", test_prefixes);
  g_test_add_func("/netcfg/validate/routes", test_routes);
  g_test_add_func("/netcfg/validate/in-network", test_in_network);
  g_test_add_func("/netcfg/validate/domains", test_domains);
  g_test_add_func("/netcfg/validate/ifname", test_ifname);
  g_test_add_func("/netcfg/route-budget", test_route_budget);
  g_test_add_func("/netcfg/resolvconf/render", test_resolvconf_render);
  return g_test_run();
}
