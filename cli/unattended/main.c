/* ovpn3-session-unattended: start one profile by name with nobody at the keyboard
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "ovpn3-unattended"

#include "config.h"

#include "ovpn3-unattended.h"

int
main(int argc, char **argv)
{
  return ovpn3_unattended_main(argc, argv);
}
