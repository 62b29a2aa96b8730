#define G_LOG_DOMAIN "ovpn3-netcfg-manager"

#include "config.h"

#include <malloc.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>

#include <gio/gunixfdlist.h>

#include "netcfg-access.h"
#include "netcfg-device.h"
#include "netcfg-dns-resolvconf.h"
#include "netcfg-dns-resolved.h"
#include "netcfg-manager.h"
#include "netcfg-settings.h"
#include "netcfg-state.h"
#include "netcfg-store.h"
#include "netcfg-subscribers.h"
#include "netcfg-validate.h"
#include "ovpn3-acl.h"
#include "ovpn3-error.h"
#include "ovpn3-quota.h"

/* A process that created devices: the watch on its name, and the owner of
 * its session (LookupBackend), whose devices count against one quota. */
typedef struct
{
  guint watch_id;
  guint32 owner;
} Creator;

struct _NetcfgManager
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx; /* not owned */
  NetcfgNetlink *nl;
  char *state_dir;
  guint registration_id;
  GHashTable *devices;  /* path → NetcfgDevice */
  GHashTable *creators; /* unique name → Creator */
  NetcfgSubscribers *subscribers;
  GHashTable *uplink_routes; /* route key → count */
  guint quiet_id;            /* the no-device-left check, once scheduled */
  guint resolved_watch;
  gboolean resolved_known;
  gboolean resolved_present;
};

G_DEFINE_TYPE(NetcfgManager, netcfg_manager, G_TYPE_OBJECT)

static void
creator_free(gpointer data)
{
  Creator *c = data;

  g_bus_unwatch_name(c->watch_id);
  g_free(c);
}

static void
netcfg_manager_dispose(GObject *object)
{
  NetcfgManager *self = NETCFG_MANAGER(object);

  /* on exit (SIGTERM, idle): everything netcfg did goes away with it */
  if (self->devices != NULL)
    {
      g_autoptr(GList) devices = g_hash_table_get_values(self->devices);

      for (GList *l = devices; l != NULL; l = l->next)
        netcfg_manager_remove_device(self, l->data);
    }
  g_clear_handle_id(&self->quiet_id, g_source_remove); /* the removals may have set it */
  G_OBJECT_CLASS(netcfg_manager_parent_class)->dispose(object);
}

static void
netcfg_manager_finalize(GObject *object)
{
  NetcfgManager *self = NETCFG_MANAGER(object);

  ovpn3_exporter_unregister(self->ctx->exporter, self->registration_id);
  if (self->resolved_watch != 0)
    g_bus_unwatch_name(self->resolved_watch);
  g_hash_table_unref(self->devices);
  g_hash_table_unref(self->creators);
  netcfg_subscribers_free(self->subscribers);
  g_hash_table_unref(self->uplink_routes);
  netcfg_netlink_free(self->nl);
  g_free(self->state_dir);
  G_OBJECT_CLASS(netcfg_manager_parent_class)->finalize(object);
}

static void
netcfg_manager_class_init(NetcfgManagerClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = netcfg_manager_dispose;
  G_OBJECT_CLASS(klass)->finalize = netcfg_manager_finalize;
}

static void
netcfg_manager_init(NetcfgManager *self)
{
  self->devices = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_object_unref);
  self->creators = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, creator_free);
  self->uplink_routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

Ovpn3ServiceContext *
netcfg_manager_get_context(NetcfgManager *self)
{
  return self->ctx;
}

NetcfgNetlink *
netcfg_manager_get_netlink(NetcfgManager *self)
{
  return self->nl;
}

const char *
netcfg_manager_get_state_dir(NetcfgManager *self)
{
  return self->state_dir;
}

void
netcfg_manager_notify(NetcfgManager *self, const char *device_path, const char *device_name,
                      Ovpn3NetcfgChangeType type, GVariant *details)
{
  if (self->subscribers != NULL)
    netcfg_subscribers_emit(self->subscribers, device_path, device_name, type, details);
  else
    g_variant_unref(g_variant_ref_sink(details));
}

GHashTable *
netcfg_manager_get_uplink_routes(NetcfgManager *self)
{
  return self->uplink_routes;
}

static void
on_resolved_appeared(GDBusConnection *connection, const char *name, const char *owner,
                     gpointer user_data)
{
  NetcfgManager *self = user_data;

  self->resolved_known = self->resolved_present = TRUE;
}

static void
on_resolved_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  NetcfgManager *self = user_data;

  self->resolved_known = TRUE;
  self->resolved_present = FALSE;
}

