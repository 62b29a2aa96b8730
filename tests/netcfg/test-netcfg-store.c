#define G_LOG_DOMAIN "ovpn3-test-netcfg-store"

/* netcfg's protected store (netcfg-store.h). Runs as whoever runs the
 * tests: the store's rule is "the uid netcfg starts as", here that uid. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

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
  return g_test_run();
}
