#define G_LOG_DOMAIN "ovpn3-test-backend-spawn"

#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "backend-spawn.h"
#include "session-object.h"

/* Which client binary backendstart runs. */
static void
test_client_binary(void)
{
  g_autofree char *dir = g_dir_make_tmp("ovpn3-spawn-XXXXXX", NULL);
  g_autofree char *bs_dir = g_build_filename(dir, "services", "backendstart", NULL);
  g_autofree char *cl_dir = g_build_filename(dir, "services", "client", NULL);
  g_autofree char *self = g_build_filename(bs_dir, "ovpn3-service-backendstart", NULL);
  g_autofree char *client = g_build_filename(cl_dir, "ovpn3-service-client", NULL);
  g_autofree char *installed = g_build_filename(OVPN3_LIBEXECDIR, "ovpn3-service-client", NULL);
  g_autofree char *installed_self
      = g_build_filename(OVPN3_LIBEXECDIR, "ovpn3-service-backendstart", NULL);
  g_autofree char *got = NULL;

  g_assert_cmpint(g_mkdir_with_parents(bs_dir, 0700), ==, 0);
  g_assert_cmpint(g_mkdir_with_parents(cl_dir, 0700), ==, 0);

  g_unsetenv(OVPN3_ENV_CLIENT_BINARY);
  /* build tree without a client yet: the installed path */
  got = ovpn3_backend_client_binary(self);
  g_assert_cmpstr(got, ==, installed);
  g_clear_pointer(&got, g_free);
  /* build tree with the client: its sibling, without ".." */
  g_assert_true(g_file_set_contents(client, "#!/bin/sh\n", -1, NULL));
  g_assert_cmpint(g_chmod(client, 0755), ==, 0);
  got = ovpn3_backend_client_binary(self);
  g_assert_cmpstr(got, ==, client);
  g_clear_pointer(&got, g_free);
  /* installed: always libexecdir */
  got = ovpn3_backend_client_binary(installed_self);
  g_assert_cmpstr(got, ==, installed);
  g_clear_pointer(&got, g_free);
  /* the environment variable wins when absolute, is ignored otherwise */
  g_setenv(OVPN3_ENV_CLIENT_BINARY, "/opt/other-client", TRUE);
  got = ovpn3_backend_client_binary(self);
  g_assert_cmpstr(got, ==, "/opt/other-client");
  g_clear_pointer(&got, g_free);
  g_setenv(OVPN3_ENV_CLIENT_BINARY, "relative/client", TRUE);
  g_test_expect_message("ovpn3-backend-spawn", G_LOG_LEVEL_WARNING, "*not an absolute path*");
  got = ovpn3_backend_client_binary(self);
  g_test_assert_expected_messages();
  g_assert_cmpstr(got, ==, client);
  g_unsetenv(OVPN3_ENV_CLIENT_BINARY);

  g_unlink(client);
  g_rmdir(cl_dir);
  g_rmdir(bs_dir);
  {
    g_autofree char *services = g_build_filename(dir, "services", NULL);
    g_rmdir(services);
  }
  g_rmdir(dir);
}

/* Only the bus address, our own variables and debugging aids pass. */
static void
test_client_environ(void)
{
  const char *parent[] = { "HOME=/root",
                           "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/x",
                           "OVPN3_IDLE_EXIT=5",
                           "G_DEBUG=fatal-criticals",
                           "G_MESSAGES_DEBUG=all",
                           "SSH_AUTH_SOCK=/tmp/agent",
                           "PASSWORD=hunter2",
                           "LD_PRELOAD=/tmp/evil.so",
                           "PATH=/home/user/bin:/usr/bin",
                           "GIO_EXTRA_MODULES=/tmp",
                           "JOURNAL_STREAM=8:1234",
                           NULL };
  g_auto(GStrv) env = ovpn3_backend_client_environ(parent);
  const char *want[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                         "LANG=C.UTF-8",
                         "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/x",
                         "OVPN3_IDLE_EXIT=5",
                         "G_DEBUG=fatal-criticals",
                         "G_MESSAGES_DEBUG=all",
                         "JOURNAL_STREAM=8:1234",
                         NULL };

  g_assert_cmpstrv(env, want);
}

