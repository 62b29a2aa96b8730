#define G_LOG_DOMAIN "ovpn3-configmgr"

#include "config.h"

#include "config-manager.h"
#include "configmgr-service.h"
#include "ovpn3-names.h"
#include "ovpn3-polkit.h"

static gpointer
configmgr_start(Ovpn3ServiceContext *ctx, GError **error)
{
  g_autofree char *state_dir = ctx->state_dir != NULL
                                   ? g_strdup(ctx->state_dir)
                                   : g_build_filename(OVPN3_STATEDIR, "configs", NULL);

  return ovpn3_config_manager_new(ctx, state_dir, error);
}

static void
configmgr_stop(gpointer service)
{
  g_object_unref(service);
}

const Ovpn3ServiceDesc ovpn3_configmgr_service = {
  .bus_name = OVPN3_CONFIG_BUS_NAME,
  .summary = "ovpn3 configuration manager: parses, validates and stores OpenVPN profiles.",
  .log_group = OVPN3_LOG_GROUP_CONFIGMGR,
  .interface = OVPN3_CONFIG_INTERFACE,
  .path = OVPN3_CONFIG_PATH,
  .default_idle_exit = 180,
  .attach_log = TRUE,
  .admin_check = &ovpn3_polkit_admin_check,
  .start = configmgr_start,
  .stop = configmgr_stop,
};
