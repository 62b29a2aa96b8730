#define G_LOG_DOMAIN "ovpn3-netcfg-subscribers"

#include "config.h"

#include "netcfg-subscribers.h"
#include "ovpn3-error.h"
#include "ovpn3-exported.h"

typedef struct
{
  guint32 filter;
  guint watch_id;
} Subscriber;

struct _NetcfgSubscribers
{
  GDBusConnection *connection;
  GHashTable *table; /* unique name → Subscriber */
};

static void
subscriber_free(gpointer data)
{
  Subscriber *s = data;

  if (s->watch_id != 0)
    g_bus_unwatch_name(s->watch_id);
  g_free(s);
}

NetcfgSubscribers *
netcfg_subscribers_new(GDBusConnection *connection)
{
  NetcfgSubscribers *self = g_new0(NetcfgSubscribers, 1);

  self->connection = g_object_ref(connection);
  self->table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, subscriber_free);
  return self;
}

void
netcfg_subscribers_free(NetcfgSubscribers *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref(self->table);
  g_object_unref(self->connection);
  g_free(self);
}

void
netcfg_subscribers_emit(NetcfgSubscribers *self, const char *device_path, const char *device_name,
                        Ovpn3NetcfgChangeType type, GVariant *details)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GVariant) args
      = g_variant_ref_sink(g_variant_new("(us@a{ss})", (guint32) type, device_name, details));

  g_hash_table_iter_init(&iter, self->table);
  while (g_hash_table_iter_next(&iter, &key, &value))
    {
      Subscriber *s = value;
      g_autoptr(GError) error = NULL;

      if ((s->filter & type) == 0)
        continue;
      if (!g_dbus_connection_emit_signal(self->connection, key, device_path, OVPN3_NETCFG_INTERFACE,
                                         "NetworkChange", args, &error))
        g_warning("NetworkChange to %s: %s", (const char *) key, error->message);
    }
}

static void
subscriber_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  NetcfgSubscribers *self = user_data;

  g_hash_table_remove(self->table, name);
}

void
netcfg_subscribers_subscribe(NetcfgSubscribers *self, const Ovpn3Caller *caller, GVariant *params,
                             GDBusMethodInvocation *invocation)
{
  guint32 filter;
  Subscriber *s;

  g_variant_get(params, "(u)", &filter);
  if (filter == 0 || filter > OVPN3_NETCFG_CHANGE_ALL)
    {
      g_dbus_method_invocation_return_error(invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                            "Invalid filter %u (1–%u)", filter,
                                            OVPN3_NETCFG_CHANGE_ALL);
      return;
    }
  s = g_hash_table_lookup(self->table, caller->sender);
  if (s == NULL)
    {
      s = g_new0(Subscriber, 1);
      s->watch_id = g_bus_watch_name_on_connection(self->connection, caller->sender,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
                                                   subscriber_vanished, self, NULL);
      g_hash_table_insert(self->table, g_strdup(caller->sender), s);
    }
  s->filter = filter;
  g_dbus_method_invocation_return_value(invocation, NULL);
}

void
netcfg_subscribers_unsubscribe(NetcfgSubscribers *self, const Ovpn3Caller *caller, GVariant *params,
                               GDBusMethodInvocation *invocation)
{
  const char *who;

  g_variant_get(params, "(&s)", &who);
  if (*who == '\0')
    who = caller->sender;
  /* another process's subscription: root only (depends on the argument) */
  else if (caller->uid != 0 && !g_str_equal(who, caller->sender))
    {
      ovpn3_invocation_return_access_denied(invocation, "Access denied");
      return;
    }
  if (!g_hash_table_remove(self->table, who))
    {
      g_dbus_method_invocation_return_error(invocation, OVPN3_ERROR_NETCFG, OVPN3_ERROR_FAILED,
                                            "Subscription not found");
      return;
    }
  g_dbus_method_invocation_return_value(invocation, NULL);
}

void
netcfg_subscribers_list(NetcfgSubscribers *self, GDBusMethodInvocation *invocation)
{
  GVariantBuilder b;
  GHashTableIter iter;
  gpointer key, value;

  g_variant_builder_init(&b, G_VARIANT_TYPE("a(su)"));
  g_hash_table_iter_init(&iter, self->table);
  while (g_hash_table_iter_next(&iter, &key, &value))
    g_variant_builder_add(&b, "(su)", (const char *) key, ((Subscriber *) value)->filter);
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(a(su))", &b));
}
