#define G_LOG_DOMAIN "ovpn3-test-netcfg-store"

/* netcfg's protected store (netcfg-store.h), the device record and its
 * checks (netcfg-state.h), the resolv.conf backup in the store
 * (netcfg-dns-resolvconf.h). Runs as whoever runs the tests: the store's
 * rule is "the uid netcfg starts as", here that uid. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "netcfg-creator.h"
#include "netcfg-dns-resolvconf.h"
#include "netcfg-state.h"
#include "netcfg-store.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp("netcfg-store-XXXXXX", &error);
  g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  netcfg_store_close();
  dir = g_dir_open(f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *path = g_build_filename(f->dir, name, NULL);

      g_assert_cmpint(g_unlink(path), ==, 0);
    }
  g_assert_cmpint(g_rmdir(f->dir), ==, 0);
  g_free(f->dir);
}

static char *
copy_path(Fixture *f, NetcfgStoreRecord record, guint copy)
{
  g_autofree char *name = netcfg_store_file_name(record, copy);

  return g_build_filename(f->dir, name, NULL);
}

static char *
read_text(const char *path)
{
  char *text = NULL;

  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return text;
}

/* The record's payload as a string ("" = nothing recorded). */
static char *
load_text(NetcfgStoreRecord record, gboolean *damaged)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = netcfg_store_load(record, damaged, &error);
  gsize size = 0;
  const char *data;

  g_assert_no_error(error);
  g_assert_nonnull(payload);
  data = g_bytes_get_data(payload, &size);
  return g_strndup(data != NULL ? data : "", size);
}

static void
save_text(NetcfgStoreRecord record, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true(netcfg_store_save(record, text, strlen(text), &error));
  g_assert_no_error(error);
}

static void
open_store(Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true(netcfg_store_open(f->dir, &error));
  g_assert_no_error(error);
  g_assert_true(netcfg_store_is_open());
  g_assert_null(netcfg_store_unavailable_reason());
}

