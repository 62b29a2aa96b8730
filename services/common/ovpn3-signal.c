#define G_LOG_DOMAIN "ovpn3-signal"

#include "config.h"

#include "ovpn3-names.h"
#include "ovpn3-signal.h"

typedef struct
{
  Ovpn3NameOwnerFunc func;
  gpointer user_data;
} Subscriber;

static void
on_name_owner_changed(GDBusConnection *connection, const char *sender_name, const char *object_path,
                      const char *interface_name, const char *signal_name, GVariant *parameters,
                      gpointer user_data)
{
  Subscriber *subscriber = user_data;
  const char *name, *old_owner, *new_owner;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(sss)")))
    return;
  g_variant_get(parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  subscriber->func(name, new_owner, subscriber->user_data);
}

guint
ovpn3_name_owner_subscribe(GDBusConnection *connection, Ovpn3NameOwnerFunc func, gpointer user_data)
{
  Subscriber *subscriber = g_new0(Subscriber, 1);

  subscriber->func = func;
  subscriber->user_data = user_data;
  return g_dbus_connection_signal_subscribe(
      connection, DBUS_NAME_BUS, DBUS_INTERFACE_BUS, "NameOwnerChanged", DBUS_PATH_BUS, NULL,
      G_DBUS_SIGNAL_FLAGS_NONE, on_name_owner_changed, subscriber, g_free);
}

void
ovpn3_signal_unsubscribe_clear(GDBusConnection *connection, guint *id)
{
  if (*id != 0)
    g_dbus_connection_signal_unsubscribe(connection, *id);
  *id = 0;
}

gboolean
ovpn3_name_owner_unique_left(const char *name, const char *new_owner)
{
  return name[0] == ':' && new_owner[0] == '\0';
}
