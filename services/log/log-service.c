#define G_LOG_DOMAIN "ovpn3-log-service"

/* log-service.c — the log manager object: its life cycle, the options, and
 * the output every record goes to. Attach records are in log-attach.c, the
 * methods, properties and access table in log-service-{methods,properties,access}.c.
 */

#include "config.h"

#include "log-proxy.h"
#include "log-service-private.h"
#include "ovpn3-names.h"
#include "ovpn3-state-file.h"

#include <malloc.h>
#include <string.h>
#include <unistd.h>

G_DEFINE_FINAL_TYPE(Ovpn3LogService, ovpn3_log_service, G_TYPE_OBJECT)

static char *opt_log_method;
static char *opt_log_file;

const GOptionEntry ovpn3_log_service_options[] = {
  { "log-method", 0, 0, G_OPTION_ARG_STRING, &opt_log_method,
    "Where to write log events: journald (default), file or stderr", "METHOD" },
  { "log-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_log_file,
    "Append log events to FILE (implies --log-method file)", "FILE" },
  { NULL },
};

/* ---- writing ------------------------------------------------------------- */

void
ovpn3_log_service_write_event(Ovpn3LogService *self, const Ovpn3LogEvent *event)
{
  ovpn3_log_writer_write(self->writer, event);
  if (self->mirror != NULL)
    ovpn3_log_writer_write(self->mirror, event);
}

void
ovpn3_log_service_apply_settings(Ovpn3LogService *self)
{
  ovpn3_log_writer_set_settings(self->writer, &self->settings);
  if (self->mirror != NULL)
    ovpn3_log_writer_set_settings(self->mirror, &self->settings);
}

void
ovpn3_log_service_log(Ovpn3LogService *self, Ovpn3LogCategory category, const char *format, ...)
{
  g_autofree char *message = NULL;
  Ovpn3LogEvent event = { 0 };
  va_list args;

  if (!ovpn3_log_level_passes(self->settings.log_level, category))
    return;

  va_start(args, format);
  message = g_strdup_vprintf(format, args);
  va_end(args);

  event.group = OVPN3_LOG_GROUP_LOGGER;
  event.category = category;
  event.message = message;
  event.service = OVPN3_LOG_INTERFACE;
  event.object_path = OVPN3_LOG_PATH;
  event.sender_pid = (guint32) getpid();
  if (self->connection != NULL)
    event.bus_name = g_dbus_connection_get_unique_name(self->connection);
  ovpn3_log_service_write_event(self, &event);
}

Ovpn3LogWriter *
ovpn3_log_service_open_destination(const char *destination, GError **error)
{
  g_autoptr(GError) local = NULL;
  Ovpn3LogMethod method = OVPN3_LOG_METHOD_FILE;
  Ovpn3LogWriter *writer;

  if (g_str_equal(destination, OVPN3_LOG_DESTINATION_JOURNALD))
    method = OVPN3_LOG_METHOD_JOURNALD;
  else if (g_str_equal(destination, OVPN3_LOG_DESTINATION_STDERR))
    method = OVPN3_LOG_METHOD_STDERR;
  else if (!g_path_is_absolute(destination) || strlen(destination) > OVPN3_LOG_DESTINATION_MAX)
    {
      g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                  "Invalid log destination “%s”: journald, stderr or an absolute file path",
                  destination);
      return NULL;
    }
  writer = ovpn3_log_writer_new(method, destination, &local);
  if (writer == NULL)
    g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "%s", local->message);
  return writer;
}

void
ovpn3_log_service_use_writer(Ovpn3LogService *self, Ovpn3LogWriter *writer, const char *destination)
{
  ovpn3_log_writer_flush(self->writer);
  g_object_unref(self->writer);
  self->writer = writer;
  g_free(self->destination);
  self->destination = g_strdup(destination);
  ovpn3_log_service_apply_settings(self);
}

/* ---- no session left ------------------------------------------------------ */

static gboolean
serves_a_session(Ovpn3LogService *self)
{
  if (g_hash_table_size(self->proxies) > 0)
    return TRUE;
  for (guint i = 0; i < self->attached->len; i++)
    if (((LogAttach *) g_ptr_array_index(self->attached, i))->session_path != NULL)
      return TRUE;
  return FALSE;
}

