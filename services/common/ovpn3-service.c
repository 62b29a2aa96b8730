#define G_LOG_DOMAIN "ovpn3-service"

#include "config.h"

#include <glib.h>
