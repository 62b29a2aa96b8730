/* ovpn3-net-settings.h — the network settings of a session as the backend
 * client hands them to netcfg, built from openvpn's >UPDOWN:UP environment
 * under the policy of ovpn3-net-policy.h (docs/architecture.md §6): default
 * routes only from redirect-gateway, no route over the VPN server or to a
 * forbidden target, sane tunnel addresses, IP-literal DNS servers, whole LDH
 * search domains, capped lists (ovpn3-net-limits.h), MTU 576–65535, and the
 * route budget (ovpn3-route-budget.h, which netcfg applies too). Each
 * refusal is reported once with the value escaped. Pure: no D-Bus.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <glib.h>

#include "ovpn3-net-limits.h"
#include "ovpn3-net-redirect.h"

G_BEGIN_DECLS

typedef struct
{
  char *address;
  guint prefix;
  char *gateway; /* "" if none */
  gboolean ipv6;
} Ovpn3NetAddress;

typedef struct
{
  char *address;
  guint prefix;
  gint metric; /* -1 = default */
  gboolean ipv6;
  gboolean exclude;
} Ovpn3NetRoute;

typedef struct
{
  GPtrArray *addresses;      /* Ovpn3NetAddress* */
  GPtrArray *routes;         /* Ovpn3NetRoute* */
  GPtrArray *dns_servers;    /* char* */
  GPtrArray *dns_search;     /* char* */
  GPtrArray *dns_routing;    /* char*: routing-only domains (split DNS), not searched */
  const char *dnssec;        /* NULL (the resolver's default), "yes", "no" or "optional" */
  const char *dns_transport; /* NULL (the resolver's default), "plain" or "dot" */
  gboolean reroute_ipv4;
  gboolean reroute_ipv6;
  guint mtu;    /* 0 = leave the default */
  char *remote; /* the VPN server's address (trusted_ip), NULL if unknown */
  gboolean remote_ipv6;
} Ovpn3NetSettings;

void ovpn3_net_settings_free(Ovpn3NetSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3NetSettings, ovpn3_net_settings_free)

/* Builds settings from an >UPDOWN:UP environment (key -> value). refusals
 * (char*) gets one message per refused value. NULL + error when the tunnel
 * itself is unusable (no or bad tunnel address): the session must fail. */
Ovpn3NetSettings *ovpn3_net_settings_from_env(GHashTable *env, const Ovpn3NetRedirect *redirect,
                                              gboolean dns_disabled, GPtrArray *refusals,
                                              GError **error);

G_END_DECLS