static gboolean
process_exists(GPid pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d", (int) pid);

  return g_file_test(path, G_FILE_TEST_EXISTS);
}

static void
test_spawn(void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = ovpn3_backend_client_environ(NULL);
  g_autofree char *cmdline = NULL;
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  gsize len;
  GPid pid;
  char **fields;
  int ppid;

  g_autofree char *dir = g_dir_make_tmp("ovpn3-spawn-token-XXXXXX", NULL);
  g_autofree char *script = g_build_filename(dir, "client", NULL);
  g_autofree char *got = g_build_filename(dir, "token", NULL);
  g_autofree char *body = g_strdup_printf("#!/bin/sh\n{ printf '%%s ' \"$@\"; cat <&3; } >'%s.tmp' "
                                          "&& mv '%s.tmp' '%s'\nexec sleep 30\n",
                                          got, got, got);
  g_autofree char *token_read = NULL;

  g_assert_true(g_file_set_contents(script, body, -1, NULL));
  g_assert_cmpint(g_chmod(script, 0755), ==, 0);
  pid = ovpn3_backend_spawn(script, "t0k3n", env, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pid, >, 0);
  path = g_strdup_printf("/proc/%d/cmdline", (int) pid);
  /* exec happened before spawn returned (the script's argv, or sleep's if it
   * already has the token: a slow parent, e.g. under valgrind); the token is
   * not in argv */
  g_assert_true(g_file_get_contents(path, &cmdline, &len, NULL));
  g_assert_null(memmem(cmdline, len, "test-backend-spawn", 18));
  g_assert_null(memmem(cmdline, len, "t0k3n", 5));
  g_free(path);
  /* ... but on descriptor 3, named by the arguments */
  for (int i = 0; i < 500 && !g_file_test(got, G_FILE_TEST_EXISTS); i++)
    g_usleep(10000);
  g_assert_true(g_file_get_contents(got, &token_read, NULL, NULL));
  g_assert_cmpstr(token_read, ==, "--token-fd 3 t0k3n");
  g_unlink(got);
  g_unlink(script);
  g_rmdir(dir);
  path = g_strdup_printf("/proc/%d/stat", (int) pid);
  g_assert_true(g_file_get_contents(path, &stat, NULL, NULL));
  fields = g_strsplit(strrchr(stat, ')') + 2, " ", 6);
  ppid = atoi(fields[1]);
  /* not our child (double fork), in a session of its own (setsid) */
  g_assert_cmpint(ppid, !=, getpid());
  g_assert_cmpint(atoi(fields[3]), !=, getsid(0));
  g_strfreev(fields);
  kill(pid, SIGKILL);
  for (int i = 0; i < 200 && process_exists(pid); i++)
    g_usleep(10000);

  /* exec failure is reported, not a PID */
  pid = ovpn3_backend_spawn("/nonexistent/ovpn3-service-client", "x", env, &error);
  g_assert_cmpint(pid, ==, 0);
  g_assert_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "No such file"));
}

static void
test_terminal_status(void)
{
  g_assert_true(ovpn3_status_is_terminal(2, 1));
  g_assert_true(ovpn3_status_is_terminal(2, 10));
  g_assert_true(ovpn3_status_is_terminal(2, 16));
  g_assert_true(ovpn3_status_is_terminal(2, 29));
  g_assert_true(ovpn3_status_is_terminal(1, 1));
  g_assert_false(ovpn3_status_is_terminal(2, 11)); /* auth failed: retry in the session */
  g_assert_false(ovpn3_status_is_terminal(2, 7));
  g_assert_false(ovpn3_status_is_terminal(2, 4));
  g_assert_false(ovpn3_status_is_terminal(3, 22));
  g_assert_false(ovpn3_status_is_terminal(0, 0));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/backendstart/client-binary", test_client_binary);
  g_test_add_func("/backendstart/client-environ", test_client_environ);
  g_test_add_func("/backendstart/spawn", test_spawn);
  g_test_add_func("/sessionmgr/terminal-status", test_terminal_status);
  return g_test_run();
}
