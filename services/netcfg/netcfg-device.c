#define G_LOG_DOMAIN "ovpn3-netcfg-device"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "netcfg-access.h"
#include "netcfg-autoconf.h"
#include "netcfg-device.h"
#include "netcfg-dns-resolved.h"
#include "netcfg-dns-resolvconf.h"
#include "netcfg-netlink.h"
#include "netcfg-route-policy.h"
#include "netcfg-tun.h"
#include "netcfg-validate.h"
#include "ovpn3-acl.h"
#include "ovpn3-engine.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"

typedef enum
{
  DNS_NONE = 0,
  DNS_RESOLVED,
  DNS_RESOLVCONF,
} DnsMode;

typedef struct
{
  NetcfgAddr addr;
  guint prefix;
  gboolean has_gateway;
  NetcfgAddr gateway;
} StagedAddress;

typedef struct
{
  NetcfgAddr net;
  guint prefix;
  gint metric;
  gboolean exclude;
} StagedNetwork;

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
  guint32 owner;
  guint32 engine_uid; /* the session's openvpn, owner of the tun; G_MAXUINT32 = unset */

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
  GArray *networks;  /* StagedNetwork */
  GPtrArray *dns_servers;
  GPtrArray *dns_domains;
  gboolean has_remote4, has_remote6;
  NetcfgAddr remote4, remote6;

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

G_DEFINE_TYPE(NetcfgDevice, netcfg_device, G_TYPE_OBJECT)

static void
netcfg_device_finalize(GObject *object)
{
  NetcfgDevice *self = NETCFG_DEVICE(object);

  netcfg_device_unexport(self);
  g_free(self->path);
  g_free(self->name);
  g_free(self->creator);
  g_free(self->dns_scope);
  g_free(self->dnssec_mode);
  g_free(self->dns_transport);
  g_array_unref(self->addresses);
  g_array_unref(self->networks);
  g_ptr_array_unref(self->dns_servers);
  g_ptr_array_unref(self->dns_domains);
  g_array_unref(self->applied_addresses);
  g_array_unref(self->applied_routes);
  g_ptr_array_unref(self->applied_servers);
  g_ptr_array_unref(self->applied_domains);
  G_OBJECT_CLASS(netcfg_device_parent_class)->finalize(object);
}

static void
netcfg_device_class_init(NetcfgDeviceClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = netcfg_device_finalize;
}

static void
netcfg_device_init(NetcfgDevice *self)
{
  self->mtu = 1500;
  self->dns_scope = g_strdup("global");
  self->dnssec_mode = g_strdup("unset");
  self->dns_transport = g_strdup("unset");
  self->addresses = g_array_new(FALSE, TRUE, sizeof(StagedAddress));
  self->networks = g_array_new(FALSE, TRUE, sizeof(StagedNetwork));
  self->dns_servers = g_ptr_array_new_with_free_func(g_free);
  self->dns_domains = g_ptr_array_new_with_free_func(g_free);
  self->applied_addresses = g_array_new(FALSE, TRUE, sizeof(StagedAddress));
  self->applied_routes = g_array_new(FALSE, TRUE, sizeof(AppliedRoute));
  self->applied_servers = g_ptr_array_new_with_free_func(g_free);
  self->applied_domains = g_ptr_array_new_with_free_func(g_free);
}

NetcfgDevice *
netcfg_device_new(NetcfgManager *manager, const char *name, const Ovpn3Caller *creator)
{
  NetcfgDevice *self = g_object_new(NETCFG_TYPE_DEVICE, NULL);

  self->manager = manager;
  self->name = g_strdup(name);
  self->creator = g_strdup(creator->sender);
  self->creator_pid = creator->pid;
  self->owner = creator->uid;
  self->engine_uid = G_MAXUINT32;
  self->path = g_strdup_printf(OVPN3_NETCFG_PATH_PREFIX "%u_%s", creator->pid, name);
  return self;
}

const char *
netcfg_device_get_path(NetcfgDevice *self)
{
  return self->path;
}

const char *
netcfg_device_get_name(NetcfgDevice *self)
{
  return self->name;
}

const char *
netcfg_device_get_creator(NetcfgDevice *self)
{
  return self->creator;
}

guint32
netcfg_device_get_creator_pid(NetcfgDevice *self)
{
  return self->creator_pid;
}

/* ---- notifications ------------------------------------------------------ */

static const char *
ip_version(const NetcfgAddr *addr)
{
  return addr->family == AF_INET6 ? "6" : "4";
}

static void
notify_address(NetcfgDevice *self, const StagedAddress *a, gboolean added)
{
  g_autofree char *ip = netcfg_addr_to_string(&a->addr);
  g_autofree char *prefix = g_strdup_printf("%u", a->prefix);
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&b, "{ss}", "ip_version", ip_version(&a->addr));
  g_variant_builder_add(&b, "{ss}", "ip_address", ip);
  g_variant_builder_add(&b, "{ss}", "prefix", prefix);
  g_variant_builder_add(&b, "{ss}", "prefix_size", prefix);
  netcfg_manager_notify(self->manager, self->path, self->name,
                        added ? OVPN3_NETCFG_CHANGE_IPADDR_ADDED
                              : OVPN3_NETCFG_CHANGE_IPADDR_REMOVED,
                        g_variant_builder_end(&b));
}

