/* ovpn3-net-redirect.h — where the default route of a session comes from:
 * `redirect-gateway` in the profile or pushed by the server (read from
 * openvpn's PUSH_REPLY log line, since 2.6 under --route-noexec puts nothing
 * of it in the >UPDOWN environment). Pure text parsing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Pushed options that decide the default route; see ovpn3_net_parse_push_reply(). */
typedef struct
{
  gboolean redirect_ipv4;
  gboolean redirect_ipv6;
  gboolean refused_ipv6; /* a pushed `redirect-gateway ipv6` was refused: drop its ENV routes */
} Ovpn3NetRedirect;

/* Reads redirect-gateway / redirect-private from openvpn's log line
 * "PUSH: Received control message: 'PUSH_REPLY,…'" (verb >= 3), honouring the
 * profile's pull-filter rules (array of (action, text) pairs as
 * "action\ttext" strings, in order) and route-nopull. FALSE if the line is not
 * a PUSH_REPLY. */
gboolean ovpn3_net_parse_push_reply(const char *line, const char *const *pull_filters,
                                    gboolean route_nopull, Ovpn3NetRedirect *redirect);
/* The same for the profile's own `redirect-gateway` arguments. */
void ovpn3_net_redirect_from_args(const char *const *args, Ovpn3NetRedirect *redirect);

G_END_DECLS
