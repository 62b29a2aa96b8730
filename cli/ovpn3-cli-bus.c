#define G_LOG_DOMAIN "ovpn3-cli-bus"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovpn3-names.h"
#include "ovpn3-cli-bus.h"
#include "ovpn3-cli-output.h"

G_DEFINE_QUARK(ovpn3 - cli - error - quark, ovpn3_cli_error)

static GDBusConnection *system_bus;
/* the destination of the last call that failed, for the message */
static char *failed_dest;

GDBusConnection *
ovpn3_cli_bus(GError **error)
{
  g_autoptr(GError) local = NULL;

  if (system_bus == NULL)
    system_bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &local);
  if (system_bus == NULL)
    g_set_error(error, OVPN3_CLI_ERROR, OVPN3_EXIT_UNAVAILABLE,
                "cannot connect to the system D-Bus (%s); is the dbus service running?",
                local->message);
  return system_bus;
}

const char *
ovpn3_cli_service_label(const char *bus_name)
{
  if (bus_name == NULL)
    return "the service";
  if (g_str_equal(bus_name, OVPN3_CONFIG_BUS_NAME))
    return "the configuration service";
  if (g_str_equal(bus_name, OVPN3_SESSIONS_BUS_NAME))
    return "the session service";
  if (g_str_equal(bus_name, OVPN3_LOG_BUS_NAME))
    return "the log service";
  if (g_str_equal(bus_name, OVPN3_BACKENDS_BUS_NAME))
    return "the backend starter service";
  if (g_str_equal(bus_name, OVPN3_NETCFG_BUS_NAME))
    return "the network configuration service";
  return "the service";
}

static gboolean
is_manager_path(const char *path)
{
  static const char *const managers[] = { OVPN3_CONFIG_PATH,   OVPN3_SESSIONS_PATH, OVPN3_LOG_PATH,
                                          OVPN3_BACKENDS_PATH, OVPN3_NETCFG_PATH,   NULL };

  return g_strv_contains(managers, path);
}

void
ovpn3_cli_strip_remote_error(GError *error)
{
  /* GLib's "GDBus.Error:<name>: " first, then the service's own, if any */
  if (g_dbus_error_strip_remote_error(error))
    g_dbus_error_strip_remote_error(error);
}

Ovpn3CliErrorKind
ovpn3_cli_error_kind(const GError *error)
{
  const char *msg = error->message;

  if (error->domain == G_IO_ERROR)
    {
      if (error->code == G_IO_ERROR_TIMED_OUT || error->code == G_IO_ERROR_CLOSED
          || error->code == G_IO_ERROR_CANCELLED)
        return OVPN3_CLI_ERROR_KIND_NO_REPLY;
      return OVPN3_CLI_ERROR_KIND_OTHER;
    }
  if (error->domain != G_DBUS_ERROR)
    return OVPN3_CLI_ERROR_KIND_OTHER;
  switch (error->code)
    {
      case G_DBUS_ERROR_SERVICE_UNKNOWN:
      case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
      case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
      case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        return OVPN3_CLI_ERROR_KIND_RETRYABLE;
      case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
      case G_DBUS_ERROR_SPAWN_FORK_FAILED:
      case G_DBUS_ERROR_SPAWN_FAILED:
      case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
      case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
      case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
      case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
      case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
      case G_DBUS_ERROR_SPAWN_FILE_INVALID:
      case G_DBUS_ERROR_SPAWN_NO_MEMORY:
        return OVPN3_CLI_ERROR_KIND_UNAVAILABLE;
      case G_DBUS_ERROR_UNKNOWN_OBJECT:
        return OVPN3_CLI_ERROR_KIND_NOT_FOUND;
      case G_DBUS_ERROR_UNKNOWN_METHOD:
        return strstr(msg, "Object does not exist at path") != NULL ? OVPN3_CLI_ERROR_KIND_NOT_FOUND
                                                                    : OVPN3_CLI_ERROR_KIND_OTHER;
      case G_DBUS_ERROR_UNKNOWN_INTERFACE:
        return OVPN3_CLI_ERROR_KIND_NOT_FOUND;
      case G_DBUS_ERROR_INVALID_ARGS:
        return strstr(msg, "No such interface") != NULL ? OVPN3_CLI_ERROR_KIND_NOT_FOUND
                                                        : OVPN3_CLI_ERROR_KIND_OTHER;
      case G_DBUS_ERROR_ACCESS_DENIED:
      case G_DBUS_ERROR_AUTH_FAILED:
        return strstr(msg, "Rejected send message") != NULL ? OVPN3_CLI_ERROR_KIND_POLICY
                                                            : OVPN3_CLI_ERROR_KIND_ACCESS;
      case G_DBUS_ERROR_NO_REPLY:
      case G_DBUS_ERROR_TIMEOUT:
      case G_DBUS_ERROR_TIMED_OUT:
      case G_DBUS_ERROR_DISCONNECTED:
        return OVPN3_CLI_ERROR_KIND_NO_REPLY;
      default:
        return OVPN3_CLI_ERROR_KIND_OTHER;
    }
}

