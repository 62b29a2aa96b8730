#define G_LOG_DOMAIN "ovpn3-backendstart"

#include "config.h"

#include "backendstart-service.h"
#include "ovpn3-service.h"

int
main(int argc, char **argv)
{
  return ovpn3_service_run(&ovpn3_backendstart_service, argc, argv);
}
