#define G_LOG_DOMAIN "ovpn3-test-client-netcfg"

#include "config.h"

#include "client-netcfg.h"

static GHashTable *
env_new(const char *first, ...)
{
  GHashTable *env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  va_list args;
  const char *k = first;

  va_start(args, first);
  while (k != NULL)
    {
      const char *v = va_arg(args, const char *);

      g_hash_table_insert(env, g_strdup(k), g_strdup(v));
      k = va_arg(args, const char *);
    }
  va_end(args);
  return env;
}

static gboolean
has_route(Ovpn3NetSettings *s, const char *addr, guint prefix)
{
  for (guint i = 0; i < s->routes->len; i++)
    {
      Ovpn3NetRoute *r = g_ptr_array_index(s->routes, i);

      if (g_str_equal(r->address, addr) && r->prefix == prefix)
        return TRUE;
    }
  return FALSE;
}

static void
test_netmask(void)
{
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("255.255.255.0"), ==, 24);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("255.255.255.255"), ==, 32);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("0.0.0.0"), ==, 0);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("255.0.255.0"), ==, -1);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("255.255.255.1"), ==, -1);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("fe80::"), ==, -1);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("junk"), ==, -1);
}

static void
test_ldh(void)
{
  g_assert_true(ovpn3_net_is_ldh_domain("example.test"));
  g_assert_true(ovpn3_net_is_ldh_domain("a-b.c0"));
  g_assert_false(ovpn3_net_is_ldh_domain(""));
  g_assert_false(ovpn3_net_is_ldh_domain("a b"));
  g_assert_false(ovpn3_net_is_ldh_domain("-a.test"));
  g_assert_false(ovpn3_net_is_ldh_domain("a-.test"));
  g_assert_false(ovpn3_net_is_ldh_domain("a..test"));
  g_assert_false(ovpn3_net_is_ldh_domain("x;rm -rf"));
  g_assert_false(ovpn3_net_is_ldh_domain("example.test."));
}

static void
test_env_policy(void)
{
  g_autoptr(GHashTable) env = env_new(
      "ifconfig_local", "10.213.0.2", "ifconfig_netmask", "255.255.255.0", "trusted_ip",
      "10.99.0.2", "tun_mtu", "1500", "route_network_1", "10.214.0.0", "route_netmask_1",
      "255.255.0.0", "route_network_2", "0.0.0.0", "route_netmask_2", "128.0.0.0",
      "route_network_3", "127.0.0.0", "route_netmask_3", "255.0.0.0", "route_network_4",
      "10.99.0.0", "route_netmask_4", "255.255.255.0", "route_network_5", "224.1.0.0",
      "route_netmask_5", "255.255.0.0", "route_ipv6_network_1", "fd00:214::/64",
      "route_ipv6_network_2", "::1/128", "foreign_option_1", "dhcp-option DNS 10.213.0.53",
      "foreign_option_2", "dhcp-option DNS not-an-ip", "foreign_option_3",
      "dhcp-option DOMAIN example.test", "foreign_option_4", "dhcp-option DOMAIN bad;name",
      "ifconfig_ipv6_local", "fd00:213::1000", "ifconfig_ipv6_netbits", "64", NULL);
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) error = NULL;
  Ovpn3NetRedirect redirect = { 0 };
  g_autoptr(Ovpn3NetSettings) s
      = ovpn3_net_settings_from_env(env, &redirect, FALSE, refusals, &error);

  g_assert_no_error(error);
  g_assert_nonnull(s);
  g_assert_cmpuint(s->addresses->len, ==, 2);
  g_assert_cmpuint(((Ovpn3NetAddress *) s->addresses->pdata[0])->prefix, ==, 24);
  g_assert_true(has_route(s, "10.214.0.0", 16));
  g_assert_true(has_route(s, "fd00:214::", 64));
  g_assert_cmpuint(s->routes->len, ==, 2); /* half default, loopback, server, multicast, ::1 */
  g_assert_false(s->reroute_ipv4);
  g_assert_cmpuint(s->dns_servers->len, ==, 1);
  g_assert_cmpstr(s->dns_servers->pdata[0], ==, "10.213.0.53");
  g_assert_cmpuint(s->dns_search->len, ==, 1);
  g_assert_cmpstr(s->dns_search->pdata[0], ==, "example.test");
  g_assert_cmpuint(s->mtu, ==, 1500);
  g_assert_cmpstr(s->remote, ==, "10.99.0.2");
  g_assert_cmpuint(refusals->len, ==, 7);

  /* DNS disabled by override */
  g_clear_pointer(&s, ovpn3_net_settings_free);
  s = ovpn3_net_settings_from_env(env, &redirect, TRUE, NULL, &error);
  g_assert_cmpuint(s->dns_servers->len, ==, 0);
}