static void
notify_route(NetcfgDevice *self, const AppliedRoute *r, gboolean added)
{
  g_autofree char *subnet = netcfg_addr_to_string(&r->route.dst);
  g_autofree char *prefix = g_strdup_printf("%u", r->route.prefix);
  g_autofree char *gw
      = r->route.has_gateway ? netcfg_addr_to_string(&r->route.gateway) : g_strdup("");
  GVariantBuilder b;
  Ovpn3NetcfgChangeType type;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  g_variant_builder_add(&b, "{ss}", "ip_version", ip_version(&r->route.dst));
  g_variant_builder_add(&b, "{ss}", "subnet", subnet);
  g_variant_builder_add(&b, "{ss}", "prefix", prefix);
  g_variant_builder_add(&b, "{ss}", "prefix_size", prefix);
  if (added)
    g_variant_builder_add(&b, "{ss}", "gateway", gw);
  if (!added)
    type = OVPN3_NETCFG_CHANGE_ROUTE_REMOVED;
  else if (r->exclude)
    type = OVPN3_NETCFG_CHANGE_ROUTE_EXCLUDED;
  else
    type = OVPN3_NETCFG_CHANGE_ROUTE_ADDED;
  netcfg_manager_notify(self->manager, self->path, self->name, type, g_variant_builder_end(&b));
}

static void
notify_dns(NetcfgDevice *self, gboolean added)
{
  for (guint i = 0; i < self->applied_servers->len; i++)
    {
      GVariantBuilder b;

      g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
      g_variant_builder_add(&b, "{ss}", "dns_server",
                            (const char *) self->applied_servers->pdata[i]);
      netcfg_manager_notify(self->manager, self->path, self->name,
                            added ? OVPN3_NETCFG_CHANGE_DNS_SERVER_ADDED
                                  : OVPN3_NETCFG_CHANGE_DNS_SERVER_REMOVED,
                            g_variant_builder_end(&b));
    }
  for (guint i = 0; i < self->applied_domains->len; i++)
    {
      GVariantBuilder b;

      g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
      g_variant_builder_add(&b, "{ss}", "search_domain",
                            (const char *) self->applied_domains->pdata[i]);
      netcfg_manager_notify(self->manager, self->path, self->name,
                            added ? OVPN3_NETCFG_CHANGE_DNS_SEARCH_ADDED
                                  : OVPN3_NETCFG_CHANGE_DNS_SEARCH_REMOVED,
                            g_variant_builder_end(&b));
    }
}

static void
notify_device(NetcfgDevice *self, gboolean added)
{
  GVariantBuilder b;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a{ss}"));
  netcfg_manager_notify(self->manager, self->path, self->name,
                        added ? OVPN3_NETCFG_CHANGE_DEVICE_ADDED
                              : OVPN3_NETCFG_CHANGE_DEVICE_REMOVED,
                        g_variant_builder_end(&b));
}

/* ---- applying and undoing ---------------------------------------------- */

static void
copy_strings(GPtrArray *to, GPtrArray *from)
{
  g_ptr_array_set_size(to, 0);
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add(to, g_strdup(from->pdata[i]));
}

static void
undo_dns(NetcfgDevice *self, gboolean notify)
{
  g_autoptr(GError) error = NULL;
  DnsMode mode = self->dns_mode;

  if (mode == DNS_NONE)
    return;
  self->dns_mode = DNS_NONE;
  if (mode == DNS_RESOLVED)
    netcfg_resolved_revert(netcfg_manager_get_context(self->manager)->connection, self->ifindex);
  else if (!netcfg_manager_update_resolvconf(self->manager, &error))
    netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_ERROR, "%s: %s", self->name,
                       error->message);
  if (notify)
    notify_dns(self, FALSE);
  g_ptr_array_set_size(self->applied_servers, 0);
  g_ptr_array_set_size(self->applied_domains, 0);
}

/* Removes applied routes, addresses and DNS; the link stays. */
static void
undo_applied(NetcfgDevice *self, gboolean keep_addresses_and_tun_routes)
{
  NetcfgNetlink *nl = netcfg_manager_get_netlink(self->manager);
  /* removals are announced only for what was announced as added */
  gboolean notify = self->established;

  undo_dns(self, notify);
  for (guint i = self->applied_routes->len; i > 0; i--)
    {
      AppliedRoute *r = &g_array_index(self->applied_routes, AppliedRoute, i - 1);
      g_autoptr(GError) error = NULL;

      gboolean remove;

      /* routes through the tunnel go with the device; shared ones outside
       * it with the last device using them */
      if (r->uplink)
        remove = netcfg_manager_uplink_route_unref(self->manager, &r->route);
      else
        remove = !keep_addresses_and_tun_routes;
      if (remove && !netcfg_netlink_route(nl, FALSE, &r->route, &error))
        netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN, "%s: %s", self->name,
                           error->message);
      if (notify)
        notify_route(self, r, FALSE);
    }
  g_array_set_size(self->applied_routes, 0);
  for (guint i = 0; i < self->applied_addresses->len; i++)
    {
      StagedAddress *a = &g_array_index(self->applied_addresses, StagedAddress, i);
      g_autoptr(GError) error = NULL;

      if (!keep_addresses_and_tun_routes
          && !netcfg_netlink_address(nl, FALSE, self->ifindex, &a->addr, a->prefix, &error))
        netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN, "%s: %s", self->name,
                           error->message);
      if (notify)
        notify_address(self, a, FALSE);
    }
  g_array_set_size(self->applied_addresses, 0);
  self->established = FALSE;
}

void
netcfg_device_teardown(NetcfgDevice *self)
{
  NetcfgNetlink *nl = netcfg_manager_get_netlink(self->manager);
  g_autoptr(GError) error = NULL;

  if (self->pending_establish != NULL)
    {
      g_cancellable_cancel(self->dns_cancel);
      g_dbus_method_invocation_return_error(g_steal_pointer(&self->pending_establish),
                                            OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
                                            "Device %s was removed", self->name);
    }
  /* uplink routes and DNS explicitly; the rest goes with the link */
  undo_applied(self, TRUE);
  if (self->ifindex > 0)
    {
      if (!netcfg_netlink_link_delete(nl, self->name, &error))
        netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_ERROR, "%s", error->message);
      else
        netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_INFO, "Removed device %s", self->name);
      self->ifindex = 0;
      notify_device(self, FALSE);
    }
}