static void
test_store_roundtrip(Fixture *f, gconstpointer data)
{
  g_autofree char *empty = NULL;
  g_autofree char *second = NULL;
  g_autofree char *again = NULL;
  g_autofree char *c0 = copy_path(f, NETCFG_STORE_DEVICES, 0);
  g_autofree char *c1 = copy_path(f, NETCFG_STORE_DEVICES, 1);
  g_autofree char *t0 = NULL;
  g_autofree char *t1 = NULL;
  struct stat st;

  open_store(f);
  /* the directory private, every copy a 0600 file of ours */
  g_assert_cmpint(g_stat(f->dir, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0700);
  for (guint r = 0; r < NETCFG_STORE_N_RECORDS; r++)
    for (guint c = 0; c < 2; c++)
      {
        g_autofree char *path = copy_path(f, r, c);

        g_assert_cmpint(g_lstat(path, &st), ==, 0);
        g_assert_true(S_ISREG(st.st_mode));
        g_assert_cmpint(st.st_mode & 07777, ==, 0600);
        g_assert_cmpuint(st.st_uid, ==, geteuid());
      }
  empty = load_text(NETCFG_STORE_DEVICES, NULL);
  g_assert_cmpstr(empty, ==, "");
  save_text(NETCFG_STORE_DEVICES, "first");
  save_text(NETCFG_STORE_DEVICES, "second");
  second = load_text(NETCFG_STORE_DEVICES, NULL);
  g_assert_cmpstr(second, ==, "second");
  /* the copies alternate, each with its generation and checksum */
  t0 = read_text(c0);
  t1 = read_text(c1);
  g_assert_true(g_str_has_prefix(t0, "ovpn3-netcfg-store 1 netcfg-state 1 5 "));
  g_assert_true(g_str_has_suffix(t0, "\nfirst"));
  g_assert_true(g_str_has_prefix(t1, "ovpn3-netcfg-store 1 netcfg-state 2 6 "));
  /* a shorter payload over a longer one: truncated; across a reopen the
   * newest copy is found again */
  netcfg_store_close();
  open_store(f);
  again = load_text(NETCFG_STORE_DEVICES, NULL);
  g_assert_cmpstr(again, ==, "second");
  save_text(NETCFG_STORE_DEVICES, "3");
  g_clear_pointer(&t0, g_free);
  t0 = read_text(c0);
  g_assert_true(g_str_has_prefix(t0, "ovpn3-netcfg-store 1 netcfg-state 3 1 "));
  g_assert_true(g_str_has_suffix(t0, "\n3"));
  /* records do not mix */
  g_clear_pointer(&empty, g_free);
  empty = load_text(NETCFG_STORE_RESOLV_BACKUP, NULL);
  g_assert_cmpstr(empty, ==, "");
}

static void
write_file(const char *path, const char *text, gssize length)
{
  g_autoptr(GError) error = NULL;

  g_assert_true(g_file_set_contents(path, text, length, &error));
  g_assert_no_error(error);
}

static void
test_store_torn(Fixture *f, gconstpointer data)
{
  g_autofree char *c0 = copy_path(f, NETCFG_STORE_DEVICES, 0);
  g_autofree char *c1 = copy_path(f, NETCFG_STORE_DEVICES, 1);
  g_autofree char *good = NULL;
  g_autofree char *got = NULL;
  g_autofree char *torn = NULL;
  g_autoptr(GBytes) none = NULL;
  g_autoptr(GError) error = NULL;
  gboolean damaged = FALSE;

  open_store(f);
  save_text(NETCFG_STORE_DEVICES, "older");          /* copy 0, generation 1 */
  save_text(NETCFG_STORE_DEVICES, "the last whole"); /* copy 1, generation 2 */
  good = read_text(c1);
  /* netcfg killed while writing generation 3 into copy 0: the header is
   * there, the payload is not all there */
  netcfg_store_close();
  torn = g_strdup_printf("ovpn3-netcfg-store 1 netcfg-state 3 20 %064d\nthe new o", 0);
  write_file(c0, torn, -1);
  open_store(f);
  got = load_text(NETCFG_STORE_DEVICES, &damaged);
  g_assert_cmpstr(got, ==, "the last whole");
  g_assert_true(damaged);
  /* the next save goes to the damaged copy, the good one stays */
  save_text(NETCFG_STORE_DEVICES, "after");
  g_clear_pointer(&got, g_free);
  got = read_text(c1);
  g_assert_cmpstr(got, ==, good);
  g_clear_pointer(&got, g_free);
  got = load_text(NETCFG_STORE_DEVICES, &damaged);
  g_assert_cmpstr(got, ==, "after");
  g_assert_false(damaged);

  /* one byte changed, a header cut short, another record's copy: none
   * verifies, so nothing is taken (an error, not an empty record) */
  netcfg_store_close();
  g_clear_pointer(&got, g_free);
  got = read_text(c1);
  got[strlen(got) - 1] ^= 1;
  write_file(c1, got, -1);
  write_file(c0, "ovpn3-netcfg-store 1 netcfg-st", -1);
  open_store(f);
  none = netcfg_store_load(NETCFG_STORE_DEVICES, &damaged, &error);
  g_assert_null(none);
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_true(damaged);
  netcfg_store_close();
  {
    g_autofree char *other = copy_path(f, NETCFG_STORE_RESOLV_BACKUP, 0);
    g_autofree char *text = NULL;

    open_store(f);
    save_text(NETCFG_STORE_RESOLV_BACKUP, "a backup");
    netcfg_store_close();
    text = read_text(other);
    write_file(c0, text, -1);
    write_file(c1, "", 0);
    open_store(f);
    g_clear_error(&error);
    g_clear_pointer(&none, g_bytes_unref);
    none = netcfg_store_load(NETCFG_STORE_DEVICES, &damaged, &error);
    g_assert_null(none);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  }
}

static void
test_store_foreign(Fixture *f, gconstpointer data)
{
  g_autofree char *c0 = copy_path(f, NETCFG_STORE_DEVICES, 0);
  g_autofree char *c1 = copy_path(f, NETCFG_STORE_DEVICES, 1);
  g_autofree char *b0 = copy_path(f, NETCFG_STORE_RESOLV_BACKUP, 0);
  g_autofree char *legacy = g_build_filename(f->dir, "netcfg-state.json", NULL);
  g_autofree char *target = g_build_filename(f->dir, "elsewhere", NULL);
  g_autofree char *link2 = g_build_filename(f->dir, "second-link", NULL);
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;
  struct stat st;

  /* what only the directory's owner could have put there: a symbolic
   * link, a hard link, a file with another mode, an older version's file,
   * a group-readable directory */
  write_file(target, "not netcfg's", -1);
  g_assert_cmpint(symlink(target, c0), ==, 0);
  write_file(c1, "x", -1);
  g_assert_cmpint(link(c1, link2), ==, 0);
  write_file(b0, "", 0);
  g_assert_cmpint(g_chmod(b0, 0644), ==, 0);
  write_file(legacy, "{}", -1);
  g_assert_cmpint(g_chmod(f->dir, 0750), ==, 0);
  open_store(f);
  g_assert_cmpint(g_lstat(c0, &st), ==, 0);
  g_assert_true(S_ISREG(st.st_mode));
  g_assert_cmpint(g_lstat(c1, &st), ==, 0);
  g_assert_cmpuint(st.st_nlink, ==, 1);
  g_assert_cmpint(g_lstat(b0, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0600);
  g_assert_false(g_file_test(legacy, G_FILE_TEST_EXISTS));
  g_assert_cmpint(g_stat(f->dir, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 07777, ==, 0700);
  save_text(NETCFG_STORE_DEVICES, "mine");
  got = read_text(target);
  g_assert_cmpstr(got, ==, "not netcfg's");
  g_assert_cmpint(g_unlink(target), ==, 0);
  g_assert_cmpint(g_unlink(link2), ==, 0);
  netcfg_store_close();

  /* a directory of another uid is refused whole (as root only: chown) */
  if (geteuid() == 0)
    {
      g_assert_cmpint(chown(f->dir, 65534, 65534), ==, 0);
      g_assert_false(netcfg_store_open(f->dir, &error));
      g_assert_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_false(netcfg_store_is_open());
      g_assert_nonnull(strstr(netcfg_store_unavailable_reason(), "crash recovery is off"));
      g_assert_false(netcfg_store_save(NETCFG_STORE_DEVICES, "x", 1, NULL));
      g_assert_cmpint(chown(f->dir, 0, 0), ==, 0);
    }
}

static void
test_state_names(void)
{
  const char *ours[] = { "ovpn3t0", "ovpn3a12", "ovpn3t999", "tun0", "a_1", "abcdefghijkl999" };
  const char *not_ours[] = { "",          "0",        "lo",
                             "ovpn3t",    "eth-0",    "ovpn3t 0",
                             "ovpn3/0",   "ovpn3t.0", "abcdefghijklm0",
                             "ovpn3t0\n", "ovpn3tÿ0", "abcdefghijklmn0" };

  for (guint i = 0; i < G_N_ELEMENTS(ours); i++)
    g_assert_true(netcfg_state_device_name_is_ours(ours[i]));
  for (guint i = 0; i < G_N_ELEMENTS(not_ours); i++)
    g_assert_false(netcfg_state_device_name_is_ours(not_ours[i]));
}

static gboolean
route_ok(const char *json, int device_ifindex)
{
  g_autoptr(JsonNode) node = json_from_string(json, NULL);
  g_autofree char *why = NULL;
  NetcfgRoute route = { 0 };
  gboolean ok;

  g_assert_nonnull(node);
  ok = netcfg_state_parse_uplink_route(node, device_ifindex, &route, &why);
  g_assert_true(ok == (why == NULL));
  return ok;
}

static void
test_state_routes(void)
{
  g_autoptr(JsonNode) node = json_from_string(
      "{\"dst\": \"203.0.113.10\", \"prefix\": 32, \"gateway\": \"198.51.100.1\", \"oif\": 2, "
      "\"metric\": -1}",
      NULL);
  NetcfgRoute route = { 0 };
  g_autofree char *why = NULL;
  g_autofree char *shown = NULL;

  g_assert_true(netcfg_state_parse_uplink_route(node, 7, &route, &why));
  shown = netcfg_route_to_string(&route);
  g_assert_nonnull(strstr(shown, "203.0.113.10/32"));
  g_assert_cmpint(route.oif, ==, 2);
  g_assert_true(route.has_gateway);
  /* an excluded network; IPv6; no gateway; a metric */
  g_assert_true(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 2}", 7));
  g_assert_true(route_ok("{\"dst\": \"2001:db8::\", \"prefix\": 32, \"gateway\": \"fe80::1\", "
                         "\"oif\": 2, \"metric\": 100}",
                         7));
  /* never the default route, its halves, host bits, what is forbidden */
  g_assert_false(route_ok("{\"dst\": \"0.0.0.0\", \"prefix\": 0, \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"128.0.0.0\", \"prefix\": 1, \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"::\", \"prefix\": 0, \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.1\", \"prefix\": 24, \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"127.0.0.1\", \"prefix\": 32, \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"224.0.0.0\", \"prefix\": 4, \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 33, \"oif\": 2}", 7));
  /* outside the tunnel: not through the device itself, an interface */
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 7}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 0}", 7));
  /* types and ranges */
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": \"24\", \"oif\": 2}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 2.5}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 4294967298}", 7));
  g_assert_false(
      route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 2, \"metric\": -2}", 7));
  g_assert_false(
      route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 2, \"gateway\": \"::1\"}", 7));
  g_assert_false(
      route_ok("{\"dst\": \"192.0.2.0\", \"prefix\": 24, \"oif\": 2, \"gateway\": 5}", 7));
  g_assert_false(route_ok("{\"dst\": \"192.0.2.0/24\", \"prefix\": 24, \"oif\": 2}", 7));
  g_assert_false(route_ok("[1]", 7));
}

