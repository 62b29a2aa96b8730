#define G_LOG_DOMAIN "ovpn3-acl"

#include "config.h"

#include <errno.h>
#include <pwd.h>

#include "ovpn3-acl.h"

void
ovpn3_acl_init(Ovpn3Acl *acl, guint32 owner)
{
  acl->owner = owner;
  acl->acl = g_array_new(FALSE, FALSE, sizeof(guint32));
  acl->public_access = FALSE;
}

void
ovpn3_acl_clear(Ovpn3Acl *acl)
{
  g_clear_pointer(&acl->acl, g_array_unref);
}

gboolean
ovpn3_acl_contains(const Ovpn3Acl *acl, guint32 uid)
{
  for (guint i = 0; i < acl->acl->len; i++)
    if (g_array_index(acl->acl, guint32, i) == uid)
      return TRUE;
  return FALSE;
}

gboolean
ovpn3_acl_check(const Ovpn3Acl *acl, guint32 caller_uid, Ovpn3AclFlags flags)
{
  if (caller_uid == acl->owner)
    return TRUE;
  if ((flags & OVPN3_ACL_ALLOW_ROOT) && caller_uid == 0)
    return TRUE;
  if ((flags & OVPN3_ACL_ALLOW_SERVICE_USER) && ovpn3_uid_is_service_user(caller_uid))
    return TRUE;
  if ((flags & OVPN3_ACL_ALLOW_LIST) && ovpn3_acl_contains(acl, caller_uid))
    return TRUE;
  if ((flags & OVPN3_ACL_ALLOW_PUBLIC) && acl->public_access)
    return TRUE;
  return FALSE;
}

gboolean
ovpn3_acl_grant(Ovpn3Acl *acl, guint32 uid)
{
  if (ovpn3_acl_contains(acl, uid))
    return FALSE;
  g_array_append_val(acl->acl, uid);
  return TRUE;
}

gboolean
ovpn3_acl_revoke(Ovpn3Acl *acl, guint32 uid)
{
  for (guint i = 0; i < acl->acl->len; i++)
    if (g_array_index(acl->acl, guint32, i) == uid)
      {
        g_array_remove_index(acl->acl, i);
        return TRUE;
      }
  return FALSE;
}

GVariant *
ovpn3_acl_to_variant(const Ovpn3Acl *acl)
{
  return g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, acl->acl->data, acl->acl->len,
                                   sizeof(guint32));
}

guint32
ovpn3_service_user_uid(void)
{
  static gsize cached = 0;
  static guint32 uid = G_MAXUINT32;

  if (g_once_init_enter(&cached))
    {
      struct passwd pwbuf, *pw = NULL;
      char buf[4096];

      if (getpwnam_r(OVPN3_SERVICE_USER, &pwbuf, buf, sizeof buf, &pw) == 0 && pw != NULL)
        uid = pw->pw_uid;
      else
        /* not a warning: the services run as that user, so it exists wherever they
         * run; only unit tests on a machine where nothing made it yet get here (no
         * uid then matches the service user) */
        g_message("service user '%s' does not exist", OVPN3_SERVICE_USER);
      g_once_init_leave(&cached, 1);
    }
  return uid;
}

gboolean
ovpn3_uid_is_service_user(guint32 uid)
{
  guint32 service_uid = ovpn3_service_user_uid();

  return service_uid != G_MAXUINT32 && uid == service_uid;
}

static void
check_user_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  guint32 uid = GPOINTER_TO_UINT(task_data);
  struct passwd pwbuf, *pw = NULL;
  g_autofree char *buf = NULL;
  gsize size = 4096;
  int rc;

  for (;;)
    {
      g_free(buf);
      buf = g_malloc(size);
      rc = getpwuid_r((uid_t) uid, &pwbuf, buf, size, &pw);
      if (rc != ERANGE || size >= 1024 * 1024)
        break;
      size *= 4;
    }
  if (rc != 0)
    g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                            "Could not look up UID %u: %s; try again, or ask the administrator "
                            "to check the user database",
                            uid, g_strerror(rc));
  else if (pw == NULL)
    g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                            "No user has UID %u: give the numeric user ID of an existing user "
                            "(`id -u NAME` shows it)",
                            uid);
  else
    g_task_return_boolean(task, TRUE);
}

void
ovpn3_acl_check_user_async(guint32 uid, GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);

  g_task_set_source_tag(task, ovpn3_acl_check_user_async);
  if (uid == (guint32) (uid_t) -1)
    {
      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                              "UID %u is not a user ID ((uid_t) -1 means \"no user\"): give the "
                              "numeric user ID of an existing user (`id -u NAME` shows it)",
                              uid);
      return;
    }
  g_task_set_task_data(task, GUINT_TO_POINTER(uid), NULL);
  g_task_run_in_thread(task, check_user_thread);
}

gboolean
ovpn3_acl_check_user_finish(GAsyncResult *result, GError **error)
{
  g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
  return g_task_propagate_boolean(G_TASK(result), error);
}
