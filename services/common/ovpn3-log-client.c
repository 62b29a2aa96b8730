#define G_LOG_DOMAIN "ovpn3-log-client"

#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "ovpn3-log-client.h"

struct _Ovpn3LogClient
{
  GObject parent_instance;
  GDBusConnection *connection;
  Ovpn3LogGroup group;
  char *interface;
  char *path;
  gboolean to_stderr;
  guint level;
  char *log_owner; /* unique name of net.openvpn.v3.log while we are attached */
  gboolean attach_wanted;
  gboolean attach_pending;
  gboolean attached; /* Attach succeeded with the current log_owner (or before it was known) */
  guint watch_id;
  /* attach_after_first_reply: the filter that sees our first reply, and the
   * fallback timer; 0 once attaching started */
  guint filter_id;
  guint later_id;
  /* lines logged before the first Attach completed (a service logs while it
   * starts, the log service may be activated by that very Attach): sent once
   * attached, so that none is lost; (uus) each */
  GQueue early;
};

/* at most this many early lines are kept; more go to stderr */
#define EARLY_MAX 128

G_DEFINE_TYPE(Ovpn3LogClient, ovpn3_log_client, G_TYPE_OBJECT)

static const char *const category_names[] = {
  [OVPN3_LOG_CATEGORY_UNDEFINED] = "-", [OVPN3_LOG_CATEGORY_DEBUG] = "DEBUG",
  [OVPN3_LOG_CATEGORY_VERB2] = "VERB2", [OVPN3_LOG_CATEGORY_VERB1] = "VERB1",
  [OVPN3_LOG_CATEGORY_INFO] = "INFO",   [OVPN3_LOG_CATEGORY_WARN] = "WARN",
  [OVPN3_LOG_CATEGORY_ERROR] = "ERROR", [OVPN3_LOG_CATEGORY_CRIT] = "CRIT",
  [OVPN3_LOG_CATEGORY_FATAL] = "FATAL",
};

gboolean
ovpn3_log_level_passes(guint level, Ovpn3LogCategory category)
{
  switch (category)
    {
      case OVPN3_LOG_CATEGORY_DEBUG:
        return level >= 6;
      case OVPN3_LOG_CATEGORY_VERB2:
        return level >= 5;
      case OVPN3_LOG_CATEGORY_VERB1:
        return level >= 4;
      case OVPN3_LOG_CATEGORY_INFO:
        return level >= 3;
      case OVPN3_LOG_CATEGORY_WARN:
        return level >= 2;
      case OVPN3_LOG_CATEGORY_ERROR:
        return level >= 1;
      case OVPN3_LOG_CATEGORY_CRIT:
      case OVPN3_LOG_CATEGORY_FATAL:
        return TRUE;
      case OVPN3_LOG_CATEGORY_UNDEFINED:
      default:
        return level >= 3;
    }
}

static void write_stderr(Ovpn3LogCategory category, const char *message);

/* Sends the early lines once attached and the log service's name is known;
 * if attaching failed, the ones that must not get lost go to stderr. */
static void
flush_early(Ovpn3LogClient *self, gboolean failed)
{
  GVariant *line;

  if (!failed && (!self->attached || self->log_owner == NULL))
    return;
  while ((line = g_queue_pop_head(&self->early)) != NULL)
    {
      guint32 group, category;
      const char *message;

      g_variant_get(line, "(uu&s)", &group, &category, &message);
      if (!failed)
        g_dbus_connection_emit_signal(self->connection, self->log_owner, self->path,
                                      self->interface, "Log", line, NULL);
      else if (!self->to_stderr && category >= OVPN3_LOG_CATEGORY_WARN)
        write_stderr(category, message);
      g_variant_unref(line);
    }
}

static void
on_attached(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3LogClient) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;

  self->attach_pending = FALSE;
  reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
  if (reply == NULL)
    {
      g_message("could not attach to the log service: %s", error->message);
      flush_early(self, TRUE);
      return;
    }
  self->attached = TRUE;
  flush_early(self, FALSE);
}