static gboolean
add_route(NetcfgDevice *self, const NetcfgRoute *route, gboolean uplink, gboolean exclude,
          GError **error)
{
  AppliedRoute r = { .route = *route, .uplink = uplink, .exclude = exclude };
  g_autoptr(GError) local = NULL;

  if (!netcfg_netlink_route(netcfg_manager_get_netlink(self->manager), TRUE, route, &local))
    {
      /* another of our devices added the very same route outside the
       * tunnel (two sessions to one server): share it */
      if (uplink && g_error_matches(local, G_IO_ERROR, G_IO_ERROR_EXISTS)
          && netcfg_manager_uplink_route_is_ours(self->manager, route))
        {
          netcfg_manager_uplink_route_ref(self->manager, route);
          g_array_append_val(self->applied_routes, r);
          return TRUE;
        }
      /* the very same route is there already (the admin's): it serves,
       * and it is not ours to remove later */
      if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_EXISTS))
        {
          g_autofree char *shown = netcfg_route_to_string(route);

          netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_INFO,
                             "%s: route %s exists already; left as it is", self->name, shown);
          return TRUE;
        }
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
  if (uplink)
    netcfg_manager_uplink_route_ref(self->manager, route);
  g_array_append_val(self->applied_routes, r);
  return TRUE;
}

/* A host route to the VPN server through the uplink it uses now. */
static gboolean
add_server_route(NetcfgDevice *self, const NetcfgAddr *remote, GError **error)
{
  NetcfgRoute route = { 0 };
  g_autofree char *shown = netcfg_addr_to_string(remote);

  if (!netcfg_netlink_uplink_for(netcfg_manager_get_netlink(self->manager), remote, self->ifindex,
                                 &route, NULL))
    {
      netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN,
                         "%s: no route to the VPN server %s outside the tunnel", self->name, shown);
      return TRUE;
    }
  route.dst = *remote;
  route.prefix = netcfg_addr_max_prefix(remote);
  route.metric = -1;
  return add_route(self, &route, TRUE, FALSE, error);
}

static const NetcfgAddr *
remote_of_family(NetcfgDevice *self, int family)
{
  if (family == AF_INET6)
    return self->has_remote6 ? &self->remote6 : NULL;
  return self->has_remote4 ? &self->remote4 : NULL;
}

static const NetcfgAddr *
tunnel_gateway(NetcfgDevice *self, int family)
{
  /* tun is point-to-point: routes need no gateway; tap needs the pushed
   * one, when it lies inside the tunnel's subnet */
  if (self->layer != NETCFG_LAYER_TAP)
    return NULL;
  for (guint i = 0; i < self->addresses->len; i++)
    {
      StagedAddress *a = &g_array_index(self->addresses, StagedAddress, i);

      if (a->addr.family == family && a->has_gateway
          && netcfg_addr_in_network(&a->gateway, &a->addr, a->prefix))
        return &a->gateway;
    }
  return NULL;
}

static gboolean
add_tunnel_route(NetcfgDevice *self, const NetcfgAddr *net, guint prefix, gint metric,
                 GError **error)
{
  NetcfgRoute route = { .dst = *net, .prefix = prefix, .oif = self->ifindex, .metric = metric };
  const NetcfgAddr *gw = tunnel_gateway(self, net->family);

  if (gw != NULL)
    {
      route.has_gateway = TRUE;
      route.gateway = *gw;
    }
  return add_route(self, &route, FALSE, FALSE, error);
}

static gboolean
apply_routes(NetcfgDevice *self, GError **error)
{
  NetcfgNetlink *nl = netcfg_manager_get_netlink(self->manager);
  static const guint8 half[16] = { 0x80 };
  g_autoptr(NetcfgRoutePolicy) policy = netcfg_route_policy_new(
      nl, self->ifindex, remote_of_family(self, AF_INET), remote_of_family(self, AF_INET6),
      self->reroute_ipv4, self->reroute_ipv6);

  if ((self->reroute_ipv4 && !self->has_remote4) || (self->reroute_ipv6 && !self->has_remote6))
    netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN,
                       "%s: redirect-gateway without the VPN server's address (SetRemoteAddress): "
                       "no host route to the server is added",
                       self->name);
  /* first what leaves through the uplink, looked up before any route
   * through the tunnel exists */
  if (self->reroute_ipv4 && self->has_remote4 && !add_server_route(self, &self->remote4, error))
    return FALSE;
  if (self->reroute_ipv6 && self->has_remote6 && !add_server_route(self, &self->remote6, error))
    return FALSE;
  for (guint i = 0; i < self->networks->len; i++)
    {
      StagedNetwork *n = &g_array_index(self->networks, StagedNetwork, i);
      NetcfgRoute route = { 0 };
      g_autofree char *shown = NULL;

      if (!n->exclude)
        continue;
      if (!netcfg_netlink_uplink_for(nl, &n->net, self->ifindex, &route, NULL))
        {
          shown = netcfg_addr_to_string(&n->net);
          netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN,
                             "%s: no route outside the tunnel for the excluded network %s/%u",
                             self->name, shown, n->prefix);
          continue;
        }
      route.dst = n->net;
      route.prefix = n->prefix;
      route.metric = n->metric;
      if (!add_route(self, &route, TRUE, TRUE, error))
        return FALSE;
    }
  for (guint i = 0; i < self->networks->len; i++)
    {
      StagedNetwork *n = &g_array_index(self->networks, StagedNetwork, i);
      g_autofree char *why = NULL;

      if (n->exclude)
        continue;
      if (!netcfg_route_policy_allows(policy, &n->net, n->prefix, &why))
        {
          netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN, "%s: ignoring route %s",
                             self->name, why);
          continue;
        }
      if (!add_tunnel_route(self, &n->net, n->prefix, n->metric, error))
        return FALSE;
    }
  if (self->reroute_ipv4)
    {
      NetcfgAddr low = { .family = AF_INET }, high = { .family = AF_INET };

      memcpy(high.bytes, half, 4);
      if (!add_tunnel_route(self, &low, 1, -1, error)
          || !add_tunnel_route(self, &high, 1, -1, error))
        return FALSE;
    }
  if (self->reroute_ipv6)
    {
      NetcfgAddr low = { .family = AF_INET6 }, high = { .family = AF_INET6 };

      memcpy(high.bytes, half, 16);
      if (!add_tunnel_route(self, &low, 1, -1, error)
          || !add_tunnel_route(self, &high, 1, -1, error))
        return FALSE;
    }
  return TRUE;
}

