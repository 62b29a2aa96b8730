#define G_LOG_DOMAIN "ovpn3-client"

#include "config.h"

#include "client-service.h"

int
main(int argc, char **argv)
{
  return ovpn3_client_service_main(argc, argv);
}
