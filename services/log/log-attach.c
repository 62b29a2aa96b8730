#define G_LOG_DOMAIN "ovpn3-log-service"

/* log-attach.c — the Attach()ed (sender, interface) records of the log
 * service: their signal subscriptions, the Log and StatusChange signals they
 * send (written, and forwarded to the log proxies of their session) and
 * their end when the sender detaches or leaves the bus.
 */

#include "config.h"

#include "log-proxy.h"
#include "log-service-private.h"
#include "ovpn3-names.h"
#include "ovpn3-signal.h"

static void
log_attach_clear(gpointer data)
{
  LogAttach *attach = data;

  g_free(attach->sender);
  g_free(attach->interface);
  g_free(attach->tag);
  g_free(attach->session_path);
  g_free(attach->object_path);
}

void
ovpn3_log_attach_release(gpointer data)
{
  g_rc_box_release_full(data, log_attach_clear);
}

/* The log tag: a stable hash of "<bus name>/<interface>", in decimal. */
static char *
log_tag_new(const char *sender, const char *interface)
{
  guint64 hash = G_GUINT64_CONSTANT(14695981039346656037);
  g_autofree char *key = g_strconcat(sender, "/", interface, NULL);

  for (const char *p = key; *p != '\0'; p++)
    {
      hash ^= (guchar) *p;
      hash *= G_GUINT64_CONSTANT(1099511628211);
    }
  return g_strdup_printf("%" G_GUINT64_FORMAT, hash);
}

LogAttach *
ovpn3_log_attach_find(Ovpn3LogService *self, const char *sender, const char *interface)
{
  for (guint i = 0; i < self->attached->len; i++)
    {
      LogAttach *attach = g_ptr_array_index(self->attached, i);

      if (g_str_equal(attach->sender, sender) && g_str_equal(attach->interface, interface))
        return attach;
    }
  return NULL;
}

gboolean
ovpn3_log_service_session_has_backend(Ovpn3LogService *self, const char *session_path)
{
  for (guint i = 0; i < self->attached->len; i++)
    {
      LogAttach *attach = g_ptr_array_index(self->attached, i);

      if (g_strcmp0(attach->session_path, session_path) == 0)
        return TRUE;
    }
  return FALSE;
}

/* creator: NULL, or only the proxies that sender made (its own session's final status) */
static void
forward_to_proxies(Ovpn3LogService *self, const char *session_path, const char *creator,
                   gboolean is_log, guint a, guint b, const char *message)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init(&iter, self->proxies);
  while (g_hash_table_iter_next(&iter, NULL, &value))
    {
      Ovpn3LogProxy *proxy = value;

      if (!g_str_equal(ovpn3_log_proxy_get_session_path(proxy), session_path)
          || (creator != NULL && g_strcmp0(ovpn3_log_proxy_get_creator(proxy), creator) != 0))
        continue;
      if (is_log)
        ovpn3_log_proxy_forward_log(proxy, a, b, message);
      else
        ovpn3_log_proxy_forward_status(proxy, a, b, message);
    }
}

static void
handle_log_signal(Ovpn3LogService *self, LogAttach *attach, GVariant *parameters)
{
  guint32 group, category;
  const char *token = NULL;
  const char *message;

  if (g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uus)")))
    g_variant_get(parameters, "(uu&s)", &group, &category, &message);
  else if (g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uuss)")))
    g_variant_get(parameters, "(uu&s&s)", &group, &category, &token, &message);
  else
    {
      g_debug("Ignoring Log with signature %s from %s", g_variant_get_type_string(parameters),
              attach->sender);
      return;
    }

  if (ovpn3_log_level_passes(self->settings.log_level, category))
    {
      Ovpn3LogEvent event = {
        .group = group,
        .category = category,
        .message = message,
        .service = attach->interface,
        .bus_name = attach->sender,
        .object_path = attach->object_path,
        .tag = attach->tag,
        .session_path = attach->session_path,
        .sender_pid = attach->pid,
        .session_token = (token != NULL && *token != '\0') ? token : NULL,
      };

      ovpn3_log_service_write_event(self, &event);
    }

  if (attach->session_path != NULL)
    forward_to_proxies(self, attach->session_path, NULL, TRUE, group, category, message);
}

