#define G_LOG_DOMAIN "ovpn3-idle"

#include "config.h"

#include <glib.h>
