#define G_LOG_DOMAIN "ovpn3-test-log-unit"

#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log-settings.h"
#include "log-writer.h"
#include "ovpn3-names.h"

/* ---- settings ---------------------------------------------------------- */

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp("ovpn3-log-unit-XXXXXX", &error);
  g_assert_no_error(error);
  f->path = g_build_filename(f->dir, OVPN3_LOG_SETTINGS_FILE, NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  g_autoptr(GDir) dir = g_dir_open(f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name(dir)) != NULL)
    {
      g_autofree char *p = g_build_filename(f->dir, name, NULL);
      g_unlink(p);
    }
  g_rmdir(f->dir);
  g_free(f->path);
  g_free(f->dir);
}

static void
write_file(const char *path, const char *content)
{
  int fd = g_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(write(fd, content, strlen(content)), ==, (gssize) strlen(content));
  g_close(fd, NULL);
}

static void
test_settings_defaults(Fixture *f, gconstpointer data)
{
  Ovpn3LogSettings s;
  g_autoptr(GError) error = NULL;

  ovpn3_log_settings_init(&s);
  g_assert_cmpuint(s.log_level, ==, 3);
  g_assert_false(s.log_dbus_details);
  g_assert_true(s.log_prefix_logtag);
  g_assert_true(s.timestamp);
  /* a missing file is fine and changes nothing */
  g_assert_true(ovpn3_log_settings_load(&s, f->path, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(s.log_level, ==, 3);
}

static void
test_settings_round_trip(Fixture *f, gconstpointer data)
{
  Ovpn3LogSettings s, loaded;
  g_autoptr(GError) error = NULL;
  GStatBuf st;

  ovpn3_log_settings_init(&s);
  s.log_level = 6;
  s.log_dbus_details = TRUE;
  s.log_prefix_logtag = FALSE;
  s.timestamp = FALSE;
  s.idle_exit_minutes = 15;
  g_assert_true(ovpn3_log_settings_save(&s, f->path, &error));
  g_assert_no_error(error);
  g_assert_cmpint(g_stat(f->path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);

  ovpn3_log_settings_init(&loaded);
  g_assert_true(ovpn3_log_settings_load(&loaded, f->path, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(loaded.log_level, ==, 6);
  g_assert_true(loaded.log_dbus_details);
  g_assert_false(loaded.log_prefix_logtag);
  g_assert_false(loaded.timestamp);
  g_assert_cmpuint(loaded.idle_exit_minutes, ==, 15);
}

static void
test_settings_partial(Fixture *f, gconstpointer data)
{
  Ovpn3LogSettings s;
  g_autoptr(GError) error = NULL;

  write_file(f->path, "{\"timestamp\": false, \"something_new\": [1, 2]}");
  ovpn3_log_settings_init(&s);
  g_assert_true(ovpn3_log_settings_load(&s, f->path, &error));
  g_assert_no_error(error);
  g_assert_false(s.timestamp);
  g_assert_cmpuint(s.log_level, ==, 3);
  g_assert_true(s.log_prefix_logtag);
  g_assert_cmpuint(s.idle_exit_minutes, ==, 0);
}

static void
test_settings_invalid(Fixture *f, gconstpointer data)
{
  static const char *const bad[] = {
    "",
    "{",
    "[]",
    "\"log_level\"",
    "{\"log_level\": 7}",
    "{\"log_level\": -1}",
    "{\"log_level\": 3.5}",
    "{\"log_level\": \"3\"}",
    "{\"log_level\": 99999999999999}",
    "{\"log_dbus_details\": 1}",
    "{\"log_prefix_logtag\": null}",
    "{\"timestamp\": \"true\"}",
    "{\"log_level\": 6, \"timestamp\": {}}",
    "{\"idle_exit\": -1}",
    "{\"idle_exit\": 10081}",
    "{\"idle_exit\": \"5\"}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
    {
      Ovpn3LogSettings s;
      g_autoptr(GError) error = NULL;

      write_file(f->path, bad[i]);
      ovpn3_log_settings_init(&s);
      s.log_level = 2; /* must stay as it was */
      g_assert_false(ovpn3_log_settings_load(&s, f->path, &error));
      g_assert_nonnull(error);
      g_assert_cmpuint(s.log_level, ==, 2);
      g_assert_true(s.timestamp);
      g_assert_false(s.log_dbus_details);
    }
}

static void
test_settings_unsafe_file(Fixture *f, gconstpointer data)
{
  Ovpn3LogSettings s;
  g_autoptr(GError) error = NULL;

  write_file(f->path, "{\"log_level\": 6}");
  g_assert_cmpint(g_chmod(f->path, 0644), ==, 0);
  ovpn3_log_settings_init(&s);
  g_assert_false(ovpn3_log_settings_load(&s, f->path, &error));
  g_assert_cmpuint(s.log_level, ==, 3);
}

/* ---- writer -------------------------------------------------------------- */

static void
test_names(void)
{
  Ovpn3LogMethod m;

  g_assert_cmpstr(ovpn3_log_group_name(OVPN3_LOG_GROUP_UNDEFINED), ==, "UNDEFINED");
  g_assert_cmpstr(ovpn3_log_group_name(OVPN3_LOG_GROUP_BACKENDPROC), ==, "BACKENDPROC");
  g_assert_cmpstr(ovpn3_log_group_name(OVPN3_LOG_GROUP_EXTSERVICE), ==, "EXTSERVICE");
  g_assert_cmpstr(ovpn3_log_group_name(OVPN3_LOG_GROUP_LAST + 1), ==, "UNKNOWN");
  g_assert_cmpstr(ovpn3_log_group_name(G_MAXUINT32), ==, "UNKNOWN");
  g_assert_cmpstr(ovpn3_log_category_name(OVPN3_LOG_CATEGORY_DEBUG), ==, "DEBUG");
  g_assert_cmpstr(ovpn3_log_category_name(OVPN3_LOG_CATEGORY_FATAL), ==, "FATAL");
  g_assert_cmpstr(ovpn3_log_category_name(OVPN3_LOG_CATEGORY_LAST + 1), ==, "UNKNOWN");

  g_assert_cmpint(ovpn3_log_category_priority(OVPN3_LOG_CATEGORY_DEBUG), ==, LOG_DEBUG);
  g_assert_cmpint(ovpn3_log_category_priority(OVPN3_LOG_CATEGORY_INFO), ==, LOG_INFO);
  g_assert_cmpint(ovpn3_log_category_priority(OVPN3_LOG_CATEGORY_WARN), ==, LOG_WARNING);
  g_assert_cmpint(ovpn3_log_category_priority(OVPN3_LOG_CATEGORY_ERROR), ==, LOG_ERR);
  g_assert_cmpint(ovpn3_log_category_priority(OVPN3_LOG_CATEGORY_CRIT), ==, LOG_CRIT);
  g_assert_cmpint(ovpn3_log_category_priority(OVPN3_LOG_CATEGORY_FATAL), ==, LOG_ALERT);
  g_assert_cmpint(ovpn3_log_category_priority(1000), ==, LOG_NOTICE);

  g_assert_true(ovpn3_log_method_from_string("journald", &m));
  g_assert_cmpint(m, ==, OVPN3_LOG_METHOD_JOURNALD);
  g_assert_true(ovpn3_log_method_from_string("file", &m));
  g_assert_cmpint(m, ==, OVPN3_LOG_METHOD_FILE);
  g_assert_true(ovpn3_log_method_from_string("stderr", &m));
  g_assert_cmpint(m, ==, OVPN3_LOG_METHOD_STDERR);
  g_assert_false(ovpn3_log_method_from_string("syslog", &m));
  g_assert_false(ovpn3_log_method_from_string(NULL, &m));
  g_assert_cmpstr(ovpn3_log_method_to_string(OVPN3_LOG_METHOD_FILE), ==, "file");
}

static char *
read_all(const char *path)
{
  char *text = NULL;

  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  return text;
}

static void
test_writer_file(Fixture *f, gconstpointer data)
{
  g_autofree char *logfile = g_build_filename(f->dir, "out.log", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3LogWriter) writer = NULL;
  g_autofree char *text = NULL;
  Ovpn3LogSettings s;
  Ovpn3LogEvent event = {
    .group = OVPN3_LOG_GROUP_CLIENT,
    .category = OVPN3_LOG_CATEGORY_WARN,
    .message = "line one\nforged\tline\r\x1b[31m",
    .service = "net.openvpn.v3.backends",
    .bus_name = ":1.42",
    .object_path = "/net/openvpn/v3/backends/session",
    .tag = "12345",
    .session_path = "/net/openvpn/v3/sessions/abc",
    .session_token = "tok",
  };
  GStatBuf st;

  g_assert_null(ovpn3_log_writer_new(OVPN3_LOG_METHOD_FILE, NULL, &error));
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error(&error);

  writer = ovpn3_log_writer_new(OVPN3_LOG_METHOD_FILE, logfile, &error);
  g_assert_no_error(error);
  g_assert_cmpint(ovpn3_log_writer_get_method(writer), ==, OVPN3_LOG_METHOD_FILE);
  g_assert_cmpint(g_stat(logfile, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);

  ovpn3_log_settings_init(&s);
  s.timestamp = FALSE;
  ovpn3_log_writer_set_settings(writer, &s);
  ovpn3_log_writer_write(writer, &event);

  s.log_prefix_logtag = FALSE;
  s.log_dbus_details = TRUE;
  ovpn3_log_writer_set_settings(writer, &s);
  event.message = "second";
  event.session_path = NULL;
  ovpn3_log_writer_write(writer, &event);

  s.timestamp = TRUE;
  s.log_dbus_details = FALSE;
  ovpn3_log_writer_set_settings(writer, &s);
  event.message = "third";
  ovpn3_log_writer_write(writer, &event);

  text = read_all(logfile);
  {
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GRegex) ts = g_regex_new("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} "
                                       "\\[CLIENT\\] WARN: third$",
                                       0, 0, NULL);

    g_assert_cmpuint(g_strv_length(lines), ==, 5);
    g_assert_cmpstr(lines[0], ==,
                    "[CLIENT] WARN session=/net/openvpn/v3/sessions/abc: {tag:12345} line one");
    /* continuation lines are indented; control characters are blanked */
    g_assert_cmpstr(lines[1], ==, "    forged line  [31m");
    g_assert_cmpstr(lines[2], ==,
                    "[CLIENT] WARN (:1.42, /net/openvpn/v3/backends/session, "
                    "net.openvpn.v3.backends): second");
    g_assert_true(g_regex_match(ts, lines[3], 0, NULL));
    g_assert_cmpstr(lines[4], ==, "");
  }

  /* appends, never truncates */
  g_clear_object(&writer);
  writer = ovpn3_log_writer_new(OVPN3_LOG_METHOD_FILE, logfile, &error);
  g_assert_no_error(error);
  event.message = "fourth";
  ovpn3_log_writer_write(writer, &event);
  g_free(text);
  text = read_all(logfile);
  g_assert_nonnull(strstr(text, "third\n"));
  g_assert_true(g_str_has_suffix(text, "fourth\n"));
}

static void
test_writer_truncates(Fixture *f, gconstpointer data)
{
  g_autofree char *logfile = g_build_filename(f->dir, "long.log", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3LogWriter) writer = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) message = g_string_new(NULL);
  g_autoptr(GString) expected = g_string_new("[CLIENT] INFO: ");
  Ovpn3LogSettings s;
  Ovpn3LogEvent event = { .group = OVPN3_LOG_GROUP_CLIENT, .category = OVPN3_LOG_CATEGORY_INFO };

  /* 3-byte characters, so the limit falls inside one */
  while (message->len < 3 * OVPN3_LOG_MESSAGE_MAX)
    g_string_append(message, "\u20ac");
  event.message = message->str;
  g_string_append_len(expected, message->str, OVPN3_LOG_MESSAGE_MAX - OVPN3_LOG_MESSAGE_MAX % 3);
  g_string_append(expected, OVPN3_LOG_TRUNCATED "\n");

  writer = ovpn3_log_writer_new(OVPN3_LOG_METHOD_FILE, logfile, &error);
  g_assert_no_error(error);
  ovpn3_log_settings_init(&s);
  s.timestamp = FALSE;
  ovpn3_log_writer_set_settings(writer, &s);
  ovpn3_log_writer_write(writer, &event);
  text = read_all(logfile);
  g_assert_true(g_utf8_validate(text, -1, NULL));
  g_assert_cmpstr(text, ==, expected->str);
}

static void
test_writer_repeats(Fixture *f, gconstpointer data)
{
  g_autofree char *logfile = g_build_filename(f->dir, "repeats.log", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3LogWriter) writer = NULL;
  g_autofree char *text = NULL;
  Ovpn3LogSettings s;
  Ovpn3LogEvent event = { .group = OVPN3_LOG_GROUP_CLIENT,
                          .category = OVPN3_LOG_CATEGORY_INFO,
                          .tag = "7",
                          .message = "again" };

  writer = ovpn3_log_writer_new(OVPN3_LOG_METHOD_FILE, logfile, &error);
  g_assert_no_error(error);
  ovpn3_log_settings_init(&s);
  s.timestamp = FALSE;
  s.log_prefix_logtag = FALSE;
  ovpn3_log_writer_set_settings(writer, &s);

  for (int i = 0; i < 5; i++)
    ovpn3_log_writer_write(writer, &event);
  /* another category is another record */
  event.category = OVPN3_LOG_CATEGORY_WARN;
  ovpn3_log_writer_write(writer, &event);
  ovpn3_log_writer_write(writer, &event);
  event.message = "different";
  ovpn3_log_writer_write(writer, &event);
  /* another sender (tag) is another record */
  event.tag = "8";
  ovpn3_log_writer_write(writer, &event);
  ovpn3_log_writer_write(writer, &event);
  ovpn3_log_writer_flush(writer);
  ovpn3_log_writer_flush(writer);

  text = read_all(logfile);
  g_assert_cmpstr(text, ==,
                  "[CLIENT] INFO: again\n"
                  "[CLIENT] INFO: Previous message repeated 4 more times\n"
                  "[CLIENT] WARN: again\n"
                  "[CLIENT] WARN: Previous message repeated 1 more time\n"
                  "[CLIENT] WARN: different\n"
                  "[CLIENT] WARN: different\n"
                  "[CLIENT] WARN: Previous message repeated 1 more time\n");
}

static void
test_writer_bad_file(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3LogWriter) writer = NULL;

  writer = ovpn3_log_writer_new(OVPN3_LOG_METHOD_FILE, "/nonexistent-ovpn3/dir/x.log", &error);
  g_assert_null(writer);
  g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add("/log/settings/defaults", Fixture, NULL, fixture_setup, test_settings_defaults,
             fixture_teardown);
  g_test_add("/log/settings/round-trip", Fixture, NULL, fixture_setup, test_settings_round_trip,
             fixture_teardown);
  g_test_add("/log/settings/partial", Fixture, NULL, fixture_setup, test_settings_partial,
             fixture_teardown);
  g_test_add("/log/settings/invalid", Fixture, NULL, fixture_setup, test_settings_invalid,
             fixture_teardown);
  g_test_add("/log/settings/unsafe-file", Fixture, NULL, fixture_setup, test_settings_unsafe_file,
             fixture_teardown);
  g_test_add_func("/log/writer/names", test_names);
  g_test_add("/log/writer/file", Fixture, NULL, fixture_setup, test_writer_file, fixture_teardown);
  g_test_add("/log/writer/truncates", Fixture, NULL, fixture_setup, test_writer_truncates,
             fixture_teardown);
  g_test_add("/log/writer/repeats", Fixture, NULL, fixture_setup, test_writer_repeats,
             fixture_teardown);
  g_test_add_func("/log/writer/bad-file", test_writer_bad_file);

  return g_test_run();
}
