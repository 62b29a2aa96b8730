#define G_LOG_DOMAIN "ovpn3-session-lookup"

#include "config.h"

#include "ovpn3-acl.h"
#include "ovpn3-exported.h"
#include "session-lookup.h"
#include "session-object.h"

static Ovpn3Session *
find_by_backend(GHashTable *sessions, const char *unique_name)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, sessions);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Ovpn3BackendProxy *backend = ovpn3_session_get_backend(value);

      /* attached only once the registration passed every check; dropped
       * when a restart begins; the session leaves the table when it ends */
      if (backend != NULL && !ovpn3_backend_proxy_is_gone(backend)
          && g_str_equal(ovpn3_backend_proxy_get_unique_name(backend), unique_name))
        return value;
    }
  return NULL;
}

void
ovpn3_session_lookup_backend(GHashTable *sessions, const Ovpn3Caller *caller, GVariant *parameters,
                             GDBusMethodInvocation *invocation)
{
  const char *unique_name;
  Ovpn3Session *session;
  Ovpn3BackendProxy *backend;

  /* the service user only: the D-Bus policy and the manager's access table */
  g_variant_get(parameters, "(&s)", &unique_name);
  if (!g_dbus_is_unique_name(unique_name))
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "Invalid unique bus name “%s”", unique_name);
      return;
    }
  session = find_by_backend(sessions, unique_name);
  if (session == NULL)
    {
      g_dbus_method_invocation_return_error(
          invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
          "%s is not the backend client of a session of this session manager", unique_name);
      return;
    }
  backend = ovpn3_session_get_backend(session);
  g_dbus_method_invocation_return_value(invocation,
                                        g_variant_new("(oouu)", ovpn3_session_get_path(session),
                                                      ovpn3_session_get_config_path(session),
                                                      ovpn3_session_get_owner(session),
                                                      ovpn3_backend_proxy_get_pid(backend)));
}