gboolean
netcfg_manager_resolved_present(NetcfgManager *self)
{
  return netcfg_settings_use_resolved(self->resolved_present);
}

gboolean
netcfg_manager_resolved_known(NetcfgManager *self)
{
  return self->resolved_known || netcfg_settings_get_dns_backend() != NETCFG_DNS_BACKEND_AUTO;
}

static void
on_resolved_has_owner(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  NetcfgManager *self = g_task_get_source_object(task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

  if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  /* the watch may have reported meanwhile: it is the newer word */
  if (!self->resolved_known)
    {
      self->resolved_known = TRUE;
      self->resolved_present = FALSE;
      if (reply != NULL)
        g_variant_get(reply, "(b)", &self->resolved_present);
    }
  g_task_return_boolean(task, TRUE);
}

void
netcfg_manager_resolved_query_async(NetcfgManager *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new(self, cancellable, callback, user_data);

  if (self->resolved_known)
    {
      g_task_return_boolean(task, TRUE);
      return;
    }
  /* the watch has not reported yet: ask the bus once (not waiting for it) */
  g_dbus_connection_call(self->ctx->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                         "org.freedesktop.DBus", "NameHasOwner",
                         g_variant_new("(s)", RESOLVED_BUS_NAME), G_VARIANT_TYPE("(b)"),
                         G_DBUS_CALL_FLAGS_NONE, 5000, cancellable, on_resolved_has_owner,
                         g_steal_pointer(&task));
}

gboolean
netcfg_manager_resolved_query_finish(NetcfgManager *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

void
netcfg_manager_save_state(NetcfgManager *self)
{
  g_autoptr(GPtrArray) nodes = g_ptr_array_new_with_free_func((GDestroyNotify) json_node_unref);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->devices);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      JsonNode *node = netcfg_device_to_state(value);

      if (node != NULL)
        g_ptr_array_add(nodes, node);
    }
  if (!netcfg_state_save(nodes, &error))
    netcfg_manager_log(self, OVPN3_LOG_CATEGORY_ERROR, "cannot save the state file: %s",
                       error->message);
}

gboolean
netcfg_manager_update_resolvconf(NetcfgManager *self, GError **error)
{
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func(g_free);
  gboolean full_tunnel = FALSE, any = FALSE;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->devices);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    any |= netcfg_device_collect_resolvconf(value, servers, domains, &full_tunnel);
  if (!any)
    return netcfg_resolvconf_restore(error);
  return netcfg_resolvconf_apply(servers, domains, full_tunnel, error);
}

static guint
count_devices_of(NetcfgManager *self, const char *creator)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init(&iter, self->devices);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(netcfg_device_get_creator(value), creator))
      n++;
  return n;
}

/* Devices of the sessions of one owner (docs/security.md per-user quotas). */
static guint
count_devices_of_owner(NetcfgManager *self, guint32 owner)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init(&iter, self->devices);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Creator *c = g_hash_table_lookup(self->creators, netcfg_device_get_creator(value));

      if (c != NULL && c->owner == owner)
        n++;
    }
  return n;
}

/* From an idle after the last device went (the NameOwnerChanged handlers of a creator that left
 * have run): what is still held, for tests (nothing per session), and the free pages of every
 * malloc arena go back (bench/README.md, soak). */
static gboolean
no_device_left(gpointer user_data)
{
  NetcfgManager *self = user_data;
  gboolean trimmed;

  self->quiet_id = 0;
  if (g_hash_table_size(self->devices) != 0)
    return G_SOURCE_REMOVE;
  trimmed = malloc_trim(0);
  g_debug("No device left: %u creators, %u uplink routes, %u callers known, %u backends known%s",
          g_hash_table_size(self->creators), g_hash_table_size(self->uplink_routes),
          ovpn3_credentials_cache_size(ovpn3_exporter_get_credentials(self->ctx->exporter)),
          ovpn3_peer_roles_cache_size(ovpn3_exporter_get_peer_roles(self->ctx->exporter)),
          trimmed ? "; heap trimmed" : "");
  return G_SOURCE_REMOVE;
}