/* /proc/PID/stat field 22, the creator's start time (netcfg-creator.h);
 * a command name may hold ") " and spaces */
static void
test_creator_stat(void)
{
  const char *tail = " S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 987654 20 21\n";
  g_autofree char *plain = g_strconcat("42 (openvpn)", tail, NULL);
  g_autofree char *tricky = g_strconcat("42 (a) 1 2 (b c)", tail, NULL);
  guint64 start = 0, mine = 0;

  g_assert_true(netcfg_creator_parse_stat(plain, &start));
  g_assert_cmpuint(start, ==, 987654);
  start = 0;
  g_assert_true(netcfg_creator_parse_stat(tricky, &start));
  g_assert_cmpuint(start, ==, 987654);
  g_assert_false(netcfg_creator_parse_stat("42 (x) S 1 2 3", &start));
  g_assert_false(
      netcfg_creator_parse_stat("42 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 1", &start));
  g_assert_false(netcfg_creator_parse_stat(
      "42 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -5 20", &start));
  g_assert_false(netcfg_creator_parse_stat("", &start));
  /* this process: what /proc says, and nothing for a PID that is not there */
  g_assert_true(netcfg_creator_start_time((guint32) getpid(), &mine));
  g_assert_cmpuint(mine, >, 0);
  g_assert_false(netcfg_creator_start_time(0, &mine));
}