/* Retry this error?  Only before dispatch: name not there (yet), or the manager object not
 * exported (yet).  A missing profile/session object is a real "not found". */
static gboolean
should_retry(const GError *error, const char *path)
{
  Ovpn3CliErrorKind kind = ovpn3_cli_error_kind(error);

  return kind == OVPN3_CLI_ERROR_KIND_RETRYABLE
         || (kind == OVPN3_CLI_ERROR_KIND_NOT_FOUND && is_manager_path(path));
}

static guint
retry_delay_ms(guint attempt)
{
  guint ms = OVPN3_CLI_RETRY_FIRST_MS << MIN(attempt, 8u);

  return MIN(ms, (guint) OVPN3_CLI_RETRY_MAX_MS);
}

static void
remember_failure(const char *dest)
{
  g_free(failed_dest);
  failed_dest = g_strdup(dest);
}

GVariant *
ovpn3_cli_call(const char *dest, const char *path, const char *iface, const char *method,
               GVariant *params, const GVariantType *reply_type, GError **error)
{
  GDBusConnection *bus = ovpn3_cli_bus(error);
  g_autoptr(GVariant) owned = params != NULL ? g_variant_ref_sink(params) : NULL;

  if (bus == NULL)
    return NULL;
  for (guint attempt = 0;; attempt++)
    {
      g_autoptr(GError) local = NULL;
      GVariant *reply
          = g_dbus_connection_call_sync(bus, dest, path, iface, method, owned, reply_type,
                                        G_DBUS_CALL_FLAGS_NONE, -1, NULL, &local);

      if (reply != NULL)
        return reply;
      if (attempt + 1 >= OVPN3_CLI_RETRY_TRIES || !should_retry(local, path))
        {
          remember_failure(dest);
          g_propagate_error(error, g_steal_pointer(&local));
          return NULL;
        }
      g_debug("%s.%s on %s: %s; retrying", iface, method, path, local->message);
      g_usleep(retry_delay_ms(attempt) * G_TIME_SPAN_MILLISECOND);
    }
}

GVariant *
ovpn3_cli_get_all(const char *dest, const char *path, const char *iface, GError **error)
{
  g_autoptr(GVariant) reply
      = ovpn3_cli_call(dest, path, "org.freedesktop.DBus.Properties", "GetAll",
                       g_variant_new("(s)", iface), G_VARIANT_TYPE("(a{sv})"), error);

  return reply != NULL ? g_variant_get_child_value(reply, 0) : NULL;
}

GVariant *
ovpn3_cli_get_property(const char *dest, const char *path, const char *iface, const char *name,
                       GError **error)
{
  g_autoptr(GVariant) reply
      = ovpn3_cli_call(dest, path, "org.freedesktop.DBus.Properties", "Get",
                       g_variant_new("(ss)", iface, name), G_VARIANT_TYPE("(v)"), error);
  GVariant *value = NULL;

  if (reply != NULL)
    g_variant_get(reply, "(v)", &value);
  return value;
}

gboolean
ovpn3_cli_set_property(const char *dest, const char *path, const char *iface, const char *name,
                       GVariant *value, GError **error)
{
  g_autoptr(GVariant) reply
      = ovpn3_cli_call(dest, path, "org.freedesktop.DBus.Properties", "Set",
                       g_variant_new("(ssv)", iface, name, value), NULL, error);

  return reply != NULL;
}

/* ---- pipelined GetAll ----------------------------------------------------------------------- */

/* The system bus allows a connection 128 pending replies (max_replies_per_connection in
 * Debian's system.conf); stay well below that. */
#define BATCH_WINDOW 64

typedef struct
{
  GDBusConnection *bus;
  guint pending;   /* not finished */
  guint in_flight; /* sent, no reply yet */
  GQueue waiting;  /* BatchCall not sent yet */
} Batch;

typedef struct
{
  Batch *batch;
  Ovpn3CliGetAll *item;
  guint attempt;
} BatchCall;