/* StatusChange carries no log group: take it from the sender's interface. */
static guint
group_of_interface(const char *interface)
{
  if (g_str_equal(interface, OVPN3_BACKENDS_INTERFACE))
    return OVPN3_LOG_GROUP_BACKENDPROC;
  if (g_str_equal(interface, OVPN3_SESSIONS_INTERFACE))
    return OVPN3_LOG_GROUP_SESSIONMGR;
  if (g_str_equal(interface, OVPN3_CONFIG_INTERFACE))
    return OVPN3_LOG_GROUP_CONFIGMGR;
  if (g_str_equal(interface, OVPN3_NETCFG_INTERFACE))
    return OVPN3_LOG_GROUP_NETCFG;
  return OVPN3_LOG_GROUP_UNDEFINED;
}

static void
handle_status_signal(Ovpn3LogService *self, LogAttach *attach, const char *object_path,
                     GVariant *parameters)
{
  guint32 major, minor;
  const char *message;

  if (!g_variant_is_of_type(parameters, G_VARIANT_TYPE("(uus)")))
    {
      g_debug("Ignoring StatusChange with signature %s from %s",
              g_variant_get_type_string(parameters), attach->sender);
      return;
    }
  g_variant_get(parameters, "(uu&s)", &major, &minor, &message);

  if (ovpn3_log_level_passes(self->settings.log_level, OVPN3_LOG_CATEGORY_VERB1))
    {
      g_autofree char *text
          = g_strdup_printf("Status change: major=%u minor=%u: %s", major, minor, message);
      Ovpn3LogEvent event = {
        .group = group_of_interface(attach->interface),
        .category = OVPN3_LOG_CATEGORY_VERB1,
        .message = text,
        .service = attach->interface,
        .bus_name = attach->sender,
        .object_path = attach->object_path,
        .tag = attach->tag,
        .session_path = attach->session_path,
        .sender_pid = attach->pid,
      };

      ovpn3_log_service_write_event(self, &event);
    }

  if (attach->session_path != NULL)
    forward_to_proxies(self, attach->session_path, NULL, FALSE, major, minor, message);
  /* the session manager's own StatusChange of a session (its final one, when the backend
   * client is gone): only to the proxies it made for that session (docs/security.md §5) */
  else if (g_str_equal(attach->interface, OVPN3_SESSIONS_INTERFACE))
    forward_to_proxies(self, object_path, attach->sender, FALSE, major, minor, message);
}

static void
on_attached_signal(GDBusConnection *connection, const char *sender_name, const char *object_path,
                   const char *interface_name, const char *signal_name, GVariant *parameters,
                   gpointer user_data)
{
  LogAttach *attach = user_data;
  Ovpn3LogService *self = attach->service;

  if (self == NULL)
    return;
  if (attach->object_path == NULL)
    attach->object_path = g_strdup(object_path);

  if (g_strcmp0(signal_name, "Log") == 0)
    handle_log_signal(self, attach, parameters);
  else if (g_strcmp0(signal_name, "StatusChange") == 0)
    handle_status_signal(self, attach, object_path, parameters);
}

void
ovpn3_log_attach_detach(Ovpn3LogService *self, LogAttach *attach)
{
  ovpn3_signal_unsubscribe_clear(self->connection, &attach->subscription_id);
  if (attach->watch_id != 0)
    {
      g_bus_unwatch_name(attach->watch_id);
      attach->watch_id = 0;
    }
  attach->service = NULL;
  if (self->idle != NULL)
    ovpn3_idle_release(self->idle);
  if (attach->session_path != NULL)
    ovpn3_log_service_session_gone(self);
  g_ptr_array_remove(self->attached, attach); /* drops the array's reference */
}

static void
attach_sender_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  LogAttach *attach = user_data;
  Ovpn3LogService *self = attach->service;

  if (self == NULL)
    return;
  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_VERB2, "Detached (left the bus): %s %s",
                        attach->sender, attach->interface);
  ovpn3_log_attach_detach(self, attach);
}

LogAttach *
ovpn3_log_attach_new(Ovpn3LogService *self, const char *sender, const char *interface)
{
  LogAttach *attach = g_rc_box_new0(LogAttach);

  attach->service = self;
  attach->sender = g_strdup(sender);
  attach->interface = g_strdup(interface);
  attach->tag = log_tag_new(sender, interface);
  attach->subscription_id = g_dbus_connection_signal_subscribe(
      self->connection, sender, interface, NULL, NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
      on_attached_signal, g_rc_box_acquire(attach), ovpn3_log_attach_release);
  attach->watch_id = g_bus_watch_name_on_connection(
      self->connection, sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL, attach_sender_vanished,
      g_rc_box_acquire(attach), ovpn3_log_attach_release);
  g_ptr_array_add(self->attached, attach);
  if (self->idle != NULL)
    ovpn3_idle_hold(self->idle);
  return attach;
}
