#define G_LOG_DOMAIN "ovpn3-session-start-policy"

#include "config.h"

#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-polkit.h"
#include "ovpn3-profile.h"
#include "session-start-policy.h"

typedef struct
{
  char *sender;
  guint32 uid;
  gboolean interactive;
  char *config_path;
  char *privileged; /* the privileged options, joined, for messages */
} PolicyCheck;

static void
policy_check_free(PolicyCheck *check)
{
  g_free(check->sender);
  g_free(check->config_path);
  g_free(check->privileged);
  g_free(check);
}

static void
succeed(GTask *task)
{
  PolicyCheck *check = g_task_get_task_data(task);
  char *note = NULL;

  if (check->privileged != NULL)
    note = g_strdup_printf("UID %u authorised for the privileged options of %s (%s)", check->uid,
                           check->config_path, check->privileged);
  g_task_return_pointer(task, note, g_free);
}

static void
on_privileged_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PolicyCheck *check = g_task_get_task_data(task);

  if (!ovpn3_polkit_check_finish(result, NULL))
    {
      g_task_return_new_error(
          task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
          "This profile uses options that change the host beyond its own tunnel (%s); starting "
          "it needs the polkit authorization %s (ask your administrator)",
          check->privileged, OVPN3_POLKIT_PRIVILEGED_OPTIONS);
      return;
    }
  succeed(g_steal_pointer(&task));
}

static void
on_profile_json(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PolicyCheck *check = g_task_get_task_data(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(Ovpn3Profile) profile = NULL;
  g_auto(GStrv) reasons = NULL;
  const char *json;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply != NULL)
    {
      g_variant_get(reply, "(&s)", &json);
      profile = ovpn3_profile_new_from_json_string(json, &error);
    }
  else
    g_dbus_error_strip_remote_error(error);
  if (profile == NULL)
    {
      g_task_return_new_error(task, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED,
                              "Could not read the configuration profile: %s", error->message);
      return;
    }
  /* design §3: openvpn runs without capabilities; these cannot work, whoever asks */
  if (ovpn3_profile_engine_cannot_serve(profile, &reasons))
    {
      g_autofree char *what = g_strjoinv("; ", reasons);

      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                              "This profile cannot be started: openvpn runs without privileges "
                              "and cannot honour %s. Remove these options from the profile",
                              what);
      return;
    }
  g_clear_pointer(&reasons, g_strfreev);
  if (ovpn3_profile_needs_privileged_options(profile, &reasons))
    {
      check->privileged = g_strjoinv(", ", reasons);
      ovpn3_polkit_check_async(check->sender, check->uid, OVPN3_POLKIT_PRIVILEGED_OPTIONS,
                               check->interactive, NULL, on_privileged_authorized,
                               g_steal_pointer(&task));
      return;
    }
  succeed(g_steal_pointer(&task));
}

void
ovpn3_start_policy_check_async(GDBusConnection *connection, const Ovpn3Caller *caller,
                               const char *config_path, gboolean interactive,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new(NULL, NULL, callback, user_data);
  PolicyCheck *check = g_new0(PolicyCheck, 1);

  check->sender = g_strdup(caller->sender);
  check->uid = caller->uid;
  check->interactive = interactive;
  check->config_path = g_strdup(config_path);
  g_task_set_task_data(task, check, (GDestroyNotify) policy_check_free);
  g_task_set_source_tag(task, ovpn3_start_policy_check_async);
  g_dbus_connection_call(connection, OVPN3_CONFIG_BUS_NAME, config_path, OVPN3_CONFIG_INTERFACE,
                         "FetchJSON", NULL, G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                         on_profile_json, task);
}

gboolean
ovpn3_start_policy_check_finish(GAsyncResult *result, char **note, GError **error)
{
  g_autofree char *line = NULL;
  g_autoptr(GError) local = NULL;

  line = g_task_propagate_pointer(G_TASK(result), &local);
  if (local != NULL)
    {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  if (note != NULL)
    *note = g_steal_pointer(&line);
  return TRUE;
}
