#define G_LOG_DOMAIN "ovpn3-configmgr"

#include "config.h"

#include "configmgr-service.h"
#include "ovpn3-service.h"

int
main(int argc, char **argv)
{
  return ovpn3_service_run(&ovpn3_configmgr_service, argc, argv);
}
