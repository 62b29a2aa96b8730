#define G_LOG_DOMAIN "ovpn3-polkit"

#include "config.h"

#include "ovpn3-names.h"
#include "ovpn3-polkit.h"

/* polkit's D-Bus API, asked directly rather than through libpolkit-gobject-1,
 * which would load libsystemd and five libraries under it into configmgr and
 * the session manager (~130 KiB of private memory each, bench/README.md);
 * the call is the one libpolkit makes for a PolkitSystemBusName subject. */

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
  g_autoptr(GVariant) reply = NULL;
  gboolean authorized = FALSE, challenge = FALSE;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error(error);
      g_warning("polkit check of %s for %s failed: %s", data->action_id, data->sender,
                error->message);
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  /* (is_authorized, is_challenge, details) */
  g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
  g_debug("polkit %s for %s: %s", data->action_id, data->sender, authorized ? "yes" : "no");
  g_task_return_boolean(task, authorized);
}

static void
on_bus(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish(result, &error);
  GVariantBuilder subject;
  GCancellable *cancellable;

  if (bus == NULL)
    {
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  g_variant_builder_init(&subject, G_VARIANT_TYPE("a{sv}"));
  g_variant_builder_add(&subject, "{sv}", "name", g_variant_new_string(data->sender));
  cancellable = g_task_get_cancellable(task); /* before the task is handed on */
  /* no timeout: the user may be asked (libpolkit waits as long) */
  g_dbus_connection_call(
      bus, POLKIT_BUS_NAME, POLKIT_AUTHORITY_PATH, POLKIT_AUTHORITY_INTERFACE, "CheckAuthorization",
      g_variant_new("((sa{sv})sa{ss}us)", "system-bus-name", &subject, data->action_id, NULL,
                    data->interactive ? POLKIT_CHECK_ALLOW_USER_INTERACTION : 0u, ""),
      G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, G_MAXINT, cancellable, on_check_done,
      g_steal_pointer(&task));
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
  g_bus_get(G_BUS_TYPE_SYSTEM, cancellable, on_bus, g_steal_pointer(&task));
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
