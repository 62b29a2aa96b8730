/* ovpn3-introspection.h — interface info of each object type, read from the
 * compiled GResource (introspection/ *.xml).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Returns the (only) interface of the named XML resource, e.g.
 * OVPN3_XML_CONFIG_MANAGER. The result is owned by a process-wide cache.
 * Aborts if the resource is missing: that is a build error, not input. */
GDBusInterfaceInfo *ovpn3_introspection_get(const char *xml_name);

G_END_DECLS
