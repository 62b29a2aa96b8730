#define G_LOG_DOMAIN "ovpn3-netcfg"

#include "config.h"

#include "netcfg-service.h"
#include "ovpn3-service.h"

int
main(int argc, char **argv)
{
  /* privileges are dropped before the bus connection (netcfg-service.h) */
  int status = netcfg_service_prepare(argc, argv);

  if (status != 0)
    return status;
  return ovpn3_service_run(&ovpn3_netcfg_service, argc, argv);
}
