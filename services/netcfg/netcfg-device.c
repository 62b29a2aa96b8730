#define G_LOG_DOMAIN "ovpn3-netcfg-device"

#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include "netcfg-access.h"
#include "netcfg-autoconf.h"
#include "netcfg-creator.h"
#include "netcfg-device-private.h"
#include "netcfg-tun.h"
#include "ovpn3-acl.h"
#include "ovpn3-engine.h"
#include "ovpn3-error.h"
#include "ovpn3-names.h"
#include "ovpn3-net-policy.h"

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
  self->networks = g_array_new(FALSE, TRUE, sizeof(Ovpn3NetNetwork));
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
  /* told apart from a later process with that PID (netcfg-creator.h) */
  self->has_creator_start = netcfg_creator_start_time(creator->pid, &self->creator_start);
  self->owner = creator->uid;
  self->session_owner = creator->backend != NULL ? creator->backend->owner : creator->uid;
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
    netcfg_device_start_new_round(self);
  if (g_str_equal(method, "AddIPAddress"))
    ok = netcfg_device_stage_address(self, params, &error);
  else if (g_str_equal(method, "SetRemoteAddress"))
    ok = netcfg_device_stage_remote(self, params, &error);
  else if (g_str_equal(method, "AddNetworks"))
    ok = netcfg_device_stage_networks(self, params, &error);
  else if (g_str_equal(method, "AddDNS"))
    ok = netcfg_device_stage_strings(self->dns_servers, params, OVPN3_NET_MAX_DNS_SERVERS, TRUE,
                                     &error);
  else if (g_str_equal(method, "AddDNSSearch"))
    ok = netcfg_device_stage_strings(self->dns_domains, params, OVPN3_NET_MAX_DNS_SEARCH, FALSE,
                                     &error);
  else if (g_str_equal(method, "SetDNSSEC"))
    {
      static const char *const modes[] = { "yes", "no", "optional", NULL };

      ok = netcfg_device_stage_mode(&self->dnssec_mode, params, modes, "DNSSEC mode", &error);
    }
  else if (g_str_equal(method, "SetDNSTransport"))
    {
      /* systemd-resolved has no DNS-over-HTTPS */
      static const char *const modes[] = { "plain", "dot", NULL };

      ok = netcfg_device_stage_mode(&self->dns_transport, params, modes, "DNS transport", &error);
    }
  else if (g_str_equal(method, "Establish"))
    {
      netcfg_device_establish(self, invocation);
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

/* The kernel device, recorded in the state before it is made persistent: a netcfg killed in
 * between leaves no device nobody knows (netcfg-tun.h). */
static gboolean
create_link(NetcfgDevice *self, NetcfgNetlink *nl, guint32 layer, GError **error)
{
  int fd = netcfg_tun_open(self->name, layer, tun_owner(self), error);

  if (fd < 0)
    return FALSE;
  if (!netcfg_autoconf_created(nl, self->name, error))
    {
      close(fd);
      return FALSE;
    }
  self->layer = layer;
  self->ifindex = netcfg_netlink_link_index(nl, self->name);
  netcfg_manager_save_state(self->manager);
  if (netcfg_tun_persist(fd, self->name, error))
    return TRUE;
  self->layer = NETCFG_LAYER_UNSET;
  self->ifindex = 0;
  netcfg_manager_save_state(self->manager);
  return FALSE;
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
  if (!create_link(self, nl, layer, &local))
    {
      netcfg_manager_log(self->manager, OVPN3_LOG_CATEGORY_ERROR, "%s", local->message);
      g_set_error(error, OVPN3_ERROR_NETCFG_DEVICE, OVPN3_ERROR_FAILED,
                  "Error creating virtual interface '%s': %s", self->name, local->message);
      return FALSE;
    }
  netcfg_manager_log(
      self->manager, OVPN3_LOG_CATEGORY_INFO, "Created %s device %s (index %d) owned by uid %u",
      layer == NETCFG_LAYER_TAP ? "tap" : "tun", self->name, self->ifindex, tun_owner(self));
  netcfg_device_notify_device(self, TRUE);
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

      if (mtu < OVPN3_NET_MTU_MIN)
        {
          g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid MTU %u (%d–%d)", mtu,
                      OVPN3_NET_MTU_MIN, OVPN3_NET_MTU_MAX);
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
      return netcfg_device_stage_mode(&self->dns_scope, params, scopes, "DNS scope", error);
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
