#define G_LOG_DOMAIN "ovpn3-engine"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ovpn3-engine.h"

/* exit codes of the signalling child */
enum
{
  PROBE_DONE = 0,
  PROBE_FAILED = 100, /* + errno, capped */
};

gboolean
ovpn3_engine_uid_in_range(guint32 uid)
{
  return uid >= OVPN3_ENGINE_UID_MIN && uid <= OVPN3_ENGINE_UID_MAX;
}

/* ---- in the child: only async-signal-safe calls (raw syscalls) ---------------- */

int
ovpn3_engine_drop_privileges(int pdeathsig)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

  /* every capability set emptied (ambient first, it needs permitted) */
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0
      || syscall(SYS_capset, &header, data) != 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return errno;
  if (pdeathsig != 0 && prctl(PR_SET_PDEATHSIG, pdeathsig, 0, 0, 0) != 0)
    return errno;
  return 0;
}

int
ovpn3_engine_become(guint32 uid, int pdeathsig)
{
  /* raw syscalls: they change only this (single-threaded) process and do
   * not go through glibc's all-threads set*id machinery */
  if (syscall(SYS_setgroups, 0, NULL) != 0
      || syscall(SYS_setresgid, (gid_t) uid, (gid_t) uid, (gid_t) uid) != 0
      || syscall(SYS_setresuid, (uid_t) uid, (uid_t) uid, (uid_t) uid) != 0)
    return errno;
  /* uid changed between two non-zero values: the kernel kept the
   * capabilities; PDEATHSIG after the switch, which resets it */
  return ovpn3_engine_drop_privileges(pdeathsig);
}

/* kill(-1, sig) from a child switched to uid: every process of uid (and
 * none else) gets sig. */
static int
probe_as(guint32 uid, int sig, GError **error)
{
  pid_t child = fork();
  int status;

  if (child < 0)
    {
      int saved = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "fork: %s", g_strerror(saved));
      return -1;
    }
  if (child == 0)
    {
      int rc = ovpn3_engine_become(uid, 0);

      if (rc != 0)
        _exit(PROBE_FAILED + MIN(rc, 100));
      if (kill(-1, sig) == 0 || errno == ESRCH)
        _exit(PROBE_DONE);
      _exit(PROBE_FAILED + MIN(errno, 100));
    }
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR)
      {
        int saved = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "waitpid: %s",
                    g_strerror(saved));
        return -1;
      }
  if (!WIFEXITED(status) || WEXITSTATUS(status) >= PROBE_FAILED)
    {
      int code = WIFEXITED(status) ? WEXITSTATUS(status) - PROBE_FAILED : 0;
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                  "could not act as engine uid %u: %s", uid,
                  code > 0 ? g_strerror(code) : "the helper process died");
      return -1;
    }
  return WEXITSTATUS(status);
}

gboolean
ovpn3_engine_signal_all(guint32 uid, int sig, GError **error)
{
  g_return_val_if_fail(ovpn3_engine_uid_in_range(uid), FALSE);
  return probe_as(uid, sig, error) >= 0;
}

gboolean
ovpn3_engine_uid_has_processes(guint32 uid, gboolean *has, GError **error)
{
  g_return_val_if_fail(ovpn3_engine_uid_in_range(uid), FALSE);
  /* getpriority(PRIO_USER) looks at every process whose real uid is uid,
   * needs no permission over them and sees through hidepid (ProtectProc=);
   * kill(-1, 0) cannot tell: it succeeds whenever any other process exists.
   * An engine has no capability, so it cannot change its real uid. */
  errno = 0;
  if (getpriority(PRIO_USER, (id_t) uid) == -1 && errno != 0)
    {
      if (errno == ESRCH)
        {
          *has = FALSE;
          return TRUE;
        }
      {
        int saved = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "getpriority: %s",
                    g_strerror(saved));
        return FALSE;
      }
    }
  *has = TRUE;
  return TRUE;
}

/* ---- allocation ------------------------------------------------------------------- */

/* Whether an /etc/subuid-style file gives a range that covers id. */
static gboolean
subid_covers(const char *path, guint32 id)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit(lines[i], ":", 3);
      guint64 start, count;

      if (g_strv_length(f) != 3
          || !g_ascii_string_to_unsigned(f[1], 10, 0, G_MAXUINT32, &start, NULL)
          || !g_ascii_string_to_unsigned(g_strstrip(f[2]), 10, 0, G_MAXUINT32, &count, NULL))
        continue;
      if (id >= start && (guint64) id < start + count)
        return TRUE;
    }
  return FALSE;
}

/* NULL if nobody has uid; otherwise who has it, for the log. */
static char *
claimed_by(guint32 uid)
{
  struct passwd pwbuf, *pw = NULL;
  struct group grbuf, *gr = NULL;
  char buf[16384];

  if (getpwuid_r((uid_t) uid, &pwbuf, buf, sizeof buf, &pw) == 0 && pw != NULL)
    return g_strdup_printf("user %s", pw->pw_name);
  if (getgrgid_r((gid_t) uid, &grbuf, buf, sizeof buf, &gr) == 0 && gr != NULL)
    return g_strdup_printf("group %s", gr->gr_name);
  if (subid_covers("/etc/subuid", uid))
    return g_strdup("a range in /etc/subuid");
  if (subid_covers("/etc/subgid", uid))
    return g_strdup("a range in /etc/subgid");
  return NULL;
}

gboolean
ovpn3_engine_id_allocate(const char *lock_dir, Ovpn3EngineId *id, GError **error)
{
  guint busy = 0, claimed = 0, leftover = 0;

  for (guint64 uid = OVPN3_ENGINE_UID_MIN; uid <= OVPN3_ENGINE_UID_MAX; uid++)
    {
      g_autofree char *leaf = g_strdup_printf("%u.lock", (guint) uid);
      g_autofree char *path = g_build_filename(lock_dir, leaf, NULL);
      g_autofree char *who = NULL;
      g_autoptr(GError) local = NULL;
      gboolean has = FALSE;
      int fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

      if (fd < 0)
        {
          int saved = errno;
          g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                      "cannot open %s: %s (is %s there and ours?)", path, g_strerror(saved),
                      lock_dir);
          return FALSE;
        }
      if (flock(fd, LOCK_EX | LOCK_NB) != 0)
        {
          close(fd);
          busy++;
          continue;
        }
      if ((who = claimed_by((guint32) uid)) != NULL)
        {
          g_debug("engine uid %u skipped: it belongs to %s", (guint) uid, who);
          close(fd);
          claimed++;
          continue;
        }
      if (!ovpn3_engine_uid_has_processes((guint32) uid, &has, &local) || has)
        {
          if (local != NULL)
            g_warning("engine uid %u skipped: %s", (guint) uid, local->message);
          else
            g_message("engine uid %u skipped: a process of that uid is still running", (guint) uid);
          close(fd);
          leftover++;
          continue;
        }
      id->uid = (guint32) uid;
      id->lock_fd = fd;
      return TRUE;
    }
  g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
              "no engine uid is free in %u–%u (%u in use by sessions, %u belong to users, "
              "groups or subordinate id ranges, %u have processes left); end a session, or ask "
              "the administrator to widen the range (meson options engine_uid_min/max)",
              (guint) OVPN3_ENGINE_UID_MIN, (guint) OVPN3_ENGINE_UID_MAX, busy, claimed, leftover);
  return FALSE;
}

void
ovpn3_engine_id_release(Ovpn3EngineId *id)
{
  if (id->lock_fd >= 0)
    close(id->lock_fd);
  id->lock_fd = -1;
  id->uid = G_MAXUINT32;
}
