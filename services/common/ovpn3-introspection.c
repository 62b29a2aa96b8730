#define G_LOG_DOMAIN "ovpn3-introspection"

#include "config.h"

#include <glib.h>
