#define G_LOG_DOMAIN "ovpn3-error"

#include "config.h"

#include <glib.h>
