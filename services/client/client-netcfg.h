/* client-netcfg.h — what the backend hands to net.openvpn.v3.netcfg.
 *
 * The pure part turns openvpn's >UPDOWN:UP environment into network settings
 * and applies the server-pushed-settings policy of docs/architecture.md §6 before anything
 * is sent: default routes only from redirect-gateway, no route over the VPN
 * server or to loopback/unspecified/broadcast/multicast, sane tunnel
 * addresses, IP-literal DNS servers, whole LDH search domains, capped lists,
 * MTU 576–65535, and the route budget (ovpn3-route-budget.h, which netcfg
 * applies too). Each refusal is reported once with the value escaped.
 *
 * Ovpn3ClientNetcfg is the D-Bus side: one device per session
 * (CreateVirtualInterface, layer, …, Establish, Destroy).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OVPN3_NET_MAX_DNS_SERVERS 32
#define OVPN3_NET_MAX_DNS_SEARCH  64
#define OVPN3_NET_MAX_ROUTES      1000
#define OVPN3_NET_MTU_MIN         576
#define OVPN3_NET_MTU_MAX         65535

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
  GPtrArray *addresses;   /* Ovpn3NetAddress* */
  GPtrArray *routes;      /* Ovpn3NetRoute* */
  GPtrArray *dns_servers; /* char* */
  GPtrArray *dns_search;  /* char* */
  gboolean reroute_ipv4;
  gboolean reroute_ipv6;
  guint mtu;    /* 0 = leave the default */
  char *remote; /* the VPN server's address (trusted_ip), NULL if unknown */
  gboolean remote_ipv6;
} Ovpn3NetSettings;

void ovpn3_net_settings_free(Ovpn3NetSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3NetSettings, ovpn3_net_settings_free)

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

/* Builds settings from an >UPDOWN:UP environment (key -> value). refusals
 * (char*) gets one message per refused value. NULL + error when the tunnel
 * itself is unusable (no or bad tunnel address): the session must fail. */
Ovpn3NetSettings *ovpn3_net_settings_from_env(GHashTable *env, const Ovpn3NetRedirect *redirect,
                                              gboolean dns_disabled, GPtrArray *refusals,
                                              GError **error);

/* Netmask "255.255.255.0" -> 24; -1 if not a contiguous IPv4 netmask. */
gint ovpn3_net_netmask_to_prefix(const char *netmask);
/* TRUE for a whole LDH domain name (labels 1–63, name <= 253, no trailing dot). */
gboolean ovpn3_net_is_ldh_domain(const char *name);

/* ---- D-Bus side ----------------------------------------------------------------- */

#define OVPN3_TYPE_CLIENT_NETCFG (ovpn3_client_netcfg_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3ClientNetcfg, ovpn3_client_netcfg, OVPN3, CLIENT_NETCFG, GObject)

Ovpn3ClientNetcfg *ovpn3_client_netcfg_new(GDBusConnection *connection);

/* CreateVirtualInterface(prefix), then engine_uid (the tun's owner;
 * G_MAXUINT32 = leave it to netcfg: the caller), layer (2 tap / 3 tun) and
 * dns_scope (NULL = leave), then reads device_name. */
void ovpn3_client_netcfg_create_async(Ovpn3ClientNetcfg *self, const char *prefix, guint layer,
                                      guint32 engine_uid, const char *dns_scope,
                                      GAsyncReadyCallback callback, gpointer user_data);
gboolean ovpn3_client_netcfg_create_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result,
                                           GError **error);
/* Stages settings (addresses, routes, DNS, MTU, reroute) and Establishes. */
void ovpn3_client_netcfg_apply_async(Ovpn3ClientNetcfg *self, const Ovpn3NetSettings *settings,
                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean ovpn3_client_netcfg_apply_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result,
                                          GError **error);
/* Destroy (no-op without a device). */
void ovpn3_client_netcfg_destroy_async(Ovpn3ClientNetcfg *self, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean ovpn3_client_netcfg_destroy_finish(Ovpn3ClientNetcfg *self, GAsyncResult *result,
                                            GError **error);

const char *ovpn3_client_netcfg_get_device_path(Ovpn3ClientNetcfg *self); /* "/" if none */
const char *ovpn3_client_netcfg_get_device_name(Ovpn3ClientNetcfg *self); /* "" if none */

G_END_DECLS
