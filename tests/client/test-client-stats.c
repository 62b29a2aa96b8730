#define G_LOG_DOMAIN "ovpn3-test-client-stats"

#include "config.h"

#include "client-stats.h"

static gint64
lookup(GVariant *dict, const char *key, gboolean *found)
{
  gint64 value = 0;

  *found = g_variant_lookup(dict, key, "x", &value);
  return value;
}

static void
test_variant(void)
{
  Ovpn3ClientStats s = { 0 };
  g_autoptr(GVariant) empty = NULL;
  g_autoptr(GVariant) v = NULL;
  gboolean found;

  empty = g_variant_ref_sink(ovpn3_client_stats_to_variant(&s));
  g_assert_cmpstr(g_variant_get_type_string(empty), ==, "a{sx}");
  g_assert_cmpuint(g_variant_n_children(empty), ==, 0);

  s.bytes_in = 1000;
  s.bytes_out = 2000;
  s.tun.tx_bytes = 84 * 3; /* the kernel transmitted = openvpn read from the device */
  s.tun.tx_packets = 3;
  s.tun.rx_bytes = 84 * 2; /* the kernel received = openvpn wrote to the device */
  s.tun.rx_packets = 2;
  s.n_reconnect = 0;
  s.n_pause = (guint64) G_MAXINT64 + 5;
  v = g_variant_ref_sink(ovpn3_client_stats_to_variant(&s));
  g_assert_cmpint(lookup(v, "BYTES_IN", &found), ==, 1000);
  g_assert_cmpint(lookup(v, "BYTES_OUT", &found), ==, 2000);
  g_assert_cmpint(lookup(v, "TUN_BYTES_IN", &found), ==, 84 * 3);
  g_assert_cmpint(lookup(v, "TUN_PACKETS_IN", &found), ==, 3);
  g_assert_cmpint(lookup(v, "TUN_BYTES_OUT", &found), ==, 84 * 2);
  g_assert_cmpint(lookup(v, "TUN_PACKETS_OUT", &found), ==, 2);
  g_assert_cmpint(lookup(v, "N_PAUSE", &found), ==, G_MAXINT64);
  /* zero counters are left out; openvpn 2.6 has no link packet counters */
  lookup(v, "N_RECONNECT", &found);
  g_assert_false(found);
  lookup(v, "PACKETS_IN", &found);
  g_assert_false(found);
  lookup(v, "PACKETS_OUT", &found);
  g_assert_false(found);
  g_assert_cmpuint(g_variant_n_children(v), ==, 7);
}

static void
test_read(void)
{
  Ovpn3ClientLinkStats st = { 0 };
  g_autoptr(GError) error = NULL;
  gint ifindex = 0;

  /* loopback exists in every network namespace */
  g_assert_true(ovpn3_client_link_stats_read("lo", &ifindex, &st, &error));
  g_assert_no_error(error);
  g_assert_cmpint(ifindex, >, 0);
  /* again, by index */
  g_assert_true(ovpn3_client_link_stats_read("lo", &ifindex, &st, &error));
  g_assert_no_error(error);

  /* the index now names another device: not ours */
  g_assert_false(ovpn3_client_link_stats_read("ovpn3tgone0", &ifindex, &st, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error(&error);

  ifindex = 0;
  g_assert_false(ovpn3_client_link_stats_read("ovpn3tgone0", &ifindex, &st, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_cmpint(ifindex, ==, 0);
}

static void
test_net_dev(void)
{
  const char *text
      = "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
        "drop fifo colls carrier compressed\n"
        "    lo:    1234      12    0    0    0     0          0         0     1234      12    0 "
        "   0    0     0       0          0\n"
        "ovpn3t0: 18446744073709551615 7 0 0 0 0 0 0 4096 3 0 0 0 0 0 0\n"
        "  bad0: 1 2 3\n"
        "  neg0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n";
  Ovpn3ClientLinkStats st = { 0 };

  g_assert_true(ovpn3_client_parse_net_dev(text, "ovpn3t0", &st));
  g_assert_cmpuint(st.rx_bytes, ==, G_MAXUINT64);
  g_assert_cmpuint(st.rx_packets, ==, 7);
  g_assert_cmpuint(st.tx_bytes, ==, 4096);
  g_assert_cmpuint(st.tx_packets, ==, 3);
  g_assert_true(ovpn3_client_parse_net_dev(text, "lo", &st));
  g_assert_cmpuint(st.tx_bytes, ==, 1234);
  /* a prefix of a name is not the name; short or negative lines are refused */
  g_assert_false(ovpn3_client_parse_net_dev(text, "ovpn3", &st));
  g_assert_false(ovpn3_client_parse_net_dev(text, "bad0", &st));
  g_assert_false(ovpn3_client_parse_net_dev(text, "neg0", &st));
  g_assert_false(ovpn3_client_parse_net_dev("", "lo", &st));
}

static void
test_load_stats(void)
{
  guint64 in = 0, out = 0;

  g_assert_true(ovpn3_client_parse_load_stats("nclients=0,bytesin=5017,bytesout=4911", &in, &out));
  g_assert_cmpuint(in, ==, 5017);
  g_assert_cmpuint(out, ==, 4911);
  g_assert_true(
      ovpn3_client_parse_load_stats("bytesout=1,bytesin=18446744073709551615", &in, &out));
  g_assert_cmpuint(in, ==, G_MAXUINT64);
  g_assert_cmpuint(out, ==, 1);
  g_assert_false(ovpn3_client_parse_load_stats(NULL, &in, &out));
  g_assert_false(ovpn3_client_parse_load_stats("", &in, &out));
  g_assert_false(ovpn3_client_parse_load_stats("nclients=0,bytesin=5", &in, &out));
  g_assert_false(ovpn3_client_parse_load_stats("bytesin=-1,bytesout=2", &in, &out));
  g_assert_false(ovpn3_client_parse_load_stats("bytesin=1x,bytesout=2", &in, &out));
  g_assert_false(ovpn3_client_parse_load_stats("bytesinx=1,bytesout=2", &in, &out));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/client/stats/variant", test_variant);
  g_test_add_func("/client/stats/read", test_read);
  g_test_add_func("/client/stats/load-stats", test_load_stats);
  g_test_add_func("/client/stats/net-dev", test_net_dev);
  return g_test_run();
}
