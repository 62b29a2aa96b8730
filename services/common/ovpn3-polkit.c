#define G_LOG_DOMAIN "ovpn3-polkit"

#include "config.h"

#include <glib.h>
