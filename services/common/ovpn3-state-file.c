#define G_LOG_DOMAIN "ovpn3-state-file"

#include "config.h"

#include <glib.h>
