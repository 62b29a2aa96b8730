#define G_LOG_DOMAIN "ovpn3-netcfg-resolved"

#include "config.h"

#include <string.h>
#include <sys/socket.h>

#include "netcfg-dns-resolved.h"
#include "ovpn3-names.h"
#include "ovpn3-net-policy.h"

#define RESOLVED_TIMEOUT_MS 10000

typedef struct
{
  GDBusConnection *connection;
  GPtrArray *methods; /* const char* */
  GPtrArray *args;    /* GVariant* (sunk) */
  guint next;
} ApplyData;

static void
apply_data_free(gpointer data)
{
  ApplyData *d = data;

  g_object_unref(d->connection);
  g_ptr_array_unref(d->methods);
  g_ptr_array_unref(d->args);
  g_free(d);
}

static void
add_step(ApplyData *d, const char *method, GVariant *args)
{
  g_ptr_array_add(d->methods, (gpointer) method);
  g_ptr_array_add(d->args, g_variant_ref_sink(args));
}

static void run_next(GTask *task);

static void
on_reply(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  ApplyData *d = g_task_get_task_data(task);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error(error);
      g_prefix_error(&error, "systemd-resolved %s: ", (const char *) d->methods->pdata[d->next]);
      g_task_return_error(task, g_steal_pointer(&error));
      return;
    }
  d->next++;
  run_next(g_steal_pointer(&task));
}

static void
run_next(GTask *task)
{
  ApplyData *d = g_task_get_task_data(task);

  if (d->next >= d->methods->len)
    {
      g_task_return_boolean(task, TRUE);
      g_object_unref(task);
      return;
    }
  g_dbus_connection_call(d->connection, RESOLVED_BUS_NAME, RESOLVED_PATH, RESOLVED_INTERFACE,
                         d->methods->pdata[d->next], d->args->pdata[d->next], NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, RESOLVED_TIMEOUT_MS,
                         g_task_get_cancellable(task), on_reply, task);
}

void
netcfg_resolved_apply_async(GDBusConnection *connection, int ifindex, GPtrArray *servers,
                            GPtrArray *domains, gboolean full_tunnel, const char *dnssec,
                            const char *transport, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new(NULL, cancellable, callback, user_data);
  ApplyData *d = g_new0(ApplyData, 1);
  GVariantBuilder dns, doms;

  d->connection = g_object_ref(connection);
  d->methods = g_ptr_array_new();
  d->args = g_ptr_array_new_with_free_func((GDestroyNotify) g_variant_unref);
  g_task_set_task_data(task, d, apply_data_free);
  g_task_set_source_tag(task, netcfg_resolved_apply_async);

  g_variant_builder_init(&dns, G_VARIANT_TYPE("a(iay)"));
  for (guint i = 0; i < servers->len; i++)
    {
      Ovpn3NetAddr addr;

      if (!ovpn3_net_parse_ip_any(servers->pdata[i], &addr, NULL))
        continue; /* validated on arrival; cannot happen */
      g_variant_builder_add(&dns, "(i@ay)", addr.family,
                            g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, addr.bytes,
                                                      addr.family == AF_INET6 ? 16 : 4, 1));
    }
  g_variant_builder_init(&doms, G_VARIANT_TYPE("a(sb)"));
  for (guint i = 0; i < domains->len; i++)
    {
      const char *name = domains->pdata[i];
      gboolean routing = g_str_has_prefix(name, OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX);

      /* search domains are routing-only too in a split tunnel: the host's own
       * resolver keeps its search list (docs/architecture.md §6) */
      g_variant_builder_add(&doms, "(sb)",
                            routing ? name + strlen(OVPN3_NETCFG_ROUTING_DOMAIN_PREFIX) : name,
                            routing || !full_tunnel);
    }
  if (full_tunnel)
    g_variant_builder_add(&doms, "(sb)", ".", TRUE);

  add_step(d, "SetLinkDNS", g_variant_new("(ia(iay))", ifindex, &dns));
  add_step(d, "SetLinkDomains", g_variant_new("(ia(sb))", ifindex, &doms));
  add_step(d, "SetLinkDefaultRoute", g_variant_new("(ib)", ifindex, full_tunnel));
  if (g_strcmp0(dnssec, "unset") != 0)
    add_step(d, "SetLinkDNSSEC",
             g_variant_new("(is)", ifindex,
                           g_str_equal(dnssec, "optional") ? "allow-downgrade" : dnssec));
  if (g_strcmp0(transport, "unset") != 0)
    add_step(d, "SetLinkDNSOverTLS",
             g_variant_new("(is)", ifindex, g_str_equal(transport, "dot") ? "yes" : "no"));
  run_next(task);
}

gboolean
netcfg_resolved_apply_finish(GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean(G_TASK(result), error);
}

static void
on_revert(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    g_warning("systemd-resolved RevertLink(%d): %s", GPOINTER_TO_INT(user_data), error->message);
}

void
netcfg_resolved_revert(GDBusConnection *connection, int ifindex)
{
  g_dbus_connection_call(connection, RESOLVED_BUS_NAME, RESOLVED_PATH, RESOLVED_INTERFACE,
                         "RevertLink", g_variant_new("(i)", ifindex), NULL,
                         G_DBUS_CALL_FLAGS_NO_AUTO_START, RESOLVED_TIMEOUT_MS, NULL, on_revert,
                         GINT_TO_POINTER(ifindex));
}
