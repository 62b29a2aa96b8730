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
  gboolean dns_scope_global;
  char *privileged; /* the privileged options, joined, for messages */
  char *host_wide;  /* what the profile itself does to the whole host, NULL if nothing */
  gboolean host_wide_allowed;
  gboolean ask_later; /* the answer only decides about pushed settings */
} PolicyCheck;

typedef struct
{
  char *note;
  gboolean host_wide;
  gboolean ask_later;
} PolicyResult;

static void
policy_check_free(PolicyCheck *check)
{
  g_free(check->sender);
  g_free(check->config_path);
  g_free(check->privileged);
  g_free(check->host_wide);
  g_free(check);
}

static void
policy_result_free(PolicyResult *r)
{
  g_free(r->note);
  g_free(r);
}

static void
succeed(GTask *task)
{
  PolicyCheck *check = g_task_get_task_data(task);
  PolicyResult *r = g_new0(PolicyResult, 1);
  g_autoptr(GString) note = g_string_new(NULL);

  if (check->privileged != NULL)
    g_string_append_printf(note, "UID %u authorised for the privileged options of %s (%s); ",
                           check->uid, check->config_path, check->privileged);
  if (check->host_wide != NULL)
    g_string_append_printf(note, "UID %u authorised for the host-wide settings of %s (%s)",
                           check->uid, check->config_path, check->host_wide);
  else if (!check->ask_later)
    g_string_append_printf(note,
                           "UID %u %s take the host's default route or global DNS "
                           "from the server of %s",
                           check->uid, check->host_wide_allowed ? "may" : "may not",
                           check->config_path);
  r->note = g_string_free(g_steal_pointer(&note), FALSE);
  r->host_wide = check->host_wide_allowed;
  r->ask_later = check->ask_later;
  if (r->note[0] == '\0')
    g_clear_pointer(&r->note, g_free);
  g_task_return_pointer(task, r, (GDestroyNotify) policy_result_free);
  g_object_unref(task);
}

/* ---- host-wide sessions (docs/security.md §6) ---------------------------------------------- */

static void
on_host_wide_authorized(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  PolicyCheck *check = g_task_get_task_data(task);

  check->host_wide_allowed = ovpn3_polkit_check_finish(result, NULL);
  if (!check->host_wide_allowed && check->host_wide != NULL)
    {
      g_task_return_new_error(
          task, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
          "This profile changes the network of the whole host (%s); starting it needs the polkit "
          "authorization %s, which by default only users of an active local session have (ask "
          "your administrator)",
          check->host_wide, OVPN3_POLKIT_START_HOST_WIDE);
      return;
    }
  succeed(g_steal_pointer(&task));
}

/* A profile that configures redirect-gateway or dns-scope global asks, honouring the caller's
 * interactive flag, and is refused without it. For any other the answer is asked without
 * interaction and kept for the session: it decides whether the backend honours a pushed
 * redirect-gateway or global DNS. uid 0 is authorised without asking. */
static void
check_host_wide(GTask *task)
{
  PolicyCheck *check = g_task_get_task_data(task);

  if (check->host_wide == NULL && check->uid != 0)
    {
      /* nothing to refuse: the caller asks (without interaction) while the
       * backend starts, off the critical path (ovpn3_start_policy_ask_host_wide) */
      check->ask_later = TRUE;
      succeed(task);
      return;
    }
  ovpn3_polkit_check_async(check->sender, check->uid, OVPN3_POLKIT_START_HOST_WIDE,
                           check->host_wide != NULL && check->interactive, NULL,
                           on_host_wide_authorized, task);
}

static char *
host_wide_settings(Ovpn3Profile *profile, gboolean dns_scope_global)
{
  g_autoptr(GPtrArray) what = g_ptr_array_new();

  if (ovpn3_profile_redirects_gateway(profile))
    g_ptr_array_add(what, "redirect-gateway: all its traffic goes through the VPN");
  if (dns_scope_global)
    g_ptr_array_add(what, "dns-scope global: every DNS lookup goes to the VPN's servers");
  if (what->len == 0)
    return NULL;
  g_ptr_array_add(what, NULL);
  return g_strjoinv("; ", (char **) what->pdata);
}

/* ---- privileged options (docs/architecture.md §4) ------------------------------------------ */

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
  check_host_wide(g_steal_pointer(&task));
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
  /* docs/architecture.md §3: openvpn runs without capabilities; these cannot work, whoever asks */
  if (ovpn3_profile_engine_cannot_serve(profile, &reasons))
    {
      g_autofree char *what = g_strjoinv("; ", reasons);

      g_task_return_new_error(task, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                              "This profile cannot be started: openvpn runs without privileges "
                              "and cannot honour %s. Remove these options from the profile",
                              what);
      return;
    }
  check->host_wide = host_wide_settings(profile, check->dns_scope_global);
  g_clear_pointer(&reasons, g_strfreev);
  if (ovpn3_profile_needs_privileged_options(profile, &reasons))
    {
      check->privileged = g_strjoinv(", ", reasons);
      ovpn3_polkit_check_async(check->sender, check->uid, OVPN3_POLKIT_PRIVILEGED_OPTIONS,
                               check->interactive, NULL, on_privileged_authorized,
                               g_steal_pointer(&task));
      return;
    }
  check_host_wide(g_steal_pointer(&task));
}

void
ovpn3_start_policy_check_async(GDBusConnection *connection, const Ovpn3Caller *caller,
                               const char *config_path, gboolean dns_scope_global,
                               gboolean interactive, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task = g_task_new(NULL, NULL, callback, user_data);
  PolicyCheck *check = g_new0(PolicyCheck, 1);

  check->sender = g_strdup(caller->sender);
  check->uid = caller->uid;
  check->interactive = interactive;
  check->config_path = g_strdup(config_path);
  check->dns_scope_global = dns_scope_global;
  g_task_set_task_data(task, check, (GDestroyNotify) policy_check_free);
  g_task_set_source_tag(task, ovpn3_start_policy_check_async);
  g_dbus_connection_call(connection, OVPN3_CONFIG_BUS_NAME, config_path, OVPN3_CONFIG_INTERFACE,
                         "FetchJSON", NULL, G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                         on_profile_json, task);
}

gboolean
ovpn3_start_policy_check_finish(GAsyncResult *result, gboolean *host_wide, gboolean *ask_later,
                                char **note, GError **error)
{
  PolicyResult *r = g_task_propagate_pointer(G_TASK(result), error);

  if (r == NULL)
    return FALSE;
  *host_wide = r->host_wide;
  *ask_later = r->ask_later;
  if (note != NULL)
    *note = g_steal_pointer(&r->note);
  policy_result_free(r);
  return TRUE;
}

void
ovpn3_start_policy_ask_host_wide_async(const Ovpn3Caller *caller, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  ovpn3_polkit_check_async(caller->sender, caller->uid, OVPN3_POLKIT_START_HOST_WIDE, FALSE, NULL,
                           callback, user_data);
}

gboolean
ovpn3_start_policy_ask_host_wide_finish(GAsyncResult *result)
{
  return ovpn3_polkit_check_finish(result, NULL);
}