static void
establish_failed(NetcfgDevice *self, GDBusMethodInvocation *invocation, const GError *cause)
{
  /* undo what this call did; the state file follows */
  undo_applied(self, FALSE);
  netcfg_manager_save_state(self->manager);
  netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_ERROR, "%s: Establish failed: %s",
                     self->name, cause->message);
  g_dbus_method_invocation_return_error(invocation, OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
                                        "Could not establish %s: %s", self->name, cause->message);
}

static void
establish_done(NetcfgDevice *self, GDBusMethodInvocation *invocation)
{
  self->established = TRUE;
  self->new_round = TRUE;
  netcfg_manager_save_state(self->manager);
  for (guint i = 0; i < self->applied_addresses->len; i++)
    notify_address(self, &g_array_index(self->applied_addresses, StagedAddress, i), TRUE);
  for (guint i = 0; i < self->applied_routes->len; i++)
    notify_route(self, &g_array_index(self->applied_routes, AppliedRoute, i), TRUE);
  if (self->dns_mode != DNS_NONE)
    {
      notify_dns(self, TRUE);
      netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_INFO,
                         "%s: DNS (%s, %s scope): %u server(s), %u domain(s)", self->name,
                         self->dns_mode == DNS_RESOLVED ? "systemd-resolved" : "resolv.conf",
                         self->applied_full_tunnel ? "global" : "tunnel",
                         self->applied_servers->len, self->applied_domains->len);
    }
  netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_INFO,
                     "%s established: %u address(es), %u route(s)", self->name,
                     self->applied_addresses->len, self->applied_routes->len);
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static void
on_resolved_applied(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NetcfgDevice) self = user_data;
  GDBusMethodInvocation *invocation = g_steal_pointer(&self->pending_establish);
  g_autoptr(GError) error = NULL;
  gboolean ok = netcfg_resolved_apply_finish(result, &error);

  g_clear_object(&self->dns_cancel);
  if (invocation == NULL)
    return; /* torn down meanwhile; that answered the call */
  if (!ok)
    establish_failed(self, invocation, error);
  else
    establish_done(self, invocation);
}

/* Returns TRUE when the DNS part completes later (systemd-resolved). */
static gboolean
apply_dns(NetcfgDevice *self, GDBusMethodInvocation *invocation, GError **error)
{
  Ovpn3ServiceContext *ctx = netcfg_manager_get_context(self->manager);

  if (self->dns_servers->len == 0 && self->dns_domains->len == 0)
    return FALSE;
  copy_strings(self->applied_servers, self->dns_servers);
  copy_strings(self->applied_domains, self->dns_domains);
  self->applied_full_tunnel = g_str_equal(self->dns_scope, "global");
  if (netcfg_manager_resolved_present(self->manager))
    {
      self->dns_mode = DNS_RESOLVED;
      self->pending_establish = invocation;
      self->dns_cancel = g_cancellable_new();
      netcfg_resolved_apply_async(ctx->connection, self->ifindex, self->applied_servers,
                                  self->applied_domains, self->applied_full_tunnel,
                                  self->dnssec_mode, self->dns_transport, self->dns_cancel,
                                  on_resolved_applied, g_object_ref(self));
      return TRUE;
    }
  if (netcfg_resolvconf_usable())
    {
      self->dns_mode = DNS_RESOLVCONF;
      netcfg_manager_update_resolvconf(self->manager, error);
      return FALSE;
    }
  netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN,
                     "%s: DNS settings not applied: neither systemd-resolved nor a "
                     "writable " NETCFG_RESOLV_CONF " is available",
                     self->name);
  g_ptr_array_set_size(self->applied_servers, 0);
  g_ptr_array_set_size(self->applied_domains, 0);
  return FALSE;
}

/* IPv6 is in use on the tunnel: the device keeps its link-local address. */
static gboolean
uses_ipv6(NetcfgDevice *self)
{
  for (guint i = 0; i < self->addresses->len; i++)
    if (g_array_index(self->addresses, StagedAddress, i).addr.family == AF_INET6)
      return TRUE;
  return FALSE;
}

static void establish(NetcfgDevice *self, GDBusMethodInvocation *invocation);

