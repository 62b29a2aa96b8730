#define G_LOG_DOMAIN "ovpn3-sessionmgr"

#include "config.h"

#include "ovpn3-service.h"
#include "sessionmgr-service.h"

int
main(int argc, char **argv)
{
  return ovpn3_service_run(&ovpn3_sessionmgr_service, argc, argv);
}