static void batch_start(BatchCall *call);

static void
batch_enqueue(Batch *batch, BatchCall *call)
{
  if (batch->in_flight < BATCH_WINDOW)
    batch_start(call);
  else
    g_queue_push_tail(&batch->waiting, call);
}

static gboolean
batch_retry(gpointer data)
{
  BatchCall *call = data;

  batch_enqueue(call->batch, call);
  return G_SOURCE_REMOVE;
}

static void
batch_done(GObject *source, GAsyncResult *result, gpointer data)
{
  BatchCall *call = data;
  Batch *batch = call->batch;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish(batch->bus, result, &error);

  batch->in_flight--;
  if (!g_queue_is_empty(&batch->waiting))
    batch_start(g_queue_pop_head(&batch->waiting));
  if (reply == NULL && call->attempt + 1 < OVPN3_CLI_RETRY_TRIES
      && should_retry(error, call->item->path))
    {
      g_timeout_add(retry_delay_ms(call->attempt++), batch_retry, call);
      return;
    }
  if (reply != NULL && call->item->property != NULL)
    g_variant_get(reply, "(v)", &call->item->props);
  else if (reply != NULL)
    call->item->props = g_variant_get_child_value(reply, 0);
  else
    {
      remember_failure(call->item->dest);
      call->item->error = g_steal_pointer(&error);
    }
  batch->pending--;
  g_free(call);
}

static void
batch_start(BatchCall *call)
{
  const Ovpn3CliGetAll *item = call->item;

  call->batch->in_flight++;
  if (item->property != NULL)
    g_dbus_connection_call(
        call->batch->bus, item->dest, item->path, "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", item->iface, item->property), G_VARIANT_TYPE("(v)"),
        G_DBUS_CALL_FLAGS_NONE, -1, NULL, batch_done, call);
  else
    g_dbus_connection_call(call->batch->bus, item->dest, item->path,
                           "org.freedesktop.DBus.Properties", "GetAll",
                           g_variant_new("(s)", item->iface), G_VARIANT_TYPE("(a{sv})"),
                           G_DBUS_CALL_FLAGS_NONE, -1, NULL, batch_done, call);
}

void
ovpn3_cli_get_all_batch(Ovpn3CliGetAll *items, guint n)
{
  Batch batch = { 0 };
  GError *error = NULL;

  g_queue_init(&batch.waiting);
  batch.bus = ovpn3_cli_bus(&error);
  for (guint i = 0; i < n; i++)
    {
      BatchCall *call;

      if (batch.bus == NULL)
        {
          items[i].error = g_error_copy(error);
          continue;
        }
      call = g_new0(BatchCall, 1);
      call->batch = &batch;
      call->item = &items[i];
      batch.pending++;
      batch_enqueue(&batch, call);
    }
  g_clear_error(&error);
  while (batch.pending > 0)
    g_main_context_iteration(NULL, TRUE);
}

Ovpn3CliGetAll *
ovpn3_cli_get_all_paths(const char *dest, const char *const *paths, const char *iface, guint *n_out)
{
  guint n = paths != NULL ? g_strv_length((char **) paths) : 0;
  Ovpn3CliGetAll *items = g_new0(Ovpn3CliGetAll, MAX(n, 1));

  for (guint i = 0; i < n; i++)
    {
      items[i].dest = dest;
      items[i].path = paths[i];
      items[i].iface = iface;
    }
  ovpn3_cli_get_all_batch(items, n);
  *n_out = n;
  return items;
}

void
ovpn3_cli_get_all_items_free(Ovpn3CliGetAll *items, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      g_clear_pointer(&items[i].props, g_variant_unref);
      g_clear_error(&items[i].error);
    }
  g_free(items);
}

GPtrArray *
ovpn3_cli_get_all_many(const char *dest, const char *const *paths, const char *iface)
{
  guint n;
  g_autofree Ovpn3CliGetAll *items = ovpn3_cli_get_all_paths(dest, paths, iface, &n);
  GPtrArray *results = g_ptr_array_new_full(n, (GDestroyNotify) g_variant_unref);

  for (guint i = 0; i < n; i++)
    {
      if (items[i].error != NULL)
        g_debug("GetAll %s: %s", items[i].path, items[i].error->message);
      g_clear_error(&items[i].error);
      g_ptr_array_add(results, items[i].props);
    }
  return results;
}

/* ---- reporting ---------------------------------------------------------------------------- */