static void
on_resolved_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NetcfgDevice) self = user_data;
  GDBusMethodInvocation *invocation = g_steal_pointer(&self->pending_establish);

  netcfg_manager_resolved_query_finish(NETCFG_MANAGER(source), result, NULL);
  g_clear_object(&self->dns_cancel);
  if (invocation == NULL)
    return; /* torn down meanwhile; that answered the call */
  establish(self, invocation);
}

/* Answers the invocation now, or when systemd-resolved has answered. */
static void
establish(NetcfgDevice *self, GDBusMethodInvocation *invocation)
{
  NetcfgNetlink *nl = netcfg_manager_get_netlink(self->manager);
  g_autoptr(GError) local = NULL;

  if (self->pending_establish != NULL)
    {
      g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_NETCFG_DEVICE,
                                                    OVPN3_ERROR_FAILED,
                                                    "Establish is already in progress");
      return;
    }
  if ((self->dns_servers->len > 0 || self->dns_domains->len > 0)
      && !netcfg_manager_resolved_known(self->manager))
    {
      /* where DNS goes is not known yet: find out first, without blocking */
      self->pending_establish = invocation;
      self->dns_cancel = g_cancellable_new();
      netcfg_manager_resolved_query_async(self->manager, self->dns_cancel, on_resolved_known,
                                          g_object_ref(self));
      return;
    }
  if (self->ifindex <= 0)
    {
      g_dbus_method_invocation_return_error_literal(
          invocation, OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
          "Device has not been created: set 'layer' to 3 (tun) or 2 (tap) first");
      return;
    }
  for (guint i = 0; i < self->addresses->len; i++)
    {
      StagedAddress *a = &g_array_index(self->addresses, StagedAddress, i);
      const NetcfgAddr *remote = remote_of_family(self, a->addr.family);

      if (remote != NULL && netcfg_addr_equal(remote, &a->addr))
        {
          g_autofree char *shown = netcfg_addr_to_string(remote);

          g_dbus_method_invocation_return_error(
              invocation, OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
              "Could not establish %s: the tunnel address %s is the VPN server's address",
              self->name, shown);
          return;
        }
    }
  if (self->established)
    undo_applied(self, FALSE);

  if (!netcfg_autoconf_link_up(nl, self->name, self->ifindex, self->mtu, self->txqueuelen,
                               uses_ipv6(self), &local))
    goto fail;
  for (guint i = 0; i < self->addresses->len; i++)
    {
      StagedAddress *a = &g_array_index(self->addresses, StagedAddress, i);

      if (!netcfg_netlink_address(nl, TRUE, self->ifindex, &a->addr, a->prefix, &local))
        goto fail;
      g_array_append_val(self->applied_addresses, *a);
    }
  if (!apply_routes(self, &local))
    goto fail;
  if (apply_dns(self, invocation, &local))
    {
      /* routes and addresses are in place: record them before waiting */
      netcfg_manager_save_state(self->manager);
      return;
    }
  if (local != NULL)
    goto fail;
  establish_done(self, invocation);
  return;

fail:
  establish_failed(self, invocation, local);
}

/* ---- staging (validated; nothing changes on error) --------------------- */

static gboolean
stage_address(NetcfgDevice *self, GVariant *params, GError **error)
{
  const char *ip, *gateway;
  guint32 prefix;
  gboolean ipv6;
  StagedAddress a = { 0 };
  const NetcfgAddr *remote;

  g_variant_get(params, "(&su&sb)", &ip, &prefix, &gateway, &ipv6);
  if (!netcfg_parse_ip(ip, ipv6, &a.addr, error)
      || !netcfg_check_tunnel_address(&a.addr, prefix, error))
    return FALSE;
  a.prefix = prefix;
  if (*gateway != '\0')
    {
      if (!netcfg_parse_ip(gateway, ipv6, &a.gateway, error))
        return FALSE;
      a.has_gateway = TRUE;
    }
  remote = remote_of_family(self, a.addr.family);
  if (remote != NULL && netcfg_addr_equal(remote, &a.addr))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Refusing tunnel address %s: it is the VPN server's address", ip);
      return FALSE;
    }
  for (guint i = 0; i < self->addresses->len; i++)
    {
      StagedAddress *b = &g_array_index(self->addresses, StagedAddress, i);

      if (netcfg_addr_equal(&b->addr, &a.addr) && b->prefix == a.prefix)
        return TRUE; /* already staged */
    }
  if (self->addresses->len >= NETCFG_MAX_ADDRESSES)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Too many IP addresses (at most %d)", NETCFG_MAX_ADDRESSES);
      return FALSE;
    }
  g_array_append_val(self->addresses, a);
  return TRUE;
}

gboolean
netcfg_device_set_remote(NetcfgDevice *self, const NetcfgAddr *addr, GError **error)
{
  if (netcfg_addr_is_forbidden(addr))
    {
      g_autofree char *shown = netcfg_addr_to_string(addr);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Refusing VPN server address '%s' (loopback, unspecified, broadcast or "
                  "multicast)",
                  shown);
      return FALSE;
    }
  if (addr->family == AF_INET6)
    {
      self->remote6 = *addr;
      self->has_remote6 = TRUE;
    }
  else
    {
      self->remote4 = *addr;
      self->has_remote4 = TRUE;
    }
  return TRUE;
}

static gboolean
stage_remote(NetcfgDevice *self, GVariant *params, GError **error)
{
  const char *ip;
  gboolean ipv6;
  NetcfgAddr addr;

  g_variant_get(params, "(&sb)", &ip, &ipv6);
  if (!netcfg_parse_ip(ip, ipv6, &addr, error))
    return FALSE;
  return netcfg_device_set_remote(self, &addr, error);
}

