/* The network-settings policy shared by the backend client and netcfg
 * (services/common/ovpn3-net-*.h, docs/architecture.md §6): addresses,
 * forbidden targets, DNS, the route budget, the route plan netcfg executes,
 * the client's environment parsing, and the two cases on which the two
 * sides used to disagree, each with its one answer on both sides.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-test-net-policy"

#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#include "ovpn3-net-policy.h"
#include "ovpn3-net-redirect.h"
#include "ovpn3-net-route-plan.h"
#include "ovpn3-net-settings.h"
#include "ovpn3-route-budget.h"

static Ovpn3NetAddr
ip(const char *text)
{
  Ovpn3NetAddr a;

  g_assert_true(ovpn3_net_parse_ip_any(text, &a, NULL));
  return a;
}

static GHashTable *
env_new(const char *first, ...)
{
  GHashTable *env = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  va_list args;

  va_start(args, first);
  for (const char *k = first; k != NULL; k = va_arg(args, const char *))
    g_hash_table_insert(env, g_strdup(k), g_strdup(va_arg(args, const char *)));
  va_end(args);
  return env;
}

static gboolean
has_route(Ovpn3NetSettings *s, const char *addr, guint prefix)
{
  for (guint i = 0; i < s->routes->len; i++)
    {
      Ovpn3NetRoute *r = s->routes->pdata[i];

      if (r->prefix == prefix && g_str_equal(r->address, addr))
        return TRUE;
    }
  return FALSE;
}

/* ---- addresses ------------------------------------------------------------ */

static void
test_parse_ip(void)
{
  Ovpn3NetAddr a;
  g_autoptr(GError) error = NULL;
  static const char *const bad4[]
      = { "",           "1.2.3", "1.2.3.256", "01.2.3.4",  " 1.2.3.4", "1.2.3.4 ",
          "1.2.3.4/24", "::1",   "1.2.3.4\n", "1.2.3.4;x", NULL };
  static const char *const bad6[]
      = { "", "fe80::1%eth0", "1.2.3.4", "::g", "2001:db8::/64", "2001:db8::1\n", NULL };

  g_assert_true(ovpn3_net_parse_ip("10.8.0.2", FALSE, &a, &error));
  g_assert_no_error(error);
  g_assert_cmpint(a.family, ==, AF_INET);
  g_assert_true(ovpn3_net_parse_ip("2001:db8::1", TRUE, &a, NULL));
  g_assert_cmpint(a.family, ==, AF_INET6);
  for (guint i = 0; bad4[i] != NULL; i++)
    {
      g_assert_false(ovpn3_net_parse_ip(bad4[i], FALSE, &a, &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_assert_nonnull(strstr(error->message, "Invalid IPv4 address"));
      g_assert_null(strchr(error->message, '\n'));
      g_clear_error(&error);
    }
  for (guint i = 0; bad6[i] != NULL; i++)
    {
      g_assert_false(ovpn3_net_parse_ip(bad6[i], TRUE, &a, &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error(&error);
    }
}

static void
test_networks(void)
{
  Ovpn3NetAddr a = ip("203.0.113.10"), net = ip("203.0.113.0"), other = ip("203.0.112.0");
  Ovpn3NetAddr lo = ip("127.0.0.0"), wide = ip("126.0.0.0");
  g_autofree char *text = NULL;

  g_assert_true(ovpn3_net_addr_in_network(&a, &net, 24));
  g_assert_true(ovpn3_net_addr_in_network(&a, &net, 0));
  g_assert_false(ovpn3_net_addr_in_network(&a, &other, 24));
  g_assert_true(ovpn3_net_addr_in_network(&a, &other, 23));
  g_assert_true(ovpn3_net_prefixes_overlap(&wide, 7, &lo, 8));
  g_assert_true(ovpn3_net_prefixes_overlap(&lo, 8, &wide, 7));
  g_assert_false(ovpn3_net_prefixes_overlap(&wide, 8, &lo, 8));
  ovpn3_net_addr_mask(&a, 20);
  text = ovpn3_net_addr_to_string(&a);
  g_assert_cmpstr(text, ==, "203.0.112.0");
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("255.255.255.0"), ==, 24);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("0.0.0.0"), ==, 0);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("255.0.255.0"), ==, -1);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix("fe80::"), ==, -1);
  g_assert_cmpint(ovpn3_net_netmask_to_prefix(NULL), ==, -1);
}