static void
print_error_line(Ovpn3Cli *cli, const char *text)
{
  const char *cmd = cli->command != NULL ? cli->command : NULL;

  if (cli->color_err)
    fprintf(stderr, "%sovpn3%s%s: %serror:%s %s\n", OVPN3_COLOR_BOLD, cmd ? " " : "",
            cmd ? cmd : "", OVPN3_COLOR_RED, OVPN3_COLOR_RESET, text);
  else
    fprintf(stderr, "ovpn3%s%s: error: %s\n", cmd ? " " : "", cmd ? cmd : "", text);
}

static void
print_hint(Ovpn3Cli *cli, const char *hint)
{
  if (hint == NULL || *hint == '\0')
    return;
  if (cli->color_err)
    fprintf(stderr, "%shint:%s %s\n", OVPN3_COLOR_YELLOW, OVPN3_COLOR_RESET, hint);
  else
    fprintf(stderr, "hint: %s\n", hint);
}

int
ovpn3_cli_fail(Ovpn3Cli *cli, int code, const char *hint, const char *format, ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start(ap, format);
  text = g_strdup_vprintf(format, ap);
  va_end(ap);
  print_error_line(cli, text);
  print_hint(cli, hint);
  return code;
}

int
ovpn3_cli_report(Ovpn3Cli *cli, const GError *error, const char *what, const char *hint)
{
  g_autofree char *remote = g_dbus_error_get_remote_error(error);
  g_autoptr(GError) copy = g_error_copy(error);
  g_autofree char *text = NULL;
  const char *service = ovpn3_cli_service_label(failed_dest);
  int code = OVPN3_EXIT_ERROR;
  g_autofree char *auto_hint = NULL;

  if (error->domain == OVPN3_CLI_ERROR)
    {
      text = what != NULL ? g_strdup_printf("%s: %s", what, error->message)
                          : g_strdup(error->message);
      print_error_line(cli, text);
      print_hint(cli, hint);
      return error->code;
    }

  ovpn3_cli_strip_remote_error(copy);
  if (what == NULL)
    what = "failed";
  switch (ovpn3_cli_error_kind(error))
    {
      case OVPN3_CLI_ERROR_KIND_RETRYABLE:
      case OVPN3_CLI_ERROR_KIND_UNAVAILABLE:
        text = g_strdup_printf("%s: %s is not available (it is not running and could not be "
                               "started)",
                               what, service);
        auto_hint = g_strdup_printf("Check that ovpn3 is installed and that the D-Bus system bus "
                                    "can start %s; run with --verbose to see the bus's reason",
                                    failed_dest != NULL ? failed_dest : "it");
        code = OVPN3_EXIT_UNAVAILABLE;
        break;
      case OVPN3_CLI_ERROR_KIND_NO_REPLY:
        text = g_strdup_printf("%s: %s did not answer in time", what, service);
        auto_hint = g_strdup("The request may have been carried out anyway: look before you "
                             "repeat it (e.g. `ovpn3 configs-list`)");
        code = OVPN3_EXIT_UNAVAILABLE;
        break;
      case OVPN3_CLI_ERROR_KIND_NOT_FOUND:
        text = g_strdup_printf("%s: it does not exist (any more)", what);
        auto_hint = g_strdup(g_strcmp0(failed_dest, OVPN3_SESSIONS_BUS_NAME) == 0
                                 ? "List your sessions with `ovpn3 sessions-list`"
                                 : "List what you can use with `ovpn3 configs-list`");
        code = OVPN3_EXIT_NOT_FOUND;
        break;
      case OVPN3_CLI_ERROR_KIND_ACCESS:
        text = g_strdup_printf("%s: permission denied: %s", what, copy->message);
        code = OVPN3_EXIT_ACCESS_DENIED;
        break;
      case OVPN3_CLI_ERROR_KIND_POLICY:
        text = g_strdup_printf("%s: permission denied: the system bus policy does not allow "
                               "this call for your user",
                               what);
        auto_hint = g_strdup("This action is reserved to root (try with sudo)");
        code = OVPN3_EXIT_ACCESS_DENIED;
        break;
      case OVPN3_CLI_ERROR_KIND_OTHER:
      default:
        text = g_strdup_printf("%s: %s", what, copy->message);
        break;
    }
  print_error_line(cli, text);
  print_hint(cli, hint != NULL ? hint : auto_hint);
  if (cli->verbose)
    fprintf(stderr, "D-Bus error: %s: %s\n",
            remote != NULL ? remote : g_quark_to_string(error->domain), copy->message);
  return code;
}
