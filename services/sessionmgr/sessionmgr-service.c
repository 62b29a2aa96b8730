#define G_LOG_DOMAIN "ovpn3-sessionmgr"

#include "config.h"

#include "ovpn3-names.h"
#include "ovpn3-polkit.h"
#include "session-manager.h"
#include "sessionmgr-service.h"

static gpointer
sessionmgr_start(Ovpn3ServiceContext *ctx, GError **error)
{
  return ovpn3_session_manager_new(ctx, error);
}

static void
sessionmgr_stop(gpointer service)
{
  /* the scaffold flushes the connection after this: the ForceShutdown
   * calls and SESS_DESTROYED signals go out before the process ends */
  ovpn3_session_manager_close_all(service, "Session manager stopped");
  g_object_unref(service);
}

const Ovpn3ServiceDesc ovpn3_sessionmgr_service = {
  .bus_name = OVPN3_SESSIONS_BUS_NAME,
  .summary = "ovpn3 session manager: VPN session objects, their access rules and their backends.",
  .log_group = OVPN3_LOG_GROUP_SESSIONMGR,
  .interface = OVPN3_SESSIONS_INTERFACE,
  .path = OVPN3_SESSIONS_PATH,
  .default_idle_exit = 180,
  .attach_log = TRUE,
  .admin_check = &ovpn3_polkit_admin_check,
  .start = sessionmgr_start,
  .stop = sessionmgr_stop,
};