static void
do_attach(Ovpn3LogClient *self)
{
  if (self->connection == NULL || self->attach_pending)
    return;
  self->attach_pending = TRUE;
  g_dbus_connection_call(self->connection, OVPN3_LOG_BUS_NAME, OVPN3_LOG_PATH, OVPN3_LOG_INTERFACE,
                         "Attach", g_variant_new("(s)", self->interface), NULL,
                         G_DBUS_CALL_FLAGS_NONE, 10000, NULL, on_attached, g_object_ref(self));
}

static void
on_log_appeared(GDBusConnection *connection, const char *name, const char *name_owner,
                gpointer user_data)
{
  Ovpn3LogClient *self = user_data;
  gboolean restarted = self->log_owner != NULL && g_strcmp0(self->log_owner, name_owner) != 0;

  g_free(self->log_owner);
  self->log_owner = g_strdup(name_owner);
  /* a log service that restarted has forgotten us */
  if (restarted && self->attach_wanted)
    {
      self->attached = FALSE;
      do_attach(self);
      return;
    }
  flush_early(self, FALSE);
}

static void
on_log_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
  Ovpn3LogClient *self = user_data;

  self->attached = FALSE;
  if (self->log_owner != NULL && self->attach_wanted)
    {
      g_clear_pointer(&self->log_owner, g_free);
      /* it comes back on the next Attach (activation) */
      do_attach(self);
      return;
    }
  g_clear_pointer(&self->log_owner, g_free);
}

static void
stop_waiting(Ovpn3LogClient *self)
{
  g_clear_handle_id(&self->later_id, g_source_remove);
  if (self->filter_id != 0)
    g_dbus_connection_remove_filter(self->connection, self->filter_id);
  self->filter_id = 0;
}

static void
ovpn3_log_client_dispose(GObject *object)
{
  Ovpn3LogClient *self = OVPN3_LOG_CLIENT(object);

  if (self->connection != NULL)
    stop_waiting(self);
  g_clear_handle_id(&self->watch_id, g_bus_unwatch_name);
  g_clear_object(&self->connection);
  G_OBJECT_CLASS(ovpn3_log_client_parent_class)->dispose(object);
}

static void
ovpn3_log_client_finalize(GObject *object)
{
  Ovpn3LogClient *self = OVPN3_LOG_CLIENT(object);

  g_queue_clear_full(&self->early, (GDestroyNotify) g_variant_unref);
  g_free(self->interface);
  g_free(self->path);
  g_free(self->log_owner);
  G_OBJECT_CLASS(ovpn3_log_client_parent_class)->finalize(object);
}

static void
ovpn3_log_client_class_init(Ovpn3LogClientClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_log_client_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_log_client_finalize;
}

static void
ovpn3_log_client_init(Ovpn3LogClient *self)
{
  self->level = OVPN3_LOG_LEVEL_DEFAULT;
  g_queue_init(&self->early);
}

Ovpn3LogClient *
ovpn3_log_client_new(GDBusConnection *connection, Ovpn3LogGroup group, const char *interface,
                     const char *path, gboolean to_stderr)
{
  Ovpn3LogClient *self = g_object_new(OVPN3_TYPE_LOG_CLIENT, NULL);

  self->connection = connection != NULL ? g_object_ref(connection) : NULL;
  self->group = group;
  self->interface = g_strdup(interface);
  self->path = g_strdup(path);
  self->to_stderr = to_stderr;
  return self;
}

void
ovpn3_log_client_attach(Ovpn3LogClient *self)
{
  if (self->connection == NULL)
    return;
  stop_waiting(self);
  self->attach_wanted = TRUE;
  if (self->watch_id == 0)
    self->watch_id = g_bus_watch_name_on_connection(self->connection, OVPN3_LOG_BUS_NAME,
                                                    G_BUS_NAME_WATCHER_FLAGS_NONE, on_log_appeared,
                                                    on_log_vanished, self, NULL);
  do_attach(self);
}

/* attach_after_first_reply's filter: its data, freed once GDBus no longer
 * calls it (the filter runs in GDBus's worker thread) */
typedef struct
{
  GWeakRef client;
  gint seen;
} FirstReply;

