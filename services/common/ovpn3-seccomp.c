#define G_LOG_DOMAIN "ovpn3-seccomp"

#include "config.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>

#include <gio/gio.h>

#include "ovpn3-seccomp.h"

static gboolean
failed(int rc, const char *what, GError **error)
{
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-rc), "seccomp filter: %s: %s", what,
              g_strerror(-rc));
  return FALSE;
}

/* EPERM for any of the first n_args id arguments outside the engine range. */
static int
restrict_ids(scmp_filter_ctx ctx, int syscall_nr, guint n_args)
{
  int rc = 0;

  for (guint arg = 0; arg < n_args && rc == 0; arg++)
    {
      rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), syscall_nr, 1,
                            SCMP_CMP32(arg, SCMP_CMP_LT, OVPN3_ENGINE_UID_MIN));
      if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), syscall_nr, 1,
                              SCMP_CMP32(arg, SCMP_CMP_GT, OVPN3_ENGINE_UID_MAX));
    }
  return rc;
}

gboolean
ovpn3_seccomp_install_engine_filter(GError **error)
{
  static const struct
  {
    const char *name;
    guint n_args;
  } ids[] = {
    { "setuid", 1 },   { "setgid", 1 },   { "setfsuid", 1 },  { "setfsgid", 1 },
    { "setreuid", 2 }, { "setregid", 2 }, { "setresuid", 3 }, { "setresgid", 3 },
  };
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  int rc;

  if (ctx == NULL)
    return failed(-ENOMEM, "init", error);
  rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  for (gsize i = 0; i < G_N_ELEMENTS(ids) && rc == 0; i++)
    rc = restrict_ids(ctx, seccomp_syscall_resolve_name(ids[i].name), ids[i].n_args);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setgroups), 1,
                          SCMP_A0_32(SCMP_CMP_NE, 0));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                          SCMP_A0_32(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                          SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc == 0)
    rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(setns), 0);
  if (rc != 0)
    {
      seccomp_release(ctx);
      return failed(rc, "rules", error);
    }
  rc = seccomp_load(ctx); /* sets NO_NEW_PRIVS first (SCMP_FLTATR_CTL_NNP) */
  seccomp_release(ctx);
  if (rc != 0)
    return failed(rc, "load", error);
  return TRUE;
}
