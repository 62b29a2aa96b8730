#define G_LOG_DOMAIN "ovpn3-log-service"

/* log-service-access.c — who may call what on the log manager object. */

#include "config.h"

#include "log-service-private.h"
#include "ovpn3-names.h"

/* Logging clients are root and the services; AssignSession only for a
 * backend client the session manager confirmed (docs/security.md §5), ProxyLogEvents
 * only for the session manager. */
#define PRIVILEGED (OVPN3_ACCESS_ROOT | OVPN3_ACCESS_SERVICE_USER)

static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "Attach", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "Detach", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "GetSubscriberList", PRIVILEGED },
  { OVPN3_ACCESS_METHOD, "AssignSession", OVPN3_ACCESS_BACKEND,
    "Access denied: only the backend client the session manager confirmed for a session may "
    "assign it" },
  { OVPN3_ACCESS_METHOD, "ProxyLogEvents", OVPN3_ACCESS_SESSION_MANAGER,
    "Access denied: only the session manager may proxy log events" },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
  { OVPN3_ACCESS_READ, "log_method", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "config_file", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "num_attached", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_READ, "log_level", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_level", PRIVILEGED },
  { OVPN3_ACCESS_READ, "log_dbus_details", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_dbus_details", PRIVILEGED },
  { OVPN3_ACCESS_READ, "log_prefix_logtag", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "log_prefix_logtag", PRIVILEGED },
  { OVPN3_ACCESS_READ, "timestamp", OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, "timestamp", PRIVILEGED },
  { OVPN3_ACCESS_READ, OVPN3_LOG_PROP_DESTINATION, OVPN3_ACCESS_ANYONE },
  { OVPN3_ACCESS_WRITE, OVPN3_LOG_PROP_DESTINATION, OVPN3_ACCESS_ROOT,
    "Access denied: only root may choose where the log service writes" },
};

const Ovpn3AccessTable ovpn3_log_manager_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_LOG_MANAGER, "Access denied", access_rows);

/* BACKEND: any confirmed backend client (the log manager belongs to no
 * session; AssignSession checks the session it names). */
gboolean
ovpn3_log_service_access_check(gpointer object, const Ovpn3Caller *caller, Ovpn3AccessRule bit,
                               const char *member)
{
  return bit == OVPN3_ACCESS_BACKEND;
}
