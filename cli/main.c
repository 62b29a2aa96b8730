#define G_LOG_DOMAIN "ovpn3-cli"

#include "config.h"

#include "ovpn3-cli.h"

int
main(int argc, char **argv)
{
  return ovpn3_cli_main(argc, argv);
}
