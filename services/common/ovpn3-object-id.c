#define G_LOG_DOMAIN "ovpn3-object-id"

#include "config.h"

#include <glib.h>
