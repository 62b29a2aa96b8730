#define G_LOG_DOMAIN "ovpn3-backend-spawn"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#include "backend-spawn.h"

#define CLIENT_BINARY_NAME "ovpn3-service-client"
/* the descriptor the client reads its registration token from */
#define TOKEN_FD 3

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What the detached children report through the pipe. */
enum
{
  REPORT_PID = 1,
  REPORT_FORK_FAILED = 2,
  REPORT_EXEC_FAILED = 3,
};

typedef struct
{
  gint32 kind;
  gint32 value;
} Report;

char *
ovpn3_backend_client_binary(const char *self_exe)
{
  const char *env = g_getenv(OVPN3_ENV_CLIENT_BINARY);
  g_autofree char *exe = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *sibling = NULL;

  if (env != NULL && g_path_is_absolute(env))
    return g_strdup(env);
  if (env != NULL && *env != '\0')
    g_warning("%s is not an absolute path; ignored", OVPN3_ENV_CLIENT_BINARY);

  exe = self_exe != NULL ? g_strdup(self_exe) : g_file_read_link("/proc/self/exe", NULL);
  if (exe != NULL)
    {
      dir = g_path_get_dirname(exe);
      if (!g_str_equal(dir, OVPN3_LIBEXECDIR))
        {
          /* build tree: services/backendstart/ next to services/client/ */
          sibling = g_build_filename(dir, "..", "client", CLIENT_BINARY_NAME, NULL);
          if (g_file_test(sibling, G_FILE_TEST_IS_EXECUTABLE))
            return g_canonicalize_filename(sibling, NULL); /* without ".." */
        }
    }
  return g_build_filename(OVPN3_LIBEXECDIR, CLIENT_BINARY_NAME, NULL);
}

static gboolean
is_passed_on(const char *entry)
{
  static const char *const exact[] = { "DBUS_SYSTEM_BUS_ADDRESS=", "JOURNAL_STREAM=", NULL };
  static const char *const prefixes[]
      = { "OVPN3_", "G_DEBUG=", "G_MESSAGES_DEBUG=", "ASAN_", "UBSAN_",
          "LSAN_",  "MSAN_",    "MALLOC_",           NULL };

  for (guint i = 0; exact[i] != NULL; i++)
    if (g_str_has_prefix(entry, exact[i]))
      return TRUE;
  for (guint i = 0; prefixes[i] != NULL; i++)
    if (g_str_has_prefix(entry, prefixes[i]))
      return TRUE;
  return FALSE;
}

char **
ovpn3_backend_client_environ(const char *const *parent_env)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();
  g_auto(GStrv) own = NULL;

  if (parent_env == NULL)
    parent_env = (const char *const *) (own = g_get_environ());
  g_strv_builder_add(b, "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
  g_strv_builder_add(b, "LANG=C.UTF-8");
  for (guint i = 0; parent_env[i] != NULL; i++)
    if (is_passed_on(parent_env[i]))
      g_strv_builder_add(b, parent_env[i]);
  return g_strv_builder_end(b);
}

/* Only async-signal-safe calls from here until execve(). */
static void
write_report(int fd, gint32 kind, gint32 value)
{
  Report r = { kind, value };
  ssize_t n;

  do
    n = write(fd, &r, sizeof r);
  while (n < 0 && errno == EINTR);
}

G_GNUC_NORETURN static void
run_grandchild(int report_fd, int token_fd, const char *binary, char **argv, char **envp)
{
  struct sigaction dfl;
  sigset_t all;
  int null_fd;

  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; s++)
    if (s != SIGKILL && s != SIGSTOP)
      sigaction(s, &dfl, NULL);
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, NULL);

  null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0)
    {
      write_report(report_fd, REPORT_EXEC_FAILED, errno);
      _exit(127);
    }
  /* every descriptor above stderr (the report pipe included) goes on exec,
   * but the token's, which becomes descriptor 3 (both were made > 3) */
  if (syscall(__NR_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    for (int fd = 3; fd < 65536; fd++)
      if (fd != report_fd)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (dup2(token_fd, TOKEN_FD) < 0)
    {
      write_report(report_fd, REPORT_EXEC_FAILED, errno);
      _exit(127);
    }
  execve(binary, argv, envp);
  write_report(report_fd, REPORT_EXEC_FAILED, errno);
  _exit(127);
}

/* A pipe holding the token, its read end above TOKEN_FD (close-on-exec). */
static int
token_pipe(const char *token, GError **error)
{
  int fds[2], high;
  gsize len = strlen(token);

  if (len == 0 || len >= PIPE_BUF)
    {
      g_set_error_literal(error, G_SPAWN_ERROR, G_SPAWN_ERROR_INVAL, "invalid token");
      return -1;
    }
  if (!g_unix_open_pipe(fds, FD_CLOEXEC, error))
    return -1;
  /* one write below PIPE_BUF into an empty pipe: whole, never blocks */
  if (write(fds[1], token, len) != (gssize) len || (high = fcntl(fds[0], F_DUPFD_CLOEXEC, 10)) < 0)
    {
      int saved = errno;
      close(fds[0]);
      close(fds[1]);
      g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "token pipe: %s", g_strerror(saved));
      return -1;
    }
  close(fds[0]);
  close(fds[1]);
  return high;
}