void
netcfg_manager_remove_device(NetcfgManager *self, NetcfgDevice *device)
{
  G_GNUC_UNUSED g_autoptr(NetcfgDevice) ref = g_object_ref(device);
  g_autofree char *creator = g_strdup(netcfg_device_get_creator(device));

  if (!g_hash_table_contains(self->devices, netcfg_device_get_path(device)))
    return;
  netcfg_device_unexport(device);
  netcfg_device_teardown(device);
  g_hash_table_remove(self->devices, netcfg_device_get_path(device));
  netcfg_manager_save_state(self);
  ovpn3_idle_release(self->ctx->idle);
  if (count_devices_of(self, creator) == 0)
    g_hash_table_remove(self->creators, creator);
  if (g_hash_table_size(self->devices) == 0 && self->quiet_id == 0)
    self->quiet_id = g_idle_add(no_device_left, self);
}

static guint
remove_devices_of(NetcfgManager *self, const char *creator)
{
  g_autoptr(GList) devices = g_hash_table_get_values(self->devices);
  guint n = 0;

  for (GList *l = devices; l != NULL; l = l->next)
    if (g_str_equal(netcfg_device_get_creator(l->data), creator))
      {
        netcfg_manager_remove_device(self, l->data);
        n++;
      }
  return n;
}

static void
on_creator_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  NetcfgManager *self = user_data;
  g_autofree char *creator = g_strdup(name);
  guint n;

  n = remove_devices_of(self, creator);
  if (n > 0)
    netcfg_manager_log(self, OVPN3_LOG_CATEGORY_INFO, "%s left the bus: removed its %u device(s)",
                       creator, n);
  g_hash_table_remove(self->creators, creator);
}

/* ---- methods ------------------------------------------------------------- */

static gboolean
name_taken(NetcfgManager *self, const char *name)
{
  GHashTableIter iter;
  gpointer value;

  if (netcfg_netlink_link_index(self->nl, name) > 0)
    return TRUE;
  g_hash_table_iter_init(&iter, self->devices);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    if (g_str_equal(netcfg_device_get_name(value), name))
      return TRUE;
  return FALSE;
}

/* The per-user and global device caps (docs/security.md §7); FALSE: answered. */
static gboolean
check_device_quota(NetcfgManager *self, guint32 owner, const char *prefix,
                   GDBusMethodInvocation *invocation)
{
  if (owner != 0 && count_devices_of_owner(self, owner) >= OVPN3_QUOTA_DEVICES_PER_USER)
    {
      g_dbus_method_invocation_return_error(
          invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
          "Error creating virtual interface '%s': the sessions of UID %u already have %d "
          "devices, the per-user limit",
          prefix, owner, OVPN3_QUOTA_DEVICES_PER_USER);
      return FALSE;
    }
  if (g_hash_table_size(self->devices) >= OVPN3_QUOTA_DEVICES_TOTAL)
    {
      g_dbus_method_invocation_return_error(
          invocation, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
          "Error creating virtual interface '%s': there are %d devices, the limit for all "
          "users together",
          prefix, OVPN3_QUOTA_DEVICES_TOTAL);
      return FALSE;
    }
  return TRUE;
}

/* The first PREFIXn no device of ours and no interface of the host has; NULL if none. */
static char *
free_device_name(NetcfgManager *self, const char *prefix)
{
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *candidate = g_strdup_printf("%s%u", prefix, i);

      if (strlen(candidate) >= IFNAMSIZ)
        return NULL;
      if (!name_taken(self, candidate))
        return g_steal_pointer(&candidate);
    }
  return NULL;
}

/* The creator's bus name is watched once: its devices go when it vanishes. */
static void
remember_creator(NetcfgManager *self, const char *sender, guint32 owner)
{
  Creator *creator = g_hash_table_lookup(self->creators, sender);

  if (creator == NULL)
    {
      creator = g_new0(Creator, 1);
      creator->watch_id = g_bus_watch_name_on_connection(self->ctx->connection, sender,
                                                         G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                         on_creator_vanished, self, NULL);
      g_hash_table_insert(self->creators, g_strdup(sender), creator);
    }
  creator->owner = owner;
}

gboolean
netcfg_manager_add_device(NetcfgManager *self, NetcfgDevice *device, guint32 session_owner)
{
  if (g_hash_table_contains(self->devices, netcfg_device_get_path(device))
      || !netcfg_device_export(device, NULL))
    return FALSE;
  g_hash_table_insert(self->devices, (gpointer) netcfg_device_get_path(device),
                      g_object_ref(device));
  ovpn3_idle_hold(self->ctx->idle);
  remember_creator(self, netcfg_device_get_creator(device), session_owner);
  return TRUE;
}

