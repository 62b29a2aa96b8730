#define G_LOG_DOMAIN "ovpn3-service-log"

#include "config.h"

#include "log-service.h"
#include "ovpn3-names.h"

int
main(int argc, char **argv)
{
  const Ovpn3ServiceDesc desc = {
    .bus_name = OVPN3_LOG_BUS_NAME,
    .summary = "OpenVPN 3 log service: writes log events and forwards session logs",
    .log_group = OVPN3_LOG_GROUP_LOGGER,
    .interface = OVPN3_LOG_INTERFACE,
    .path = OVPN3_LOG_PATH,
    .default_idle_exit = 0,
    .attach_log = FALSE,
    .start = ovpn3_log_service_start,
    .stop = ovpn3_log_service_stop,
    .extra_options = ovpn3_log_service_options,
  };

  return ovpn3_service_run(&desc, argc, argv);
}
