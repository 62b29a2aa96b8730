#define G_LOG_DOMAIN "ovpn3-polkit"

#include "config.h"

#define POLKIT_AGENT_I_KNOW_API_IS_SUBJECT_TO_CHANGE
#include <polkit/polkit.h>

#include "ovpn3-names.h"
#include "ovpn3-polkit.h"

typedef struct
{
  char *sender;
  char *action_id;
  gboolean interactive;
} CheckData;

static void
check_data_free(CheckData *data)
{
  g_free(data->sender);
  g_free(data->action_id);
  g_free(data);
}

static void
on_check_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) res = NULL;

  res = polkit_authority_check_authorization_finish(POLKIT_AUTHORITY(source), result, &error);
  if (res == NULL)
    {
      g_warning("polkit check of %s for %s failed: %s", data->action_id, data->sender,
                error->message);
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  g_debug("polkit %s for %s: %s", data->action_id, data->sender,
          polkit_authorization_result_get_is_authorized(res) ? "yes" : "no");
  g_task_return_boolean(task, polkit_authorization_result_get_is_authorized(res));
}

static PolkitAuthority *kept_authority;

static void
on_authority(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthority) authority = NULL;
  g_autoptr(PolkitSubject) subject = NULL;
  GCancellable *cancellable;

  authority = polkit_authority_get_finish(result, &error);
  if (authority == NULL)
    {
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  /* libpolkit keeps a singleton that a later polkit_authority_get_async()
   * may ref while the last unref is finalizing it (a thread initialises it):
   * hold it for the life of the process, so that it is never finalized */
  if (g_once_init_enter(&kept_authority))
    g_once_init_leave(&kept_authority, g_object_ref(authority));
  subject = polkit_system_bus_name_new(data->sender);
  cancellable = g_task_get_cancellable(task); /* before the task is handed on */
  polkit_authority_check_authorization(authority, subject, data->action_id, NULL,
                                       data->interactive
                                           ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                                           : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
                                       cancellable, on_check_done, g_steal_pointer(&task));
}

void
ovpn3_polkit_check_async(const char *sender, guint32 uid, const char *action_id,
                         gboolean interactive, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(NULL, cancellable, callback, user_data);
  CheckData *data;

  g_task_set_source_tag(task, ovpn3_polkit_check_async);
  if (uid == 0)
    {
      g_task_return_boolean(task, TRUE);
      return;
    }
  data = g_new0(CheckData, 1);
  data->sender = g_strdup(sender);
  data->action_id = g_strdup(action_id);
  data->interactive = interactive;
  g_task_set_task_data(task, data, (GDestroyNotify) check_data_free);
  polkit_authority_get_async(cancellable, on_authority, g_steal_pointer(&task));
}

gboolean
ovpn3_polkit_check_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

gboolean
ovpn3_polkit_invocation_is_interactive(GDBusMethodInvocation *invocation)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message(invocation);

  return (g_dbus_message_get_flags(message) & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
         != 0;
}

static void
admin_check_async(const char *sender, guint32 uid, GDBusMethodInvocation *invocation,
                  GAsyncReadyCallback callback, gpointer user_data)
{
  ovpn3_polkit_check_async(sender, uid, OVPN3_POLKIT_MANAGE_OTHERS,
                           ovpn3_polkit_invocation_is_interactive(invocation), NULL, callback,
                           user_data);
}

const Ovpn3AdminCheck ovpn3_polkit_admin_check = {
  .check_async = admin_check_async,
  .check_finish = ovpn3_polkit_check_finish,
};