/* From an idle: the NameOwnerChanged handlers of a peer that left (the
 * callers cache's among them) have run by then. The count line lets tests
 * see that nothing per session stays behind; malloc_trim gives the free
 * pages of every malloc arena back (bench/README.md, soak). */
static gboolean
no_session_left(gpointer user_data)
{
  Ovpn3LogService *self = user_data;
  int trimmed;

  self->quiet_id = 0;
  if (serves_a_session(self))
    return G_SOURCE_REMOVE;
  trimmed = malloc_trim(0);
  g_debug("No session left: %u attached, %u log proxies, %u callers known, %u backends known%s",
          self->attached->len, g_hash_table_size(self->proxies),
          ovpn3_credentials_cache_size(ovpn3_exporter_get_credentials(self->exporter)),
          ovpn3_peer_roles_cache_size(ovpn3_exporter_get_peer_roles(self->exporter)),
          trimmed ? "; heap trimmed" : "");
  return G_SOURCE_REMOVE;
}

void
ovpn3_log_service_session_gone(Ovpn3LogService *self)
{
  if (self->quiet_id == 0 && self->connection != NULL)
    self->quiet_id = g_idle_add(no_session_left, self);
}

static const Ovpn3ExportedVTable manager_vtable = {
  .method_call = ovpn3_log_service_method_call,
  .get_property = ovpn3_log_service_get_property,
  .set_property = ovpn3_log_service_set_property,
  .access = &ovpn3_log_manager_access,
  .access_check = ovpn3_log_service_access_check,
};

/* ---- life cycle ------------------------------------------------------------ */

static void
ovpn3_log_service_dispose(GObject *object)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  if (self->proxies != NULL)
    {
      g_autoptr(GList) proxies = g_hash_table_get_values(self->proxies);

      for (GList *l = proxies; l != NULL; l = l->next)
        g_signal_handlers_disconnect_by_data(l->data, self);
      g_hash_table_remove_all(self->proxies);
    }
  while (self->attached != NULL && self->attached->len > 0)
    ovpn3_log_attach_detach(self, g_ptr_array_index(self->attached, self->attached->len - 1));
  g_clear_handle_id(&self->quiet_id, g_source_remove); /* the detaches may have set it */
  if (self->registration_id != 0)
    {
      ovpn3_exporter_unregister(self->exporter, self->registration_id);
      self->registration_id = 0;
    }
  g_clear_object(&self->writer);
  g_clear_object(&self->mirror);
  g_clear_object(&self->idle);
  g_clear_object(&self->connection);

  G_OBJECT_CLASS(ovpn3_log_service_parent_class)->dispose(object);
}

static void
ovpn3_log_service_finalize(GObject *object)
{
  Ovpn3LogService *self = OVPN3_LOG_SERVICE(object);

  g_clear_pointer(&self->proxies, g_hash_table_unref);
  g_clear_pointer(&self->attached, g_ptr_array_unref);
  g_free(self->settings_path);
  g_free(self->destination);

  G_OBJECT_CLASS(ovpn3_log_service_parent_class)->finalize(object);
}

static void
ovpn3_log_service_class_init(Ovpn3LogServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS(klass);

  object_class->dispose = ovpn3_log_service_dispose;
  object_class->finalize = ovpn3_log_service_finalize;
}

static void
proxy_unref_closing(gpointer data)
{
  ovpn3_log_proxy_close(data);
  g_object_unref(data);
}

static void
ovpn3_log_service_init(Ovpn3LogService *self)
{
  ovpn3_log_settings_init(&self->settings);
  self->attached = g_ptr_array_new_with_free_func(ovpn3_log_attach_release);
  self->proxies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, proxy_unref_closing);
}