static void
test_bad_tunnel(void)
{
  g_autoptr(GHashTable) env1
      = env_new("ifconfig_local", "10.99.0.2", "trusted_ip", "10.99.0.2", NULL);
  g_autoptr(GHashTable) env2
      = env_new("ifconfig_local", "10.1.0.2", "ifconfig_netmask", "255.0.255.0", NULL);
  g_autoptr(GHashTable) env3 = env_new("ifconfig_local", "127.0.0.1", NULL);
  g_autoptr(GHashTable) env4 = env_new("dev", "tun0", NULL);
  GHashTable *envs[] = { env1, env2, env3, env4 };
  Ovpn3NetRedirect redirect = { 0 };

  for (gsize i = 0; i < G_N_ELEMENTS(envs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null(ovpn3_net_settings_from_env(envs[i], &redirect, FALSE, NULL, &error));
      g_assert_nonnull(error);
    }
}

static void
test_redirect(void)
{
  Ovpn3NetRedirect r = { 0 };
  const char *filters[] = { "ignore\tredirect-gateway", NULL };
  const char *line = "2026-11-23 13:00:00 PUSH: Received control message: 'PUSH_REPLY,route "
                     "10.1.0.0 255.255.0.0,redirect-gateway def1 ipv6,ping 2'";
  g_autoptr(GHashTable) env
      = env_new("ifconfig_local", "10.213.0.2", "ifconfig_netmask", "255.255.255.0",
                "route_ipv6_network_1", "::/3", "route_ipv6_network_2", "2000::/4", NULL);
  g_autoptr(Ovpn3NetSettings) s = NULL;

  g_assert_false(
      ovpn3_net_parse_push_reply("PUSH: Received control message: 'RESTART'", NULL, FALSE, &r));
  g_assert_true(ovpn3_net_parse_push_reply(line, filters, FALSE, &r));
  g_assert_false(r.redirect_ipv4);
  g_assert_true(ovpn3_net_parse_push_reply(line, NULL, TRUE, &r));
  g_assert_false(r.redirect_ipv4);
  g_assert_true(ovpn3_net_parse_push_reply(line, NULL, FALSE, &r));
  g_assert_true(r.redirect_ipv4);
  g_assert_true(r.redirect_ipv6);

  s = ovpn3_net_settings_from_env(env, &r, FALSE, NULL, NULL);
  g_assert_true(s->reroute_ipv4);
  g_assert_true(s->reroute_ipv6);
  g_assert_cmpuint(s->routes->len, ==, 0);
  g_clear_pointer(&s, ovpn3_net_settings_free);

  /* without redirect-gateway the same routes are not turned into a default
   * route, and 2000::/4 (half of 2000::/3) is beyond the route budget */
  r = (Ovpn3NetRedirect){ 0 };
  s = ovpn3_net_settings_from_env(env, &r, FALSE, NULL, NULL);
  g_assert_false(s->reroute_ipv6);
  g_assert_false(has_route(s, "2000::", 4));
  g_assert_false(has_route(s, "::", 3));
  g_clear_pointer(&s, ovpn3_net_settings_free);

  /* a refused pushed `redirect-gateway ipv6` (no start-host-wide): its pieces are dropped
   * without a refusal each (the refusal of the redirect was logged) */
  {
    g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);

    r = (Ovpn3NetRedirect){ .refused_ipv6 = TRUE };
    s = ovpn3_net_settings_from_env(env, &r, FALSE, refusals, NULL);
    g_assert_false(s->reroute_ipv6);
    g_assert_cmpuint(s->routes->len, ==, 0);
    g_assert_cmpuint(refusals->len, ==, 0);
  }
}

