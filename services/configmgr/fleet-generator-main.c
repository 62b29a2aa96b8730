#define G_LOG_DOMAIN "ovpn3-autostart-generator"

#include "config.h"

#include <stdio.h>

#include "config-fleet-autostart.h"

/* systemd.generator(7): argv[1] is the normal-priority output directory. */
int
main(int argc, char **argv)
{
  if (argc < 2)
    {
      fprintf(stderr, "usage: %s NORMAL-DIR [EARLY-DIR LATE-DIR]\n", argv[0]);
      return 1;
    }
  return ovpn3_fleet_autostart_generate(OVPN3_PROFILESDIR, argv[1], OVPN3_SESSION_TEMPLATE_UNIT) < 0
             ? 1
             : 0;
}