static void
test_tunnel_address(void)
{
  static const char *const forbidden[]
      = { "127.0.0.1", "0.1.2.3", "224.0.0.1", "255.255.255.255", "::", "::1", "ff02::1", NULL };
  Ovpn3NetAddr a = ip("10.8.0.2");
  g_autoptr(GError) error = NULL;

  g_assert_true(ovpn3_net_check_tunnel_address(&a, 24, NULL));
  g_assert_true(ovpn3_net_check_tunnel_address(&a, 32, NULL));
  g_assert_false(ovpn3_net_check_tunnel_address(&a, 33, &error));
  g_assert_nonnull(strstr(error->message, "prefix size 33"));
  g_clear_error(&error);
  g_assert_false(ovpn3_net_check_tunnel_address(&a, 0, NULL));
  a = ip("fd00::2");
  g_assert_true(ovpn3_net_check_tunnel_address(&a, 128, NULL));
  g_assert_false(ovpn3_net_check_tunnel_address(&a, 129, NULL));
  a = ip("169.254.10.1"); /* link-local tunnels exist */
  g_assert_true(ovpn3_net_check_tunnel_address(&a, 30, NULL));
  for (guint i = 0; forbidden[i] != NULL; i++)
    {
      a = ip(forbidden[i]);
      g_assert_true(ovpn3_net_addr_is_forbidden(&a));
      g_assert_false(ovpn3_net_check_tunnel_address(&a, 8, &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error(&error);
    }
}

/* ---- routes --------------------------------------------------------------- */

static void
test_route_verdicts(void)
{
  struct
  {
    const char *net;
    guint prefix;
    Ovpn3NetRouteVerdict verdict;
  } cases[] = {
    { "10.20.0.0", 16, OVPN3_NET_ROUTE_OK },
    { "10.20.0.1", 16, OVPN3_NET_ROUTE_HOST_BITS },
    { "0.0.0.0", 0, OVPN3_NET_ROUTE_DEFAULT },
    { "0.0.0.0", 1, OVPN3_NET_ROUTE_DEFAULT },
    { "128.0.0.0", 1, OVPN3_NET_ROUTE_DEFAULT },
    { "127.0.0.0", 8, OVPN3_NET_ROUTE_FORBIDDEN },
    { "224.0.0.0", 4, OVPN3_NET_ROUTE_FORBIDDEN },
    { "224.1.0.0", 16, OVPN3_NET_ROUTE_FORBIDDEN },
    { "255.255.255.255", 32, OVPN3_NET_ROUTE_FORBIDDEN },
    { "255.255.255.0", 24, OVPN3_NET_ROUTE_FORBIDDEN }, /* covers the broadcast address */
    { "0.0.0.0", 2, OVPN3_NET_ROUTE_FORBIDDEN },
    { "128.0.0.0", 2, OVPN3_NET_ROUTE_OK },
    { "10.0.0.0", 33, OVPN3_NET_ROUTE_BAD_PREFIX },
    { "192.0.2.1", 32, OVPN3_NET_ROUTE_OK },
    { "169.254.0.0", 16, OVPN3_NET_ROUTE_OK },
    { "fd00:20::", 48, OVPN3_NET_ROUTE_OK },
    { "::", 0, OVPN3_NET_ROUTE_DEFAULT },
    { "8000::", 1, OVPN3_NET_ROUTE_DEFAULT },
    { "ff02::", 16, OVPN3_NET_ROUTE_FORBIDDEN },
    { "fe00::", 7, OVPN3_NET_ROUTE_FORBIDDEN }, /* covers ff00::/8 */
    { "::1", 128, OVPN3_NET_ROUTE_FORBIDDEN },
    { "::", 3, OVPN3_NET_ROUTE_FORBIDDEN },
    { "2000::", 4, OVPN3_NET_ROUTE_OK },
    { "fd00::", 129, OVPN3_NET_ROUTE_BAD_PREFIX },
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      Ovpn3NetAddr a = ip(cases[i].net);
      g_autoptr(GError) error = NULL;
      gboolean ok = cases[i].verdict == OVPN3_NET_ROUTE_OK;

      g_test_message("%s/%u", cases[i].net, cases[i].prefix);
      g_assert_cmpint(ovpn3_net_route_verdict(&a, cases[i].prefix), ==, cases[i].verdict);
      g_assert_cmpint(ovpn3_net_check_route(&a, cases[i].prefix, &error), ==, ok);
      if (!ok)
        g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    }
}

static void
test_redirect_pieces(void)
{
  static const char *const pieces[] = { "::", "2000::", "3000::", "fc00::" };
  static const guint prefixes[] = { 3, 4, 4, 7 };

  for (guint i = 0; i < G_N_ELEMENTS(pieces); i++)
    {
      Ovpn3NetAddr a = ip(pieces[i]);

      g_assert_true(ovpn3_net_is_ipv6_redirect_piece(&a, prefixes[i]));
      g_assert_false(ovpn3_net_is_ipv6_redirect_piece(&a, prefixes[i] + 1));
    }
  {
    Ovpn3NetAddr v4 = ip("0.0.0.0");

    g_assert_false(ovpn3_net_is_ipv6_redirect_piece(&v4, 3));
  }
}

static gboolean
budget_take(Ovpn3RouteBudget *b, const char *net, guint prefix)
{
  Ovpn3NetAddr a = ip(net);

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

/* ---- DNS ------------------------------------------------------------------ */

static void
test_dns(void)
{
  static const char *const unusable[] = { "0.0.0.0", "::", "224.0.0.251", "ff02::fb", NULL };
  g_autofree char *label63 = g_strnfill(63, 'a');
  g_autofree char *long_label = g_strnfill(64, 'a');
  g_autofree char *name253
      = g_strdup_printf("%s.%s.%s.%s", label63, label63, label63,
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_autofree char *name254 = g_strconcat(name253, "a", NULL);
  g_autofree char *name300 = g_strnfill(300, 'a');
  const char *bad[] = { "",        ".",        "a..b",     "-a.com",
                        "a-.com",  "a b.com",  "a\nb.com", "corp.example.com\nnameserver 1.2.3.4",
                        "a;b",     "\"a\"",    "a/b",      "exämple.com",
                        "a_b.com", long_label, name300,    name254,
                        NULL };
  Ovpn3NetAddr a;
  g_autoptr(GError) error = NULL;

  g_assert_true(ovpn3_net_check_dns_server("10.8.0.1", &a, NULL));
  g_assert_true(ovpn3_net_check_dns_server("2001:db8::53", &a, NULL));
  g_assert_true(ovpn3_net_check_dns_server("127.0.0.53", &a, NULL));
  g_assert_false(ovpn3_net_check_dns_server("ns.example.com", &a, &error));
  g_assert_nonnull(strstr(error->message, "Invalid IPv4 address"));
  g_clear_error(&error);
  for (guint i = 0; unusable[i] != NULL; i++)
    {
      g_assert_false(ovpn3_net_check_dns_server(unusable[i], &a, &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error(&error);
    }

  g_assert_cmpuint(strlen(name253), ==, 253);
  g_assert_true(ovpn3_net_check_domain("corp.example.com", NULL));
  g_assert_true(ovpn3_net_check_domain("x-1.example", NULL));
  g_assert_true(ovpn3_net_check_domain(label63, NULL));
  g_assert_true(ovpn3_net_check_domain(name253, NULL));
  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_assert_false(ovpn3_net_is_ldh_domain(bad[i]));
      g_assert_false(ovpn3_net_check_domain(bad[i], &error));
      g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      /* the offending value is escaped: no raw control characters */
      g_assert_null(strchr(error->message, '\n'));
      g_clear_error(&error);
    }
}

/* ---- the two former disagreements: one answer, on both sides ------------- */

static Ovpn3NetSettings *
client_settings(GPtrArray *refusals, const char *key, const char *value, const char *key2,
                const char *value2)
{
  g_autoptr(GHashTable) env = env_new("ifconfig_local", "10.213.0.2", "ifconfig_netmask",
                                      "255.255.255.0", key, value, key2, value2, NULL);
  /* redirect-gateway: no route budget, so only the policy refuses */
  Ovpn3NetRedirect redirect = { .redirect_ipv4 = TRUE };
  g_autoptr(GError) error = NULL;
  Ovpn3NetSettings *s = ovpn3_net_settings_from_env(env, &redirect, FALSE, refusals, &error);

  g_assert_no_error(error);
  return s;
}

/* A search domain with a trailing dot is refused: netcfg's AddDNSSearch and
 * the client's environment parsing (which drops it with a refusal). */
static void
test_decision_trailing_dot(void)
{
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(Ovpn3NetSettings) s = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false(ovpn3_net_is_ldh_domain("example.com."));
  g_assert_false(ovpn3_net_check_domain("example.com.", &error));
  g_assert_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_assert_true(ovpn3_net_check_domain("example.com", NULL));

  s = client_settings(refusals, "foreign_option_1", "dhcp-option DOMAIN example.com.",
                      "foreign_option_2", "dhcp-option DOMAIN corp.example");
  g_assert_cmpuint(s->dns_search->len, ==, 1);
  g_assert_cmpstr(s->dns_search->pdata[0], ==, "corp.example");
  g_assert_cmpuint(refusals->len, ==, 1);
  g_assert_cmpstr(refusals->pdata[0], ==,
                  "Ignoring search domain 'example.com.': not a valid domain name");
}

/* A route that merely overlaps loopback (126.0.0.0/7 covers 127.0.0.0/8) is
 * refused like one inside it (127.0.0.0/16), by netcfg's AddNetworks and by
 * the client; a route beside it (126.0.0.0/8) is not. */
static void
test_decision_overlap_loopback(void)
{
  struct
  {
    const char *net, *mask;
    guint prefix;
    gboolean ok;
  } cases[] = {
    { "126.0.0.0", "254.0.0.0", 7, FALSE },    /* overlaps loopback */
    { "127.0.0.0", "255.255.0.0", 16, FALSE }, /* inside loopback */
    { "64.0.0.0", "192.0.0.0", 2, FALSE },     /* overlaps loopback */
    { "126.0.0.0", "255.0.0.0", 8, TRUE },     /* beside it */
    { "128.0.0.0", "192.0.0.0", 2, TRUE },     /* clear of every forbidden range */
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
      g_autoptr(Ovpn3NetSettings) s = client_settings(refusals, "route_network_1", cases[i].net,
                                                      "route_netmask_1", cases[i].mask);
      Ovpn3NetAddr a = ip(cases[i].net);

      g_test_message("%s/%u", cases[i].net, cases[i].prefix);
      /* netcfg */
      g_assert_cmpint(ovpn3_net_check_route(&a, cases[i].prefix, NULL), ==, cases[i].ok);
      /* client */
      g_assert_cmpint(has_route(s, cases[i].net, cases[i].prefix), ==, cases[i].ok);
      g_assert_cmpuint(refusals->len, ==, cases[i].ok ? 0 : 1);
      if (!cases[i].ok)
        g_assert_nonnull(
            strstr(refusals->pdata[0], "loopback, unspecified, broadcast or multicast"));
    }
}

/* ---- the route plan ------------------------------------------------------- */

typedef struct
{
  const char *dst;
  guint prefix;
  int oif;
  const char *gateway; /* NULL: none */
} FakeRoute;

/* The uplink's main table: a default route via 192.0.2.1 on 2, a /24 on 3. */
static const FakeRoute fake_table[] = {
  { "0.0.0.0", 0, 2, "192.0.2.1" },
  { "198.18.0.0", 24, 3, NULL },
  { "::", 0, 2, "fe80::1" },
};

static gboolean
fake_lookup(const Ovpn3NetAddr *dst, Ovpn3NetUplink *out, gpointer user_data)
{
  guint *calls = user_data;
  gboolean found = FALSE;

  (*calls)++;
  for (guint i = 0; i < G_N_ELEMENTS(fake_table); i++)
    {
      Ovpn3NetAddr net = ip(fake_table[i].dst);

      if (!ovpn3_net_addr_in_network(dst, &net, fake_table[i].prefix)
          || (found && fake_table[i].prefix <= out->prefix))
        continue;
      *out = (Ovpn3NetUplink){ .oif = fake_table[i].oif, .prefix = fake_table[i].prefix };
      if (fake_table[i].gateway != NULL)
        {
          out->has_gateway = TRUE;
          out->gateway = ip(fake_table[i].gateway);
        }
      found = TRUE;
    }
  return found;
}

static Ovpn3NetNetwork
network(const char *net, guint prefix, gboolean exclude)
{
  return (Ovpn3NetNetwork){ .net = ip(net), .prefix = prefix, .metric = -1, .exclude = exclude };
}

static void
assert_planned(GArray *plan, guint i, Ovpn3NetPlanKind kind, const char *dst, guint prefix, int oif,
               const char *gateway)
{
  const Ovpn3NetPlannedRoute *r;
  g_autofree char *text = NULL;

  g_assert_cmpuint(i, <, plan->len);
  r = &g_array_index(plan, Ovpn3NetPlannedRoute, i);
  text = ovpn3_net_addr_to_string(&r->dst);
  g_assert_cmpint(r->kind, ==, kind);
  g_assert_cmpstr(text, ==, dst);
  g_assert_cmpuint(r->prefix, ==, prefix);
  g_assert_cmpint(r->oif, ==, oif);
  g_assert_cmpint(r->has_gateway, ==, gateway != NULL);
  if (gateway != NULL)
    {
      g_autofree char *gw = ovpn3_net_addr_to_string(&r->gateway);

      g_assert_cmpstr(gw, ==, gateway);
    }
}

static gboolean
has_note(GPtrArray *notes, const char *start)
{
  for (guint i = 0; i < notes->len; i++)
    if (g_str_has_prefix(notes->pdata[i], start))
      return TRUE;
  return FALSE;
}

/* redirect-gateway def1: server host route through the uplink first, then
 * excludes, pushed networks, and the halves through the tunnel last. */
static void
test_plan_redirect(void)
{
  Ovpn3NetNetwork nets[] = { network("10.20.0.0", 16, FALSE), network("198.18.0.0", 25, TRUE),
                             network("203.0.113.0", 24, TRUE) };
  Ovpn3NetAddr remote = ip("198.51.100.10");
  guint calls = 0;
  Ovpn3NetPlanInput in = { .networks = nets,
                           .n_networks = G_N_ELEMENTS(nets),
                           .remote4 = &remote,
                           .reroute_ipv4 = TRUE,
                           .uplink = fake_lookup,
                           .uplink_data = &calls };
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) plan = ovpn3_net_route_plan(&in, notes);

  g_assert_cmpuint(plan->len, ==, 6);
  assert_planned(plan, 0, OVPN3_NET_PLAN_SERVER, "198.51.100.10", 32, 2, "192.0.2.1");
  assert_planned(plan, 1, OVPN3_NET_PLAN_EXCLUDE, "198.18.0.0", 25, 3, NULL);
  assert_planned(plan, 2, OVPN3_NET_PLAN_EXCLUDE, "203.0.113.0", 24, 2, "192.0.2.1");
  assert_planned(plan, 3, OVPN3_NET_PLAN_TUNNEL, "10.20.0.0", 16, 0, NULL);
  assert_planned(plan, 4, OVPN3_NET_PLAN_HALF, "0.0.0.0", 1, 0, NULL);
  assert_planned(plan, 5, OVPN3_NET_PLAN_HALF, "128.0.0.0", 1, 0, NULL);
  g_assert_cmpuint(notes->len, ==, 0);
  g_assert_cmpuint(calls, >, 0);
}

/* The VPN server: without redirect-gateway a route covering it more
 * specifically than the uplink is left out; with it, the host route planned
 * first is what the later lookups see, so that route may go. */
static void
test_plan_server(void)
{
  Ovpn3NetNetwork nets[] = { network("198.51.100.0", 24, FALSE) };
  Ovpn3NetAddr remote = ip("198.51.100.10");
  guint calls = 0;
  Ovpn3NetPlanInput in = { .networks = nets,
                           .n_networks = 1,
                           .remote4 = &remote,
                           .uplink = fake_lookup,
                           .uplink_data = &calls };
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) plan = ovpn3_net_route_plan(&in, notes);

  g_assert_cmpuint(plan->len, ==, 0);
  g_assert_true(has_note(
      notes, "ignoring route 198.51.100.0/24: it would take the VPN server's own address"));
  g_clear_pointer(&plan, g_array_unref);
  g_ptr_array_set_size(notes, 0);

  in.reroute_ipv4 = TRUE;
  plan = ovpn3_net_route_plan(&in, notes);
  g_assert_cmpuint(plan->len, ==, 4);
  assert_planned(plan, 0, OVPN3_NET_PLAN_SERVER, "198.51.100.10", 32, 2, "192.0.2.1");
  assert_planned(plan, 1, OVPN3_NET_PLAN_TUNNEL, "198.51.100.0", 24, 0, NULL);
  g_assert_cmpuint(notes->len, ==, 0);
}

/* An exclude around the server counts as its uplink for later routes. */
static void
test_plan_exclude_uplink(void)
{
  Ovpn3NetNetwork nets[] = { network("198.51.100.0", 28, TRUE), network("198.51.100.0", 26, FALSE),
                             network("198.51.100.8", 30, FALSE) };
  Ovpn3NetAddr remote = ip("198.51.100.10");
  guint calls = 0;
  Ovpn3NetPlanInput in = { .networks = nets,
                           .n_networks = G_N_ELEMENTS(nets),
                           .remote4 = &remote,
                           .uplink = fake_lookup,
                           .uplink_data = &calls };
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) plan = ovpn3_net_route_plan(&in, notes);

  g_assert_cmpuint(plan->len, ==, 2);
  assert_planned(plan, 0, OVPN3_NET_PLAN_EXCLUDE, "198.51.100.0", 28, 2, "192.0.2.1");
  assert_planned(plan, 1, OVPN3_NET_PLAN_TUNNEL, "198.51.100.0", 26, 0, NULL);
  g_assert_cmpuint(notes->len, ==, 1);
  g_assert_true(has_note(notes, "ignoring route 198.51.100.8/30: it would take"));
}

/* The budget, the notes for what cannot be planned, IPv6 halves and the
 * gateway of a tap tunnel. */
static void
test_plan_budget_and_notes(void)
{
  Ovpn3NetNetwork nets[] = { network("128.0.0.0", 2, FALSE), network("16.0.0.0", 4, FALSE),
                             network("2001:db8::", 32, TRUE), network("fd00:1::", 48, FALSE) };
  Ovpn3NetAddr gw4 = ip("10.8.0.1");
  guint calls = 0;
  Ovpn3NetPlanInput in = { .networks = nets,
                           .n_networks = G_N_ELEMENTS(nets),
                           .reroute_ipv6 = TRUE,
                           .tunnel_gateway4 = &gw4,
                           .uplink = NULL,
                           .uplink_data = &calls };
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) plan = ovpn3_net_route_plan(&in, notes);

  g_assert_cmpuint(plan->len, ==, 4);
  assert_planned(plan, 0, OVPN3_NET_PLAN_TUNNEL, "16.0.0.0", 4, 0, "10.8.0.1");
  assert_planned(plan, 1, OVPN3_NET_PLAN_TUNNEL, "fd00:1::", 48, 0, NULL);
  assert_planned(plan, 2, OVPN3_NET_PLAN_HALF, "::", 1, 0, NULL);
  assert_planned(plan, 3, OVPN3_NET_PLAN_HALF, "8000::", 1, 0, NULL);
  g_assert_cmpuint(notes->len, ==, 3);
  g_assert_true(has_note(notes, "redirect-gateway without the VPN server's address"));
  g_assert_true(has_note(notes, "no route outside the tunnel for the excluded network "
                                "2001:db8::/32"));
  g_assert_true(has_note(notes, "ignoring route 128.0.0.0/2: without redirect-gateway the "
                                "pushed routes may cover at most 1/16 of the IPv4 address "
                                "space together"));
  g_assert_cmpuint(calls, ==, 0);
}

/* ---- the client's environment --------------------------------------------- */

static void
test_env_tunnel(void)
{
  static const char *const bad[][4] = {
    { "ifconfig_local", "0.1.2.3", NULL, NULL },
    { "ifconfig_local", "255.255.255.255", NULL, NULL },
    { "ifconfig_local", "10.1.0.2", "ifconfig_netmask", "0.0.0.0" },
    { "ifconfig_local", "10.99.0.2", "trusted_ip", "10.99.0.2" },
    { "ifconfig_ipv6_local", "fd00::2", "ifconfig_ipv6_netbits", "0" },
    { "ifconfig_ipv6_local", "ff02::2", NULL, NULL },
  };
  Ovpn3NetRedirect redirect = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS(bad); i++)
    {
      g_autoptr(GHashTable) env = env_new(bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL);
      g_autoptr(GError) error = NULL;

      g_test_message("%s=%s", bad[i][0], bad[i][1]);
      g_assert_null(ovpn3_net_settings_from_env(env, &redirect, FALSE, NULL, &error));
      g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_env_settings(void)
{
  g_autoptr(GHashTable) env
      = env_new("ifconfig_local", "10.213.0.2", "ifconfig_netmask", "255.255.255.0", "trusted_ip",
                "10.99.0.2", "route_network_1", "10.214.0.1", "route_netmask_1", "255.255.0.0",
                "route_ipv6_network_1", "2000::/4", "foreign_option_1", "dhcp-option DNS 0.0.0.0",
                "foreign_option_2", "dhcp-option DNS6 2001:db8::53", "tun_mtu", "100", NULL);
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  Ovpn3NetRedirect redirect = { .redirect_ipv6 = TRUE };
  g_autoptr(Ovpn3NetSettings) s
      = ovpn3_net_settings_from_env(env, &redirect, FALSE, refusals, NULL);

  g_assert_nonnull(s);
  g_assert_cmpstr(s->remote, ==, "10.99.0.2");
  g_assert_true(has_route(s, "10.214.0.0", 16)); /* openvpn's host bits go */
  g_assert_cmpuint(s->routes->len, ==, 1);       /* 2000::/4 is a redirect piece */
  g_assert_true(s->reroute_ipv6);
  g_assert_cmpuint(s->dns_servers->len, ==, 1);
  g_assert_cmpstr(s->dns_servers->pdata[0], ==, "2001:db8::53");
  g_assert_cmpuint(s->mtu, ==, 0);
  g_assert_cmpuint(refusals->len, ==, 2); /* DNS 0.0.0.0, MTU 100 */
}

static gboolean
has_string(GPtrArray *list, const char *value)
{
  for (guint i = 0; i < list->len; i++)
    if (g_str_equal(list->pdata[i], value))
      return TRUE;
  return FALSE;
}

/* openvpn 2.6's --dns as pushed by a 2.6 server, and dhcp-option DOMAIN-ROUTE: routing-only
 * domains, one DNSSEC mode and transport for the link; what the resolver cannot do is
 * refused with a message. */
static void
test_env_split_dns(void)
{
  g_autoptr(GHashTable) env = env_new(
      "ifconfig_local", "10.213.0.2", "ifconfig_netmask", "255.255.255.0", "dns_server_1_address_1",
      "10.8.0.53", "dns_server_1_resolve_domain_1", "corp.example", "dns_server_1_resolve_domain_2",
      "lab.example", "dns_server_1_dnssec", "optional", "dns_server_1_transport", "DoT",
      "dns_server_2_address_1", "10.8.0.54", "dns_server_2_port_1", "5353", "dns_server_2_dnssec",
      "yes", "dns_server_2_transport", "DoH", "dns_server_3_address_1", "10.8.0.55",
      "dns_server_3_exclude_domain_1", "public.example", "dns_search_domain_1", "lab.example",
      "foreign_option_1", "dhcp-option DOMAIN-ROUTE route.example", "foreign_option_2",
      "dhcp-option DOMAIN-ROUTE bad..example",
      /* openvpn 2.6's copies of the --dns servers: the refused one stays refused */
      "foreign_option_3", "dhcp-option DNS 10.8.0.54", "foreign_option_4",
      "dhcp-option DNS 10.8.0.53", NULL);
  g_autoptr(GPtrArray) refusals = g_ptr_array_new_with_free_func(g_free);
  Ovpn3NetRedirect redirect = { .redirect_ipv4 = TRUE };
  g_autoptr(Ovpn3NetSettings) s
      = ovpn3_net_settings_from_env(env, &redirect, FALSE, refusals, NULL);

  g_assert_nonnull(s);
  for (guint i = 0; i < refusals->len; i++)
    g_test_message("refused: %s", (const char *) refusals->pdata[i]);
  /* 10.8.0.54 listens on 5353: refused; the others are used */
  g_assert_cmpuint(s->dns_servers->len, ==, 2);
  g_assert_true(has_string(s->dns_servers, "10.8.0.53"));
  g_assert_true(has_string(s->dns_servers, "10.8.0.55"));
  /* lab.example is searched (dns_search_domain), so it is not listed twice */
  g_assert_cmpuint(s->dns_search->len, ==, 1);
  g_assert_cmpstr(s->dns_search->pdata[0], ==, "lab.example");
  g_assert_cmpuint(s->dns_routing->len, ==, 2);
  g_assert_true(has_string(s->dns_routing, "corp.example"));
  g_assert_true(has_string(s->dns_routing, "route.example"));
  g_assert_cmpstr(s->dnssec, ==, "optional");
  g_assert_cmpstr(s->dns_transport, ==, "dot");
  g_assert_true(has_string(refusals, "Ignoring DNS server '10.8.0.54' port 5353: DNS servers are "
                                     "used on port 53 only"));
  g_assert_true(has_string(refusals, "Ignoring the DNSSEC mode 'yes' of DNS server 2: the "
                                     "tunnel's resolver takes one DNSSEC mode for all its "
                                     "servers, 'optional' from the first server that set one"));
  g_assert_true(has_string(refusals, "Ignoring DNS transport DoH of DNS server 2: "
                                     "systemd-resolved has no DNS over HTTPS; its queries go over "
                                     "the tunnel in plain DNS"));
  g_assert_true(has_string(refusals, "Ignoring the exclude-domains of DNS server 3: the tunnel's "
                                     "resolver cannot exclude domains; the server answers every "
                                     "name the tunnel routes to it"));
  g_assert_true(has_string(refusals, "Ignoring DNS routing domain 'bad..example': not a valid "
                                     "domain name"));
  g_assert_cmpuint(refusals->len, ==, 5);

  /* with DNS disabled nothing of it is taken */
  g_clear_pointer(&s, ovpn3_net_settings_free);
  s = ovpn3_net_settings_from_env(env, &redirect, TRUE, NULL, NULL);
  g_assert_cmpuint(s->dns_servers->len + s->dns_search->len + s->dns_routing->len, ==, 0);
  g_assert_null(s->dnssec);
  g_assert_null(s->dns_transport);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/net-policy/addr/parse", test_parse_ip);
  g_test_add_func("/net-policy/addr/networks", test_networks);
  g_test_add_func("/net-policy/tunnel-address", test_tunnel_address);
  g_test_add_func("/net-policy/route/verdicts", test_route_verdicts);
  g_test_add_func("/net-policy/route/redirect-pieces", test_redirect_pieces);
  g_test_add_func("/net-policy/route/budget", test_route_budget);
  g_test_add_func("/net-policy/dns", test_dns);
  g_test_add_func("/net-policy/decision/trailing-dot-domain", test_decision_trailing_dot);
  g_test_add_func("/net-policy/decision/route-overlapping-loopback",
                  test_decision_overlap_loopback);
  g_test_add_func("/net-policy/plan/redirect", test_plan_redirect);
  g_test_add_func("/net-policy/plan/server", test_plan_server);
  g_test_add_func("/net-policy/plan/exclude-uplink", test_plan_exclude_uplink);
  g_test_add_func("/net-policy/plan/budget-and-notes", test_plan_budget_and_notes);
  g_test_add_func("/net-policy/env/tunnel", test_env_tunnel);
  g_test_add_func("/net-policy/env/settings", test_env_settings);
  g_test_add_func("/net-policy/env/split-dns", test_env_split_dns);
  return g_test_run();
}