static gboolean
has_refusal(GPtrArray *refusals, const char *start)
{
  guint n = 0;

  for (guint i = 0; i < refusals->len; i++)
    n += g_str_has_prefix(refusals->pdata[i], start);
  return n == 1;
}

/* docs/architecture.md §6: the route budget, counted by ovpn3-route-budget as in netcfg */
static void
test_route_budget(void)
{
  g_autoptr(GHashTable) env
      = env_new("ifconfig_local", "10.213.0.2", "ifconfig_netmask", "255.255.255.0",
                "route_network_1", "128.0.0.0", "route_netmask_1", "192.0.0.0", "route_network_2",
                "32.0.0.0", "route_netmask_2", "224.0.0.0", "route_network_3", "16.0.0.0",
                "route_netmask_3", "240.0.0.0", "route_network_4", "16.1.0.0", "route_netmask_4",
                "255.255.0.0", "route_network_5", "64.0.0.0", "route_netmask_5", "255.255.255.0",
                "route_ipv6_network_1", "3000::/12", "route_ipv6_network_2", "3010::/12",
                "route_ipv6_network_3", "2a00::/16", "route_ipv6_network_4", "fd00:1::/48", NULL);
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  Ovpn3NetRedirect r = { 0 };
  g_autoptr(Ovpn3NetSettings) s = ovpn3_net_settings_from_env(env, &r, FALSE, refusals, NULL);

  g_assert_true(has_route(s, "16.0.0.0", 4));  /* exactly 1/16 */
  g_assert_true(has_route(s, "16.1.0.0", 16)); /* inside it: counted once */
  g_assert_true(has_route(s, "3000::", 12));
  g_assert_true(has_route(s, "3010::", 12));   /* together 1/256 of 2000::/3 */
  g_assert_true(has_route(s, "fd00:1::", 48)); /* outside 2000::/3 */
  g_assert_cmpuint(s->routes->len, ==, 5);
  g_assert_true(has_refusal(refusals, "Ignoring pushed route 128.0.0.0/2: without redirect"));
  g_assert_true(has_refusal(refusals, "Ignoring pushed route 32.0.0.0/3: without redirect"));
  g_assert_true(has_refusal(refusals, "Ignoring pushed route 64.0.0.0/24: without redirect"));
  g_assert_true(has_refusal(refusals, "Ignoring pushed route 2a00::/16: without redirect"));
  g_assert_cmpuint(refusals->len, ==, 4);
  g_clear_pointer(&s, ovpn3_net_settings_free);

  /* redirect-gateway (IPv4 only): no IPv4 budget, the IPv6 one stays */
  r.redirect_ipv4 = TRUE;
  s = ovpn3_net_settings_from_env(env, &r, FALSE, NULL, NULL);
  g_assert_true(has_route(s, "128.0.0.0", 2));
  g_assert_true(has_route(s, "32.0.0.0", 3));
  g_assert_true(has_route(s, "64.0.0.0", 24));
  g_assert_false(has_route(s, "2a00::", 16));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/netcfg/netmask", test_netmask);
  g_test_add_func("/client/netcfg/ldh", test_ldh);
  g_test_add_func("/client/netcfg/env-policy", test_env_policy);
  g_test_add_func("/client/netcfg/bad-tunnel", test_bad_tunnel);
  g_test_add_func("/client/netcfg/redirect", test_redirect);
  g_test_add_func("/client/netcfg/route-budget", test_route_budget);
  return g_test_run();
}