static gboolean
stage_networks(NetcfgDevice *self, GVariant *params, GError **error)
{
  g_autoptr(GVariant) list = g_variant_get_child_value(params, 0);
  g_autoptr(GArray) staged = NULL;
  gsize n = g_variant_n_children(list);
  GVariantIter iter;
  const char *address;
  guint32 prefix;
  gint32 metric;
  gboolean ipv6, exclude;

  if (n > NETCFG_MAX_ROUTES || self->networks->len + n > NETCFG_MAX_ROUTES)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Too many routes: %" G_GSIZE_FORMAT " given, %u staged, at most %d", n,
                  self->networks->len, NETCFG_MAX_ROUTES);
      return FALSE;
    }
  staged = g_array_sized_new(FALSE, TRUE, sizeof(StagedNetwork), (guint) n);
  g_variant_iter_init(&iter, list);
  while (g_variant_iter_next(&iter, "(&suibb)", &address, &prefix, &metric, &ipv6, &exclude))
    {
      StagedNetwork s
          = { .prefix = prefix, .metric = metric < 0 ? -1 : metric, .exclude = exclude };

      if (!netcfg_parse_ip(address, ipv6, &s.net, error)
          || !netcfg_check_route(&s.net, prefix, error))
        return FALSE;
      g_array_append_val(staged, s);
    }
  for (guint i = 0; i < staged->len; i++)
    {
      StagedNetwork *s = &g_array_index(staged, StagedNetwork, i);
      gboolean dup = FALSE;

      for (guint j = 0; j < self->networks->len && !dup; j++)
        {
          StagedNetwork *t = &g_array_index(self->networks, StagedNetwork, j);

          dup = netcfg_addr_equal(&s->net, &t->net) && s->prefix == t->prefix
                && s->exclude == t->exclude;
        }
      if (!dup)
        g_array_append_val(self->networks, *s);
    }
  return TRUE;
}

static gboolean
stage_strings(GPtrArray *into, GVariant *params, guint max, gboolean dns_server, GError **error)
{
  g_autofree const char **items = NULL;
  gsize n = 0;
  g_autoptr(GPtrArray) add = g_ptr_array_new_with_free_func(g_free);

  g_variant_get(params, "(^a&s)", &items);
  n = items != NULL ? g_strv_length((char **) items) : 0;
  if (n > max)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Too many %s (at most %u)",
                  dns_server ? "DNS servers" : "DNS search domains", max);
      return FALSE;
    }
  for (gsize i = 0; i < n; i++)
    {
      gboolean dup = FALSE;
      char *value;

      if (dns_server)
        {
          NetcfgAddr addr;

          if (!netcfg_parse_ip_any(items[i], &addr, error))
            {
              g_prefix_error(error, "DNS server: ");
              return FALSE;
            }
          value = netcfg_addr_to_string(&addr);
        }
      else
        {
          if (!netcfg_check_domain(items[i], error))
            return FALSE;
          value = g_ascii_strdown(items[i], -1);
        }
      for (guint j = 0; j < into->len && !dup; j++)
        dup = g_str_equal(into->pdata[j], value);
      for (guint j = 0; j < add->len && !dup; j++)
        dup = g_str_equal(add->pdata[j], value);
      if (dup)
        g_free(value);
      else
        g_ptr_array_add(add, value);
    }
  if (into->len + add->len > max)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Too many %s (at most %u)",
                  dns_server ? "DNS servers" : "DNS search domains", max);
      return FALSE;
    }
  for (guint i = 0; i < add->len; i++)
    g_ptr_array_add(into, g_steal_pointer(&add->pdata[i]));
  return TRUE;
}

static gboolean
stage_mode(char **field, GVariant *params, const char *const *allowed, const char *what,
           GError **error)
{
  const char *mode;

  g_variant_get(params, "(&s)", &mode);
  if (!g_strv_contains(allowed, mode))
    {
      g_autofree char *shown = netcfg_escape(mode);
      g_autofree char *list = g_strjoinv("', '", (char **) allowed);

      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid %s '%s' (one of '%s')",
                  what, shown, list);
      return FALSE;
    }
  g_free(*field);
  *field = g_strdup(mode);
  return TRUE;
}

/* After an Establish, the backend hands over a complete new set of
 * settings (e.g. after a reconnect with a new address): the first staging
 * call of that set drops the previous one, so the next Establish applies
 * exactly the new set. Properties (mtu, reroute_*, dns_scope…) stay. */
static void
start_new_round(NetcfgDevice *self)
{
  self->new_round = FALSE;
  g_array_set_size(self->addresses, 0);
  g_array_set_size(self->networks, 0);
  g_ptr_array_set_size(self->dns_servers, 0);
  g_ptr_array_set_size(self->dns_domains, 0);
  self->has_remote4 = self->has_remote6 = FALSE;
}

/* ---- D-Bus -------------------------------------------------------------- */

