#define G_LOG_DOMAIN "ovpn3-credentials"

#include "config.h"

#include <glib.h>
