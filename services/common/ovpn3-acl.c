#define G_LOG_DOMAIN "ovpn3-acl"

#include "config.h"

#include <glib.h>