Ovpn3LogService *
ovpn3_log_service_new(Ovpn3Exporter *exporter, Ovpn3Idle *idle, const char *state_dir,
                      Ovpn3LogMethod method, const char *file, GError **error)
{
  g_autoptr(Ovpn3LogService) self = g_object_new(OVPN3_TYPE_LOG_SERVICE, NULL);
  g_autoptr(GError) load_error = NULL;

  self->exporter = exporter;
  self->idle = idle != NULL ? g_object_ref(idle) : NULL;
  self->connection = g_object_ref(ovpn3_exporter_get_connection(exporter));

  self->writer = ovpn3_log_writer_new(method, file, error);
  if (self->writer == NULL)
    return NULL;
  self->destination
      = g_strdup(method == OVPN3_LOG_METHOD_FILE ? file : ovpn3_log_method_to_string(method));

  if (state_dir != NULL)
    {
      if (!ovpn3_state_dir_ensure(state_dir, error))
        return NULL;
      self->settings_path = g_build_filename(state_dir, OVPN3_LOG_SETTINGS_FILE, NULL);
      /* A bad file is reported and left in place; the defaults apply. */
      if (!ovpn3_log_settings_load(&self->settings, self->settings_path, &load_error))
        g_warning("Ignoring the log settings: %s", load_error->message);
    }
  ovpn3_log_service_apply_settings(self);
  /* --idle-exit and OVPN3_IDLE_EXIT win; otherwise the settings file's */
  if (self->idle != NULL && ovpn3_idle_get_timeout(self->idle) == 0
      && self->settings.idle_exit_minutes > 0)
    ovpn3_idle_set_timeout(self->idle, self->settings.idle_exit_minutes * 60);

  self->registration_id = ovpn3_exporter_register(exporter, OVPN3_LOG_PATH, OVPN3_XML_LOG_MANAGER,
                                                  &manager_vtable, self, error);
  if (self->registration_id == 0)
    return NULL;

  ovpn3_log_service_log(self, OVPN3_LOG_CATEGORY_INFO, "Log service started (%s)",
                        ovpn3_log_method_to_string(method));
  return g_steal_pointer(&self);
}

void
ovpn3_log_service_mirror_to_stderr(Ovpn3LogService *self)
{
  g_return_if_fail(OVPN3_IS_LOG_SERVICE(self));

  if (self->mirror != NULL || ovpn3_log_writer_get_method(self->writer) == OVPN3_LOG_METHOD_STDERR)
    return;
  self->mirror = ovpn3_log_writer_new(OVPN3_LOG_METHOD_STDERR, NULL, NULL);
  ovpn3_log_service_apply_settings(self);
}

guint
ovpn3_log_service_get_num_attached(Ovpn3LogService *self)
{
  g_return_val_if_fail(OVPN3_IS_LOG_SERVICE(self), 0);
  return self->attached->len;
}

static void
restore_destination(Ovpn3LogService *self)
{
  g_autoptr(GError) error = NULL;
  Ovpn3LogWriter *writer;

  if (self->settings.destination[0] == '\0')
    return;
  writer = ovpn3_log_service_open_destination(self->settings.destination, &error);
  if (writer == NULL)
    {
      g_warning("Ignoring the saved log destination: %s", error->message);
      return;
    }
  ovpn3_log_service_use_writer(self, writer, self->settings.destination);
}

gpointer
ovpn3_log_service_start(Ovpn3ServiceContext *ctx, GError **error)
{
  Ovpn3LogMethod method = OVPN3_LOG_METHOD_JOURNALD;
  Ovpn3LogService *service;

  if (opt_log_method != NULL)
    {
      if (!ovpn3_log_method_from_string(opt_log_method, &method))
        {
          g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                      "Unknown --log-method “%s” (journald, file or stderr)", opt_log_method);
          return NULL;
        }
    }
  else if (opt_log_file != NULL)
    method = OVPN3_LOG_METHOD_FILE;

  service = ovpn3_log_service_new(ctx->exporter, ctx->idle, ctx->state_dir, method, opt_log_file,
                                  error);
  /* the saved log_destination, unless the options name one */
  if (service != NULL && opt_log_method == NULL && opt_log_file == NULL)
    restore_destination(service);
  if (service != NULL && ctx->log_stderr)
    ovpn3_log_service_mirror_to_stderr(service);
  return service;
}

void
ovpn3_log_service_stop(gpointer service)
{
  if (service != NULL)
    g_object_unref(service);
}