static void
handle_create(NetcfgManager *self, const Ovpn3Caller *caller, GVariant *params,
              GDBusMethodInvocation *invocation)
{
  const char *prefix;
  g_autofree char *name = NULL;
  g_autoptr(NetcfgDevice) device = NULL;
  g_autoptr(GError) error = NULL;
  guint32 owner;

  g_variant_get(params, "(&s)", &prefix);
  if (!netcfg_check_ifname_prefix(prefix, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  /* the table admitted only a confirmed backend client (caller->backend);
   * the quota counts its session's owner */
  owner = caller->backend->owner;
  if (!check_device_quota(self, owner, prefix, invocation))
    return;
  name = free_device_name(self, prefix);
  device = netcfg_device_new(self, name, caller);
  if (!netcfg_manager_add_device(self, device, owner))
    {
      g_dbus_method_invocation_return_error(invocation, OVPN3_ERROR_NETCFG, OVPN3_ERROR_FAILED,
                                            "Error creating virtual interface '%s'", prefix);
      return;
    }
  netcfg_manager_log(self, OVPN3_LOG_CATEGORY_INFO,
                     "New device %s for %s (pid %u, session %s of UID %u)",
                     netcfg_device_get_path(device), caller->sender, caller->pid,
                     caller->backend->session_path, owner);
  g_dbus_method_invocation_return_value(invocation,
                                        g_variant_new("(o)", netcfg_device_get_path(device)));
}

static void
handle_fetch(NetcfgManager *self, GDBusMethodInvocation *invocation)
{
  GVariantBuilder b;
  GHashTableIter iter;
  gpointer key;

  g_variant_builder_init(&b, G_VARIANT_TYPE("ao"));
  g_hash_table_iter_init(&iter, self->devices);
  while (g_hash_table_iter_next(&iter, &key, NULL))
    g_variant_builder_add(&b, "o", (const char *) key);
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(ao)", &b));
}

/* Without DCO the backend's openvpn owns its UDP/TCP socket and netcfg
 * never sees it; what keeps that traffic out of the tunnel is the host
 * route to the server through the previous gateway that Establish adds
 * with reroute_ipv4/6. ProtectSocket therefore checks its arguments (one
 * fd attached, a valid remote address, a device of the caller's) and
 * records the remote on that device like SetRemoteAddress; it does not
 * touch the socket. */
static void
handle_protect(NetcfgManager *self, const Ovpn3Caller *caller, GVariant *params,
               GDBusMethodInvocation *invocation)
{
  const char *remote, *device_path;
  gboolean ipv6;
  Ovpn3NetAddr addr;
  NetcfgDevice *device;
  GUnixFDList *fds
      = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(invocation));
  g_autoptr(GError) error = NULL;

  g_variant_get(params, "(&sb&o)", &remote, &ipv6, &device_path);
  if (fds == NULL || g_unix_fd_list_get_length(fds) != 1)
    {
      g_dbus_method_invocation_return_error_literal(invocation, OVPN3_ERROR_NETCFG,
                                                    OVPN3_ERROR_FAILED,
                                                    "ProtectSocket needs exactly one socket fd");
      return;
    }
  if (!ovpn3_net_parse_ip(remote, ipv6, &addr, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  device = g_hash_table_lookup(self->devices, device_path);
  if (device_path[0] != '\0' && !g_str_equal(device_path, "/") && device == NULL)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "No such device %s", device_path);
      return;
    }
  /* which device depends on the argument: decided here, not in the table */
  if (device != NULL && !g_str_equal(netcfg_device_get_creator(device), caller->sender))
    {
      ovpn3_invocation_return_access_denied(invocation, "Access denied: not your device");
      return;
    }
  if (device != NULL && !netcfg_device_set_remote(device, &addr, &error))
    {
      g_dbus_method_invocation_return_gerror(invocation, error);
      return;
    }
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", TRUE));
}

static void
manager_method_call(gpointer object, const Ovpn3Caller *caller, const char *method,
                    GVariant *params, GDBusMethodInvocation *invocation)
{
  NetcfgManager *self = object;

  if (g_str_equal(method, "CreateVirtualInterface"))
    handle_create(self, caller, params, invocation);
  else if (g_str_equal(method, "FetchInterfaceList"))
    handle_fetch(self, invocation);
  else if (g_str_equal(method, "ProtectSocket"))
    handle_protect(self, caller, params, invocation);
  else if (g_str_equal(method, "DcoAvailable"))
    g_dbus_method_invocation_return_value(invocation, g_variant_new("(b)", FALSE));
  else if (g_str_equal(method, "Cleanup"))
    {
      guint n = remove_devices_of(self, caller->sender);

      if (n > 0)
        netcfg_manager_log(self, OVPN3_LOG_CATEGORY_INFO, "Cleanup for %s: removed %u device(s)",
                           caller->sender, n);
      g_dbus_method_invocation_return_value(invocation, NULL);
    }
  else if (g_str_equal(method, "NotificationSubscribe"))
    netcfg_subscribers_subscribe(self->subscribers, caller, params, invocation);
  else if (g_str_equal(method, "NotificationUnsubscribe"))
    netcfg_subscribers_unsubscribe(self->subscribers, caller, params, invocation);
  else if (g_str_equal(method, "NotificationSubscriberList"))
    netcfg_subscribers_list(self->subscribers, invocation);
  else
    ovpn3_invocation_return_unknown_method(invocation);
}

static GVariant *
manager_get_property(gpointer object, const Ovpn3Caller *caller, const char *name, GError **error)
{
  NetcfgManager *self = object;

  if (g_str_equal(name, "config_file"))
    return g_variant_new_string("");
  if (g_str_equal(name, OVPN3_NETCFG_PROP_DNS_BACKEND))
    return g_variant_new_string(netcfg_settings_dns_backend_name());
  if (g_str_equal(name, "log_level"))
    return g_variant_new_uint32(self->ctx->log != NULL ? ovpn3_log_client_get_level(self->ctx->log)
                                                       : OVPN3_LOG_LEVEL_DEFAULT);
  if (g_str_equal(name, "global_dns_servers") || g_str_equal(name, "global_dns_search"))
    {
      g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func(g_free);
      g_autoptr(GPtrArray) domains = g_ptr_array_new_with_free_func(g_free);
      GHashTableIter iter;
      gpointer value;
      GPtrArray *list;

      g_hash_table_iter_init(&iter, self->devices);
      while (g_hash_table_iter_next(&iter, NULL, &value))
        netcfg_device_collect_global_dns(value, servers, domains);
      list = g_str_equal(name, "global_dns_servers") ? servers : domains;
      return g_variant_new_strv((const char *const *) list->pdata, list->len);
    }
  return ovpn3_manager_get_common_property(name, error);
}

static gboolean
manager_set_property(gpointer object, const Ovpn3Caller *caller, const char *name, GVariant *value,
                     GError **error)
{
  NetcfgManager *self = object;

  if (g_str_equal(name, "log_level"))
    {
      guint32 level = g_variant_get_uint32(value);

      if (level > OVPN3_LOG_LEVEL_MAX)
        {
          g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid log level %u (0–%d)",
                      level, OVPN3_LOG_LEVEL_MAX);
          return FALSE;
        }
      if (self->ctx->log != NULL)
        ovpn3_log_client_set_level(self->ctx->log, level);
      return TRUE;
    }
  if (g_str_equal(name, OVPN3_NETCFG_PROP_DNS_BACKEND))
    return netcfg_settings_set_property(self, caller, value, error);
  g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY, "Property “%s” is read-only",
              name);
  return FALSE;
}