static void
device_method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *params,
                   GDBusMethodInvocation *invocation)
{
  NetcfgDevice *self = object;
  g_autoptr(GError) error = NULL;
  G_GNUC_UNUSED g_autoptr(NetcfgDevice) keep = g_object_ref(self);
  gboolean ok = TRUE;

  if (self->new_round
      && (g_str_equal(method, "AddIPAddress") || g_str_equal(method, "SetRemoteAddress")
          || g_str_equal(method, "AddNetworks") || g_str_equal(method, "AddDNS")
          || g_str_equal(method, "AddDNSSearch")))
    start_new_round(self);
  if (g_str_equal(method, "AddIPAddress"))
    ok = stage_address(self, params, &error);
  else if (g_str_equal(method, "SetRemoteAddress"))
    ok = stage_remote(self, params, &error);
  else if (g_str_equal(method, "AddNetworks"))
    ok = stage_networks(self, params, &error);
  else if (g_str_equal(method, "AddDNS"))
    ok = stage_strings(self->dns_servers, params, NETCFG_MAX_DNS_SERVERS, TRUE, &error);
  else if (g_str_equal(method, "AddDNSSearch"))
    ok = stage_strings(self->dns_domains, params, NETCFG_MAX_DNS_DOMAINS, FALSE, &error);
  else if (g_str_equal(method, "SetDNSSEC"))
    {
      static const char *const modes[] = { "yes", "no", "optional", NULL };

      ok = stage_mode(&self->dnssec_mode, params, modes, "DNSSEC mode", &error);
    }
  else if (g_str_equal(method, "SetDNSTransport"))
    {
      /* systemd-resolved has no DNS-over-HTTPS */
      static const char *const modes[] = { "plain", "dot", NULL };

      ok = stage_mode(&self->dns_transport, params, modes, "DNS transport", &error);
    }
  else if (g_str_equal(method, "Establish"))
    {
      establish(self, invocation);
      return;
    }
  else if (g_str_equal(method, "Disable"))
    ok = TRUE; /* docs/dbus-api.md §3.5: a no-op */
  else if (g_str_equal(method, "Destroy"))
    {
      /* reply first: the object goes away with the teardown */
      g_dbus_method_invocation_return_value(invocation, NULL);
      netcfg_manager_remove_device(self->manager, self);
      return;
    }
  else
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                            "Unknown method %s", method);
      return;
    }
  if (!ok)
    {
      if (error->domain != OVPN3_ERROR_NETCFG_DEVICE)
        netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN, "%s: %s refused: %s", self->name,
                           method, error->message);
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
}

static GVariant *
strings_variant(GPtrArray *list)
{
  return g_variant_new_strv((const char *const *) list->pdata, list->len);
}

static GVariant *
device_get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  NetcfgDevice *self = object;

  if (g_str_equal(name, "device_name"))
    return g_variant_new_string(self->name);
  if (g_str_equal(name, "mtu"))
    return g_variant_new_uint16(self->mtu);
  if (g_str_equal(name, "layer"))
    return g_variant_new_uint32(self->layer);
  if (g_str_equal(name, "txqueuelen"))
    return g_variant_new_uint16(self->txqueuelen);
  if (g_str_equal(name, "reroute_ipv4"))
    return g_variant_new_boolean(self->reroute_ipv4);
  if (g_str_equal(name, "reroute_ipv6"))
    return g_variant_new_boolean(self->reroute_ipv6);
  if (g_str_equal(name, "owner"))
    return g_variant_new_uint32(self->owner);
  if (g_str_equal(name, "engine_uid"))
    return g_variant_new_uint32(self->engine_uid);
  if (g_str_equal(name, "acl"))
    return g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, &self->owner, 1, sizeof(guint32));
  if (g_str_equal(name, "dns_scope"))
    return g_variant_new_string(self->dns_scope);
  if (g_str_equal(name, "dns_name_servers"))
    return strings_variant(self->dns_servers);
  if (g_str_equal(name, "dns_search_domains"))
    return strings_variant(self->dns_domains);
  if (g_str_equal(name, "dnssec_mode"))
    return g_variant_new_string(self->dnssec_mode);
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property “%s”", name);
  return NULL;
}

/* The session's engine uid when the backend named one (docs/security.md), else the creator. */
static guint32
tun_owner(NetcfgDevice *self)
{
  return self->engine_uid != G_MAXUINT32 ? self->engine_uid : self->owner;
}

static gboolean
set_engine_uid(NetcfgDevice *self, guint32 uid, GError **error)
{
  if (self->layer != NETCFG_LAYER_UNSET)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "%s exists already: set engine_uid before layer", self->name);
      return FALSE;
    }
  if (!ovpn3_engine_uid_in_range(uid))
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "UID %u is not in the engine range %u–%u", uid, (guint) OVPN3_ENGINE_UID_MIN,
                  (guint) OVPN3_ENGINE_UID_MAX);
      return FALSE;
    }
  self->engine_uid = uid;
  return TRUE;
}

static gboolean
set_layer(NetcfgDevice *self, guint32 layer, GError **error)
{
  g_autoptr(GError) local = NULL;
  NetcfgNetlink *nl = netcfg_manager_get_netlink(self->manager);

  if (self->layer != NETCFG_LAYER_UNSET)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "The layer of %s is already set (%u); it cannot change", self->name, self->layer);
      return FALSE;
    }
  if (layer != NETCFG_LAYER_TUN && layer != NETCFG_LAYER_TAP)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Invalid layer %u (2 = tap, 3 = tun)", layer);
      return FALSE;
    }
  if (netcfg_netlink_link_index(nl, self->name) > 0)
    {
      g_set_error(error, OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
                  "Error creating virtual interface '%s': the name is in use", self->name);
      return FALSE;
    }
  if (!netcfg_tun_create(self->name, layer, tun_owner(self), &local)
      || !netcfg_autoconf_created(nl, self->name, &local))
    {
      netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_ERROR, "%s", local->message);
      g_set_error(error, OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
                  "Error creating virtual interface '%s': %s", self->name, local->message);
      return FALSE;
    }
  self->layer = layer;
  self->ifindex = netcfg_netlink_link_index(nl, self->name);
  netcfg_manager_save_state(self->manager);
  netcfg_manager_log(
      self->manager, OVPN3_LOG_CATEGORY_INFO, "Created %s device %s (index %d) owned by uid %u",
      layer == NETCFG_LAYER_TAP ? "tap" : "tun", self->name, self->ifindex, tun_owner(self));
  notify_device(self, TRUE);
  return TRUE;
}

