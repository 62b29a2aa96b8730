/* netcfg-device-private.h — the device object's fields, shared by the files
 * that implement it: netcfg-device.c (the D-Bus object and its
 * properties), netcfg-device-stage.c (staging calls), netcfg-device-apply.c
 * (Establish, the route plan executed through netlink, DNS, undoing),
 * netcfg-device-report.c (NetworkChange notifications, state file, DNS
 * aggregation) and netcfg-device-adopt.c (a recorded device of a live
 * creator, after netcfg's own crash). Nothing outside these files
 * includes it.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "netcfg-device.h"
#include "netcfg-netlink.h"
#include "ovpn3-net-route-plan.h"

G_BEGIN_DECLS

typedef enum
{
  DNS_NONE = 0,
  DNS_RESOLVED,
  DNS_RESOLVCONF,
} DnsMode;

typedef struct
{
  Ovpn3NetAddr addr;
  guint prefix;
  gboolean has_gateway;
  Ovpn3NetAddr gateway;
} StagedAddress;

typedef struct
{
  NetcfgRoute route;
  gboolean uplink;  /* not through the tunnel: removed explicitly */
  gboolean exclude; /* an exclude route (ROUTE_EXCLUDED) */
} AppliedRoute;

struct _NetcfgDevice
{
  GObject parent_instance;
  NetcfgManager *manager; /* not owned */
  guint registration_id;

  char *path;
  char *name;
  char *creator; /* unique bus name */
  guint32 creator_pid;
  gboolean has_creator_start; /* creator_start read (netcfg-creator.h) */
  guint64 creator_start;
  guint32 owner;
  guint32 session_owner; /* the owner of its session (LookupBackend): the quota's */
  guint32 engine_uid;    /* the session's openvpn, owner of the tun; G_MAXUINT32 = unset */

  /* properties */
  guint16 mtu;
  guint layer;
  guint16 txqueuelen;
  gboolean reroute_ipv4;
  gboolean reroute_ipv6;
  char *dns_scope;
  char *dnssec_mode;
  char *dns_transport;

  /* staged */
  GArray *addresses; /* StagedAddress */
  GArray *networks;  /* Ovpn3NetNetwork */
  GPtrArray *dns_servers;
  GPtrArray *dns_domains;
  gboolean has_remote4, has_remote6;
  Ovpn3NetAddr remote4, remote6;

  /* applied */
  int ifindex; /* > 0 once the kernel device exists */
  gboolean established;
  gboolean new_round;                       /* the next staging call starts from scratch */
  GDBusMethodInvocation *pending_establish; /* waiting for systemd-resolved */
  GCancellable *dns_cancel;
  GArray *applied_addresses; /* StagedAddress */
  GArray *applied_routes;    /* AppliedRoute */
  DnsMode dns_mode;
  GPtrArray *applied_servers;
  GPtrArray *applied_domains;
  gboolean applied_full_tunnel;
};

/* netcfg-device-report.c */
void netcfg_device_notify_address(NetcfgDevice *self, const StagedAddress *a, gboolean added);
void netcfg_device_notify_route(NetcfgDevice *self, const AppliedRoute *r, gboolean added);
void netcfg_device_notify_dns(NetcfgDevice *self, gboolean added);
void netcfg_device_notify_device(NetcfgDevice *self, gboolean added);

/* netcfg-device-apply.c */
const Ovpn3NetAddr *netcfg_device_remote_of_family(NetcfgDevice *self, int family);
/* Answers the invocation now, or when systemd-resolved has answered. */
void netcfg_device_establish(NetcfgDevice *self, GDBusMethodInvocation *invocation);

/* netcfg-device-stage.c: validated; nothing changes on error */
gboolean netcfg_device_stage_address(NetcfgDevice *self, GVariant *params, GError **error);
gboolean netcfg_device_stage_remote(NetcfgDevice *self, GVariant *params, GError **error);
gboolean netcfg_device_stage_networks(NetcfgDevice *self, GVariant *params, GError **error);
/* AddDNS (dns_server) or AddDNSSearch into `into`, at most max in all. */
gboolean netcfg_device_stage_strings(GPtrArray *into, GVariant *params, guint max,
                                     gboolean dns_server, GError **error);
gboolean netcfg_device_stage_mode(char **field, GVariant *params, const char *const *allowed,
                                  const char *what, GError **error);
void netcfg_device_start_new_round(NetcfgDevice *self);

G_END_DECLS