static const Ovpn3ExportedVTable manager_vtable = {
  .method_call = manager_method_call,
  .get_property = manager_get_property,
  .set_property = manager_set_property,
  .access = &netcfg_manager_access,
  .access_check = netcfg_manager_access_check,
  .access_denied = netcfg_manager_access_denied,
};

NetcfgManager *
netcfg_manager_new(Ovpn3ServiceContext *ctx, const char *state_dir, GError **error)
{
  g_autoptr(NetcfgManager) self = g_object_new(NETCFG_TYPE_MANAGER, NULL);

  self->ctx = ctx;
  self->subscribers = netcfg_subscribers_new(ctx->connection);
  self->state_dir = g_strdup(state_dir);
  self->nl = netcfg_netlink_new(error);
  if (self->nl == NULL)
    return NULL;
  /* the state (root's, opened before the drop: netcfg-store.h), then
   * what a killed predecessor left behind: the devices of live creators
   * are adopted, the rest removed */
  if (!netcfg_store_is_open())
    netcfg_manager_log(self, OVPN3_LOG_CATEGORY_ERROR, "%s", netcfg_store_unavailable_reason());
  netcfg_device_adopt_recover(self);

  self->resolved_watch = g_bus_watch_name_on_connection(
      ctx->connection, RESOLVED_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE, on_resolved_appeared,
      on_resolved_vanished, self, NULL);
  self->registration_id = ovpn3_exporter_register(
      ctx->exporter, OVPN3_NETCFG_PATH, OVPN3_XML_NETCFG_MANAGER, &manager_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  return g_steal_pointer(&self);
}