static gboolean
device_set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
                    GError **error)
{
  NetcfgDevice *self = object;

  if (g_str_equal(name, "mtu"))
    {
      guint16 mtu = g_variant_get_uint16(value);

      if (mtu < NETCFG_MTU_MIN)
        {
          g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid MTU %u (%d–%d)", mtu,
                      NETCFG_MTU_MIN, NETCFG_MTU_MAX);
          return FALSE;
        }
      self->mtu = mtu;
      return TRUE;
    }
  if (g_str_equal(name, "layer"))
    return set_layer(self, g_variant_get_uint32(value), error);
  if (g_str_equal(name, "engine_uid"))
    return set_engine_uid(self, g_variant_get_uint32(value), error);
  if (g_str_equal(name, "txqueuelen"))
    {
      self->txqueuelen = g_variant_get_uint16(value);
      return TRUE;
    }
  if (g_str_equal(name, "reroute_ipv4"))
    {
      self->reroute_ipv4 = g_variant_get_boolean(value);
      return TRUE;
    }
  if (g_str_equal(name, "reroute_ipv6"))
    {
      self->reroute_ipv6 = g_variant_get_boolean(value);
      return TRUE;
    }
  if (g_str_equal(name, "dns_scope"))
    {
      static const char *const scopes[] = { "global", "tunnel", NULL };
      g_autoptr(GVariant) params = g_variant_new("(s)", g_variant_get_string(value, NULL));

      g_variant_ref_sink(params);
      return stage_mode(&self->dns_scope, params, scopes, "DNS scope", error);
    }
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY, "Property “%s” is read-only",
              name);
  return FALSE;
}

static const Ovpn3ExportedVTable device_vtable = {
  .method_call = device_method_call,
  .get_property = device_get_property,
  .set_property = device_set_property,
  .access = &netcfg_device_access,
  .access_check = netcfg_device_access_check,
  .access_denied = netcfg_device_access_denied,
};

gboolean
netcfg_device_export(NetcfgDevice *self, GError **error)
{
  self->registration_id
      = ovpn3_exporter_register(netcfg_manager_get_context(self->manager)->exporter, self->path,
                                OVPN3_XML_NETCFG_DEVICE, &device_vtable, self, error);
  return self->registration_id != 0;
}

void
netcfg_device_unexport(NetcfgDevice *self)
{
  if (self->registration_id == 0)
    return;
  ovpn3_exporter_unregister(netcfg_manager_get_context(self->manager)->exporter,
                            self->registration_id);
  self->registration_id = 0;
}

/* ---- state and DNS aggregation ----------------------------------------- */

JsonNode *
netcfg_device_to_state(NetcfgDevice *self)
{
  g_autoptr(JsonBuilder) b = NULL;

  if (self->ifindex <= 0)
    return NULL;
  b = json_builder_new();
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, self->name);
  json_builder_set_member_name(b, "path");
  json_builder_add_string_value(b, self->path);
  json_builder_set_member_name(b, "ifindex");
  json_builder_add_int_value(b, self->ifindex);
  json_builder_set_member_name(b, "dns");
  json_builder_add_string_value(b, self->dns_mode == DNS_RESOLVED     ? "resolved"
                                   : self->dns_mode == DNS_RESOLVCONF ? "resolvconf"
                                                                      : "none");
  json_builder_set_member_name(b, "uplink_routes");
  json_builder_begin_array(b);
  for (guint i = 0; i < self->applied_routes->len; i++)
    {
      AppliedRoute *r = &g_array_index(self->applied_routes, AppliedRoute, i);
      g_autofree char *dst = NULL;

      if (!r->uplink)
        continue;
      dst = netcfg_addr_to_string(&r->route.dst);
      json_builder_begin_object(b);
      json_builder_set_member_name(b, "dst");
      json_builder_add_string_value(b, dst);
      json_builder_set_member_name(b, "prefix");
      json_builder_add_int_value(b, r->route.prefix);
      if (r->route.has_gateway)
        {
          g_autofree char *gw = netcfg_addr_to_string(&r->route.gateway);

          json_builder_set_member_name(b, "gateway");
          json_builder_add_string_value(b, gw);
        }
      json_builder_set_member_name(b, "oif");
      json_builder_add_int_value(b, r->route.oif);
      json_builder_set_member_name(b, "metric");
      json_builder_add_int_value(b, r->route.metric);
      json_builder_end_object(b);
    }
  json_builder_end_array(b);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

gboolean
netcfg_device_collect_resolvconf(NetcfgDevice *self, GPtrArray *servers, GPtrArray *domains,
                                 gboolean *full_tunnel)
{
  if (self->dns_mode != DNS_RESOLVCONF)
    return FALSE;
  for (guint i = 0; i < self->applied_servers->len; i++)
    g_ptr_array_add(servers, g_strdup(self->applied_servers->pdata[i]));
  for (guint i = 0; i < self->applied_domains->len; i++)
    g_ptr_array_add(domains, g_strdup(self->applied_domains->pdata[i]));
  if (self->applied_full_tunnel)
    *full_tunnel = TRUE;
  return TRUE;
}

void
netcfg_device_collect_global_dns(NetcfgDevice *self, GPtrArray *servers, GPtrArray *domains)
{
  if (self->dns_mode == DNS_NONE || !self->applied_full_tunnel)
    return;
  for (guint i = 0; i < self->applied_servers->len; i++)
    g_ptr_array_add(servers, g_strdup(self->applied_servers->pdata[i]));
  for (guint i = 0; i < self->applied_domains->len; i++)
    g_ptr_array_add(domains, g_strdup(self->applied_domains->pdata[i]));
}
