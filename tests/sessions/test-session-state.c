#define G_LOG_DOMAIN "ovpn3-test-session-state"

/* The session manager's state file is read back only as far as it is valid
 * (services/sessionmgr/session-state-store.h): no file is no record, a file that is not a
 * state file is an error, an invalid record is skipped and the others are kept. */

#include "config.h"

#include <glib/gstdio.h>

#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "session-state-store.h"

static char *
write_state(const char *dir, const char *text)
{
  char *path = g_build_filename(dir, OVPN3_SESSIONMGR_STATE_FILE, NULL);

  g_assert_true(
      g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL));
  return path;
}

/* A valid record of session path, its backend :1.<pid> with that pid, overridden by extra
 * (JSON members, ", …"). */
static char *
record(const char *path, guint pid, const char *extra)
{
  return g_strdup_printf(
      "{\"path\": \"%s\", \"config_path\": \"/net/openvpn/v3/configuration/abc\","
      " \"config_name\": \"work\", \"owner\": 1000, \"acl\": [1001], \"public_access\": false,"
      " \"restrict_log_access\": true, \"created\": 1700000000, \"log_verbosity\": 3,"
      " \"status_major\": 2, \"status_minor\": 7, \"status_message\": \"\","
      " \"backend_unique_name\": \":1.%u\", \"backend_bus_name\": "
      "\"net.openvpn.v3.backends.be%u\", \"backend_pid\": %u, \"log_forwards\": [\":1.9\"]%s}",
      path, pid, pid, pid, extra);
}

static void
test_state_load(void)
{
  g_autofree char *dir = g_dir_make_tmp("ovpn3-state-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, OVPN3_SESSIONMGR_STATE_FILE, NULL);
  g_autofree char *s1 = ovpn3_object_path_new(OVPN3_SESSIONS_PATH_PREFIX, OVPN3_ID_SEP_SESSION);
  g_autofree char *s2 = ovpn3_object_path_new(OVPN3_SESSIONS_PATH_PREFIX, OVPN3_ID_SEP_SESSION);
  g_autofree char *good = record(s1, 42, "");
  g_autofree char *bad_acl = record(s2, 43, ", \"acl\": [-1]");
  g_autofree char *bad_name = record(s2, 44, ", \"backend_bus_name\": \"net.openvpn.v3.x\"");
  g_autofree char *bad_path = record("/net/openvpn/v3/sessions/../x", 45, "");
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  Ovpn3SessionRecord *r;
  g_auto(GStrv) targets = NULL;

  /* no file: nothing recorded */
  records = ovpn3_session_state_load(path, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(records->len, ==, 0);
  g_clear_pointer(&records, g_ptr_array_unref);

  /* one valid record among invalid ones */
  text = g_strdup_printf("{\"version\": 1, \"sessions\": [%s, %s, %s, %s, 7]}", bad_acl, good,
                         bad_name, bad_path);
  g_free(write_state(dir, text));
  records = ovpn3_session_state_load(path, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(records->len, ==, 1);
  r = g_ptr_array_index(records, 0);
  g_assert_cmpstr(r->path, ==, s1);
  g_assert_cmpstr(r->unique_name, ==, ":1.42");
  g_assert_cmpstr(r->bus_name, ==, "net.openvpn.v3.backends.be42");
  g_assert_cmpuint(r->pid, ==, 42);
  targets = ovpn3_session_record_log_targets(r);
  g_assert_cmpstrv(targets, ((const char *const[]){ ":1.9", NULL }));
  g_clear_pointer(&records, g_ptr_array_unref);

  /* not a state file of this version: an error, nothing kept */
  g_free(write_state(dir, "{\"version\": 2, \"sessions\": []}"));
  g_assert_null(ovpn3_session_state_load(path, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error(&error);
  g_free(write_state(dir, "[1, 2"));
  g_assert_null(ovpn3_session_state_load(path, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);

  /* readable by others: refused (ovpn3-state-file.h) */
  g_free(write_state(dir, text));
  g_assert_cmpint(g_chmod(path, 0644), ==, 0);
  g_assert_null(ovpn3_session_state_load(path, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);

  g_assert_cmpint(g_unlink(path), ==, 0);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static guint64
inode_of(const char *path)
{
  GStatBuf st;

  g_assert_cmpint(g_stat(path, &st), ==, 0);
  return st.st_ino;
}

/* Nothing is written when nothing would change: no file and nothing to record, or a private
 * file of ours holding exactly that (a start with nothing to take back writes nothing). */
static void
test_state_save_unchanged(void)
{
  g_autofree char *dir = g_dir_make_tmp("ovpn3-state-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, OVPN3_SESSIONMGR_STATE_FILE, NULL);
  g_autofree char *s1 = ovpn3_object_path_new(OVPN3_SESSIONS_PATH_PREFIX, OVPN3_ID_SEP_SESSION);
  g_autofree char *good = record(s1, 42, "");
  g_autofree char *text = g_strdup_printf("{\"version\": 1, \"sessions\": [%s]}", good);
  g_autoptr(GPtrArray) none = g_ptr_array_new();
  g_autoptr(GPtrArray) one = g_ptr_array_new();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  GStatBuf st;
  guint64 ino;

  g_assert_true(ovpn3_session_state_save(path, none, &error));
  g_assert_no_error(error);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));

  g_free(write_state(dir, text));
  loaded = ovpn3_session_state_load(path, &error);
  g_assert_no_error(error);
  g_ptr_array_add(one, ((Ovpn3SessionRecord *) g_ptr_array_index(loaded, 0))->node);
  g_assert_true(ovpn3_session_state_save(path, one, &error)); /* our format: rewritten */
  ino = inode_of(path);
  g_assert_true(ovpn3_session_state_save(path, one, &error)); /* the same: left alone */
  g_assert_no_error(error);
  g_assert_cmpuint(inode_of(path), ==, ino);

  /* readable by others: written again, 0600 */
  g_assert_cmpint(g_chmod(path, 0644), ==, 0);
  g_assert_true(ovpn3_session_state_save(path, one, &error));
  g_assert_cmpuint(inode_of(path), !=, ino);
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpuint(st.st_mode & 0777, ==, 0600);

  /* nothing left to record: written once, then left alone */
  g_assert_true(ovpn3_session_state_save(path, none, &error));
  ino = inode_of(path);
  g_clear_pointer(&loaded, g_ptr_array_unref);
  loaded = ovpn3_session_state_load(path, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(loaded->len, ==, 0);
  g_assert_true(ovpn3_session_state_save(path, none, &error));
  g_assert_cmpuint(inode_of(path), ==, ino);

  g_assert_cmpint(g_unlink(path), ==, 0);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* an invalid record is skipped with a warning */
  g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
  g_test_add_func("/sessionmgr/state/load", test_state_load);
  g_test_add_func("/sessionmgr/state/save-unchanged", test_state_save_unchanged);
  return g_test_run();
}