/* The report pipe, both ends above TOKEN_FD where possible (close-on-exec). */
static gboolean
report_pipe(int fds[2], GError **error)
{
  if (!g_unix_open_pipe(fds, FD_CLOEXEC, error))
    return FALSE;
  for (int i = 0; i < 2; i++)
    {
      int high = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);

      if (high >= 0)
        {
          close(fds[i]);
          fds[i] = high;
        }
    }
  return TRUE;
}

/* AddressSanitizer's own code runs in a vfork()ed child on the parent's stack and
 * memory (its fake stacks, its allocator's locks): the intermediate then never
 * exits (tests/sessions/test-backend-spawn hangs). Sanitizer builds fork(). */
#if defined(__SANITIZE_ADDRESS__)
#define OVPN3_SPAWN_FORK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OVPN3_SPAWN_FORK 1
#endif
#endif
#ifdef OVPN3_SPAWN_FORK
#define spawn_child() fork()
#else
#define spawn_child() vfork()
#endif

/* The intermediate child: a new session, the client started off it, its pid
 * reported; it exits at once so the client is nobody's child here. Both are
 * vfork()ed: they share our memory (no copy of our page tables, nothing to tear
 * down at exec), each parent waits until its child exec()s or exits, and only
 * async-signal-safe calls run in them, with every signal blocked until the
 * client has reset their dispositions. */
G_GNUC_NORETURN static void
run_intermediate(int report_fd, int token_fd, const char *binary, char **argv, char **envp)
{
  pid_t grandchild;

  setsid();
  grandchild = spawn_child();
  if (grandchild < 0)
    {
      write_report(report_fd, REPORT_FORK_FAILED, errno);
      _exit(1);
    }
  if (grandchild == 0)
    run_grandchild(report_fd, token_fd, binary, argv, envp);
  write_report(report_fd, REPORT_PID, grandchild);
  _exit(0);
}

/* Returns once the intermediate has exited, the client exec()ed or failed; -1
 * with errno if vfork() failed. */
static pid_t
start_intermediate(const int fds[2], int token_fd, const char *binary, char **argv, char **envp)
{
  sigset_t all, mask;
  pid_t child;
  int saved;

  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &mask);
  child = spawn_child();
  if (child == 0)
    {
      close(fds[0]);
      run_intermediate(fds[1], token_fd, binary, argv, envp);
    }
  saved = errno;
  pthread_sigmask(SIG_SETMASK, &mask, NULL);
  errno = saved;
  return child;
}

/* Reads until both children closed their end: the intermediate by exiting,
 * the client by exec() (close-on-exec) or by exiting. */
static void
read_reports(int fd, GPid *pid, gint *saved_errno, gboolean *exec_failed)
{
  for (;;)
    {
      Report r;
      ssize_t n = read(fd, &r, sizeof r);

      if (n < 0 && errno == EINTR)
        continue;
      if (n != (ssize_t) sizeof r)
        break;
      if (r.kind == REPORT_PID)
        *pid = r.value;
      else
        {
          *saved_errno = r.value;
          *exec_failed = r.kind == REPORT_EXEC_FAILED;
        }
    }
}

GPid
ovpn3_backend_spawn(const char *binary, const char *token, char **envp, GError **error)
{
  int fds[2];
  /* the token travels through an inherited descriptor: never argv or the
   * environment, which /proc shows to other processes of our uid */
  char *argv[] = { (char *) binary, (char *) "--token-fd", (char *) G_STRINGIFY(TOKEN_FD), NULL };
  int token_fd;
  pid_t child;
  int status;
  GPid result = 0;
  gint saved_errno = 0;
  gboolean exec_failed = FALSE;

  token_fd = token_pipe(token, error);
  if (token_fd < 0)
    return 0;
  if (!report_pipe(fds, error))
    {
      close(token_fd);
      return 0;
    }

  child = start_intermediate(fds, token_fd, binary, argv, envp);
  if (child < 0)
    {
      saved_errno = errno;
      close(fds[0]);
      close(fds[1]);
      close(token_fd);
      g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FORK, "vfork: %s", g_strerror(saved_errno));
      return 0;
    }

  close(fds[1]);
  close(token_fd);
  while (waitpid(child, &status, 0) < 0 && errno == EINTR)
    ;
  read_reports(fds[0], &result, &saved_errno, &exec_failed);
  close(fds[0]);

  if (saved_errno != 0 || result <= 0)
    {
      if (exec_failed)
        g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED, "cannot execute %s: %s", binary,
                    g_strerror(saved_errno));
      else
        g_set_error(error, G_SPAWN_ERROR, G_SPAWN_ERROR_FORK, "cannot start %s: %s", binary,
                    saved_errno != 0 ? g_strerror(saved_errno) : "no process");
      return 0;
    }
  return result;
}