static void
count_log(gpointer user_data, gboolean error, const char *message)
{
  g_test_message("logged%s: %s", error ? " (error)" : "", message);
  (*(guint *) user_data)++;
}

static void
test_state_recover(Fixture *f, gconstpointer data)
{
  g_autoptr(NetcfgNetlink) nl = netcfg_netlink_new(NULL);
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func((GDestroyNotify) json_node_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *left = NULL;
  guint logged = 0;

  g_assert_nonnull(nl);
  /* without a store: nothing saved, nothing recovered, no error */
  g_assert_true(netcfg_state_save(devices, &error));
  g_assert_cmpuint(netcfg_state_recover(nl, NULL, count_log, &logged), ==, 0);
  open_store(f);
  g_assert_true(netcfg_state_save(devices, &error));
  g_assert_cmpuint(netcfg_state_recover(nl, NULL, count_log, &logged), ==, 0);
  g_assert_cmpuint(logged, ==, 0);
  /* a device that no longer exists (nothing to do, nothing said), a
   * malformed route, a name netcfg does not make, no index: nothing
   * touched (no route here is well-formed: this runs on the host) */
  g_ptr_array_add(devices,
                  json_from_string("{\"name\": \"ovpn3gone9\", \"ifindex\": 99999, "
                                   "\"uplink_routes\": [{\"dst\": \"x\", \"prefix\": 99}]}",
                                   NULL));
  g_ptr_array_add(devices, json_from_string("{\"name\": \"lo\", \"ifindex\": 1}", NULL));
  g_ptr_array_add(devices, json_from_string("{\"name\": \"ovpn3t3\"}", NULL));
  g_assert_true(netcfg_state_save(devices, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(netcfg_state_recover(nl, NULL, count_log, &logged), ==, 0);
  g_assert_cmpuint(logged, ==, 3);
  /* done with it: the record is empty */
  left = load_text(NETCFG_STORE_DEVICES, NULL);
  g_assert_cmpstr(left, ==, "");
  /* not JSON, another version: one line each */
  logged = 0;
  save_text(NETCFG_STORE_DEVICES, "{not json");
  g_assert_cmpuint(netcfg_state_recover(nl, NULL, count_log, &logged), ==, 0);
  save_text(NETCFG_STORE_DEVICES, "{\"version\": 2, \"devices\": []}");
  g_assert_cmpuint(netcfg_state_recover(nl, NULL, count_log, &logged), ==, 0);
  g_assert_cmpuint(logged, ==, 2);
}

/* ---- resolv.conf backup in the store --------------------------------------- */

/* As an admin's editor might, but in place: netcfg holds resolv.conf
 * open and reads it through that descriptor. */
static void
write_in_place(const char *path, const char *text)
{
  int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);

  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(write(fd, text, strlen(text)), ==, (gssize) strlen(text));
  g_assert_cmpint(close(fd), ==, 0);
}

static void
test_resolvconf_backup(Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename(f->dir, "resolv.conf", NULL);
  const char *original = "nameserver 192.0.2.53\n";
  g_autoptr(GPtrArray) servers = g_ptr_array_new();
  g_autoptr(GPtrArray) domains = g_ptr_array_new();
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *record = NULL;
  g_autoptr(GError) error = NULL;

  write_file(file, original, -1);
  g_assert_true(netcfg_resolvconf_open(file, &error));
  g_assert_no_error(error);
  g_ptr_array_add(servers, "10.8.0.1");
  /* no store: no rewrite (there would be no protected backup) */
  g_assert_false(netcfg_resolvconf_apply(servers, domains, TRUE, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED);
  g_clear_error(&error);
  text = read_text(file);
  g_assert_cmpstr(text, ==, original);
  open_store(f);
  /* nothing to restore */
  g_assert_true(netcfg_resolvconf_restore(&error));
  g_assert_true(netcfg_resolvconf_apply(servers, domains, TRUE, &error));
  g_assert_no_error(error);
  g_clear_pointer(&text, g_free);
  text = read_text(file);
  g_assert_nonnull(strstr(text, "nameserver 10.8.0.1\n"));
  g_assert_null(strstr(text, "192.0.2.53"));
  record = load_text(NETCFG_STORE_RESOLV_BACKUP, NULL);
  g_assert_nonnull(strstr(record, "\"original\":\"bmFtZXNlcnZlciAxOTIuMC4yLjUzCg==\""));
  /* a second apply keeps the first backup (the original) */
  g_assert_true(netcfg_resolvconf_apply(servers, domains, FALSE, &error));
  g_assert_true(netcfg_resolvconf_restore(&error));
  g_assert_no_error(error);
  again = read_text(file);
  g_assert_cmpstr(again, ==, original);
  g_clear_pointer(&record, g_free);
  record = load_text(NETCFG_STORE_RESOLV_BACKUP, NULL);
  g_assert_cmpstr(record, ==, "");
}

static void
test_resolvconf_recover(Fixture *f, gconstpointer data)
{
  g_autofree char *file = g_build_filename(f->dir, "resolv.conf", NULL);
  const char *original = "nameserver 192.0.2.53\n";
  const char *admin = "# the admin's, written while netcfg was down\nnameserver 192.0.2.54\n";
  g_autoptr(GPtrArray) servers = g_ptr_array_new();
  g_autoptr(GPtrArray) domains = g_ptr_array_new();
  g_autofree char *text = NULL;
  g_autofree char *record = NULL;
  g_autoptr(GError) error = NULL;
  guint logged = 0;

  write_file(file, original, -1);
  g_assert_true(netcfg_resolvconf_open(file, &error));
  open_store(f);
  g_ptr_array_add(servers, "10.8.0.1");
  /* killed after two rewrites: the start-up writes the original back */
  g_assert_true(netcfg_resolvconf_apply(servers, domains, TRUE, &error));
  g_ptr_array_add(servers, "10.8.0.2");
  g_assert_true(netcfg_resolvconf_apply(servers, domains, FALSE, &error));
  g_assert_no_error(error);
  netcfg_resolvconf_recover(count_log, &logged);
  g_assert_cmpuint(logged, ==, 1);
  text = read_text(file);
  g_assert_cmpstr(text, ==, original);
  record = load_text(NETCFG_STORE_RESOLV_BACKUP, NULL);
  g_assert_cmpstr(record, ==, "");
  /* nothing recorded: nothing done, nothing said */
  netcfg_resolvconf_recover(count_log, &logged);
  g_assert_cmpuint(logged, ==, 1);

  /* killed; then the admin wrote resolv.conf: it stays, the backup goes */
  g_assert_true(netcfg_resolvconf_apply(servers, domains, TRUE, &error));
  write_in_place(file, admin);
  logged = 0;
  netcfg_resolvconf_recover(count_log, &logged);
  g_assert_cmpuint(logged, ==, 1);
  g_clear_pointer(&text, g_free);
  text = read_text(file);
  g_assert_cmpstr(text, ==, admin);
  g_clear_pointer(&record, g_free);
  record = load_text(NETCFG_STORE_RESOLV_BACKUP, NULL);
  g_assert_cmpstr(record, ==, "");
  /* the next apply backs up the admin's file */
  g_assert_true(netcfg_resolvconf_apply(servers, domains, TRUE, &error));
  g_assert_true(netcfg_resolvconf_restore(&error));
  g_clear_pointer(&text, g_free);
  text = read_text(file);
  g_assert_cmpstr(text, ==, admin);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add("/netcfg/store/roundtrip", Fixture, NULL, fixture_set_up, test_store_roundtrip,
             fixture_tear_down);
  g_test_add("/netcfg/store/torn", Fixture, NULL, fixture_set_up, test_store_torn,
             fixture_tear_down);
  g_test_add("/netcfg/store/foreign", Fixture, NULL, fixture_set_up, test_store_foreign,
             fixture_tear_down);
  g_test_add_func("/netcfg/state/names", test_state_names);
  g_test_add_func("/netcfg/state/routes", test_state_routes);
  g_test_add_func("/netcfg/state/creator-stat", test_creator_stat);
  g_test_add("/netcfg/state/recover", Fixture, NULL, fixture_set_up, test_state_recover,
             fixture_tear_down);
  g_test_add("/netcfg/resolvconf/backup", Fixture, NULL, fixture_set_up, test_resolvconf_backup,
             fixture_tear_down);
  g_test_add("/netcfg/resolvconf/recover", Fixture, NULL, fixture_set_up, test_resolvconf_recover,
             fixture_tear_down);
  return g_test_run();
}
