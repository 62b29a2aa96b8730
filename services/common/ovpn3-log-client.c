#define G_LOG_DOMAIN "ovpn3-log-client"

#include "config.h"

#include <glib.h>