static void
first_reply_free(gpointer data)
{
  FirstReply *watch = data;

  g_weak_ref_clear(&watch->client);
  g_free(watch);
}

/* in the main thread, after the first reply: attach unless that has begun */
static gboolean
attach_now(gpointer user_data)
{
  Ovpn3LogClient *self = user_data;

  if (self->watch_id == 0)
    ovpn3_log_client_attach(self);
  return G_SOURCE_REMOVE;
}

/* no reply after fallback_seconds (a service started by other means than a
 * call): attach anyway */
static gboolean
attach_later(gpointer user_data)
{
  Ovpn3LogClient *self = user_data;

  self->later_id = 0;
  ovpn3_log_client_attach(self);
  return G_SOURCE_REMOVE;
}

static GDBusMessage *
on_message(GDBusConnection *connection, GDBusMessage *message, gboolean incoming,
           gpointer user_data)
{
  FirstReply *watch = user_data;
  GDBusMessageType type = g_dbus_message_get_message_type(message);
  Ovpn3LogClient *self;

  if (incoming || (type != G_DBUS_MESSAGE_TYPE_METHOD_RETURN && type != G_DBUS_MESSAGE_TYPE_ERROR)
      || !g_atomic_int_compare_and_exchange(&watch->seen, 0, 1))
    return message;
  self = g_weak_ref_get(&watch->client);
  if (self != NULL)
    g_idle_add_full(G_PRIORITY_DEFAULT, attach_now, self, g_object_unref);
  return message;
}

void
ovpn3_log_client_attach_after_first_reply(Ovpn3LogClient *self, guint fallback_seconds)
{
  FirstReply *watch;

  if (self->connection == NULL || self->watch_id != 0 || self->filter_id != 0)
    return;
  /* lines logged meanwhile are kept (and the first one attaches at once) */
  self->attach_wanted = TRUE;
  watch = g_new0(FirstReply, 1);
  g_weak_ref_init(&watch->client, self);
  self->filter_id
      = g_dbus_connection_add_filter(self->connection, on_message, watch, first_reply_free);
  self->later_id = g_timeout_add_seconds(fallback_seconds, attach_later, self);
}

void
ovpn3_log_client_set_level(Ovpn3LogClient *self, guint level)
{
  self->level = MIN(level, OVPN3_LOG_LEVEL_MAX);
}

guint
ovpn3_log_client_get_level(Ovpn3LogClient *self)
{
  return self->level;
}

void
ovpn3_log_client_log(Ovpn3LogClient *self, Ovpn3LogCategory category, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;
  gboolean sent = FALSE;

  if (!ovpn3_log_level_passes(self->level, category))
    return;
  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);

  /* waiting for the first reply: a line to send attaches now */
  if (self->connection != NULL && self->attach_wanted && self->watch_id == 0)
    ovpn3_log_client_attach(self);
  if (self->connection != NULL && self->attach_wanted && self->attached && self->log_owner != NULL)
    sent = g_dbus_connection_emit_signal(
        self->connection, self->log_owner, self->path, self->interface, "Log",
        g_variant_new("(uus)", (guint32) self->group, (guint32) category, message), NULL);
  else if (self->connection != NULL && self->attach_wanted && !self->attached
           && self->early.length < EARLY_MAX)
    {
      /* not attached yet: sent (in order) once we are */
      g_queue_push_tail(&self->early,
                        g_variant_ref_sink(g_variant_new("(uus)", (guint32) self->group,
                                                         (guint32) category, message)));
      sent = TRUE;
    }

  /* stderr when asked for, and always for what must not get lost */
  if (self->to_stderr || (!sent && category >= OVPN3_LOG_CATEGORY_WARN))
    write_stderr(category, message);
}

static void
write_stderr(Ovpn3LogCategory category, const char *message)
{
  const char *name = category <= OVPN3_LOG_CATEGORY_LAST ? category_names[category] : "?";
  g_autofree char *escaped = g_strescape(message, "\"");

  fprintf(stderr, "%s[%d]: %s: %s\n", g_get_prgname() ? g_get_prgname() : "ovpn3", (int) getpid(),
          name, escaped);
  fflush(stderr);
}
