#define G_LOG_DOMAIN "ovpn3-netcfg-device"

#include "config.h"

#include <sys/socket.h>

#include "netcfg-autoconf.h"
#include "netcfg-device-private.h"
#include "netcfg-dns-resolved.h"
#include "netcfg-dns-resolvconf.h"
#include "netcfg-tun.h"
#include "ovpn3-error.h"

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
    netcfg_device_notify_dns(self, FALSE);
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
        netcfg_device_notify_route(self, r, FALSE);
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
        netcfg_device_notify_address(self, a, FALSE);
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
      netcfg_device_notify_device(self, FALSE);
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

const Ovpn3NetAddr *
netcfg_device_remote_of_family(NetcfgDevice *self, int family)
{
  if (family == AF_INET6)
    return self->has_remote6 ? &self->remote6 : NULL;
  return self->has_remote4 ? &self->remote4 : NULL;
}

static const Ovpn3NetAddr *
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
          && ovpn3_net_addr_in_network(&a->gateway, &a->addr, a->prefix))
        return &a->gateway;
    }
  return NULL;
}

/* The route planner's view of the main table, ignoring the tunnel. */
static gboolean
lookup_uplink(const Ovpn3NetAddr *dst, Ovpn3NetUplink *out, gpointer user_data)
{
  NetcfgDevice *self = user_data;
  NetcfgRoute route = { 0 };
  guint prefix = 0;

  if (!netcfg_netlink_uplink_for(netcfg_manager_get_netlink(self->manager), dst, self->ifindex,
                                 &route, &prefix))
    return FALSE;
  *out = (Ovpn3NetUplink){
    .oif = route.oif, .has_gateway = route.has_gateway, .gateway = route.gateway, .prefix = prefix
  };
  return TRUE;
}

/* Plans the routes (ovpn3-net-route-plan.h: server host route, excludes,
 * pushed networks under the policy and the budget, default-route halves),
 * logs what the plan leaves out and adds the rest in order. */
static gboolean
apply_routes(NetcfgDevice *self, GError **error)
{
  const Ovpn3NetPlanInput in = {
    .networks = (const Ovpn3NetNetwork *) (gpointer) self->networks->data,
    .n_networks = self->networks->len,
    .remote4 = netcfg_device_remote_of_family(self, AF_INET),
    .remote6 = netcfg_device_remote_of_family(self, AF_INET6),
    .reroute_ipv4 = self->reroute_ipv4,
    .reroute_ipv6 = self->reroute_ipv6,
    .tunnel_gateway4 = tunnel_gateway(self, AF_INET),
    .tunnel_gateway6 = tunnel_gateway(self, AF_INET6),
    .uplink = lookup_uplink,
    .uplink_data = self,
  };
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GArray) plan = ovpn3_net_route_plan(&in, notes);

  for (guint i = 0; i < notes->len; i++)
    netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_WARN, "%s: %s", self->name,
                       (const char *) notes->pdata[i]);
  for (guint i = 0; i < plan->len; i++)
    {
      const Ovpn3NetPlannedRoute *p = &g_array_index(plan, Ovpn3NetPlannedRoute, i);
      gboolean uplink = p->kind == OVPN3_NET_PLAN_SERVER || p->kind == OVPN3_NET_PLAN_EXCLUDE;
      NetcfgRoute route = { .dst = p->dst,
                            .prefix = p->prefix,
                            .has_gateway = p->has_gateway,
                            .gateway = p->gateway,
                            .oif = uplink ? p->oif : self->ifindex,
                            .metric = p->metric };

      if (!add_route(self, &route, uplink, p->kind == OVPN3_NET_PLAN_EXCLUDE, error))
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
    netcfg_device_notify_address(self, &g_array_index(self->applied_addresses, StagedAddress, i),
                                 TRUE);
  for (guint i = 0; i < self->applied_routes->len; i++)
    netcfg_device_notify_route(self, &g_array_index(self->applied_routes, AppliedRoute, i), TRUE);
  if (self->dns_mode != DNS_NONE)
    {
      netcfg_device_notify_dns(self, TRUE);
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

static void
on_resolved_known(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(NetcfgDevice) self = user_data;
  GDBusMethodInvocation *invocation = g_steal_pointer(&self->pending_establish);

  netcfg_manager_resolved_query_finish(NETCFG_MANAGER(source), result, NULL);
  g_clear_object(&self->dns_cancel);
  if (invocation == NULL)
    return; /* torn down meanwhile; that answered the call */
  netcfg_device_establish(self, invocation);
}

void
netcfg_device_establish(NetcfgDevice *self, GDBusMethodInvocation *invocation)
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
      const Ovpn3NetAddr *remote = netcfg_device_remote_of_family(self, a->addr.family);

      if (remote != NULL && ovpn3_net_addr_equal(remote, &a->addr))
        {
          g_autofree char *shown = ovpn3_net_addr_to_string(remote);

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
