#define G_LOG_DOMAIN "ovpn3-backendstart-service"

#include "config.h"

#include "backend-spawn.h"
#include "backendstart-service.h"
#include "ovpn3-error.h"
#include "ovpn3-manager.h"
#include "ovpn3-names.h"
#include "ovpn3-object-id.h"
#include "ovpn3-seccomp.h"

struct _Ovpn3Backendstart
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx; /* not owned */
  guint registration_id;
  char *client_binary;
  char **client_env;
};

G_DEFINE_TYPE(Ovpn3Backendstart, ovpn3_backendstart, G_TYPE_OBJECT)

static void
ovpn3_backendstart_finalize(GObject *object)
{
  Ovpn3Backendstart *self = OVPN3_BACKENDSTART(object);

  ovpn3_exporter_unregister(self->ctx->exporter, self->registration_id);
  g_free(self->client_binary);
  g_strfreev(self->client_env);
  G_OBJECT_CLASS(ovpn3_backendstart_parent_class)->finalize(object);
}

static void
ovpn3_backendstart_class_init(Ovpn3BackendstartClass *klass)
{
  G_OBJECT_CLASS(klass)->finalize = ovpn3_backendstart_finalize;
}

static void
ovpn3_backendstart_init(Ovpn3Backendstart *self)
{
}

static void
handle_start_client(Ovpn3Backendstart *self, const Ovpn3Caller *caller, GVariant *parameters,
                    GDBusMethodInvocation *invocation)
{
  const char *token;
  g_autoptr(GError) error = NULL;
  GPid pid;

  g_variant_get(parameters, "(&s)", &token);
  if (!ovpn3_object_id_is_valid(token, OVPN3_ID_SEP_TOKEN))
    {
      g_dbus_method_invocation_return_error_literal(
          invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Invalid session token");
      return;
    }
  pid = ovpn3_backend_spawn(self->client_binary, token, self->client_env, &error);
  if (pid == 0)
    {
      ovpn3_log_client_log(self->ctx->log, OVPN3_LOG_CATEGORY_ERROR,
                           "Could not start the backend client: %s", error->message);
      g_dbus_method_invocation_return_error_literal(
          invocation, OVPN3_ERROR_REQUEST, OVPN3_ERROR_FAILED, "Could not start the VPN client");
      return;
    }
  ovpn3_log_client_log(self->ctx->log, OVPN3_LOG_CATEGORY_VERB1,
                       "Backend client started: pid %d (%s)", (int) pid, self->client_binary);
  g_dbus_method_invocation_return_value(invocation, g_variant_new("(u)", (guint32) pid));
}

static void
method_call(gpointer object, const Ovpn3Caller *caller, const char *method, GVariant *parameters,
            GDBusMethodInvocation *invocation)
{
  Ovpn3Backendstart *self = object;

  if (g_str_equal(method, "StartClient"))
    handle_start_client(self, caller, parameters, invocation);
  else
    ovpn3_invocation_return_unknown_method(invocation);
}

/* The session manager runs as the service user; nobody else starts
 * backends (docs/dbus-api.md §3.4). */
static const Ovpn3AccessRow access_rows[] = {
  { OVPN3_ACCESS_METHOD, "StartClient", OVPN3_ACCESS_SERVICE_USER },
  OVPN3_ACCESS_MANAGER_COMMON_ROWS,
};

const Ovpn3AccessTable ovpn3_backendstart_access
    = OVPN3_ACCESS_TABLE(OVPN3_XML_BACKENDS_MANAGER, "Access denied", access_rows);

static const Ovpn3ExportedVTable vtable = {
  .method_call = method_call,
  .get_property = ovpn3_manager_get_property,
  .access = &ovpn3_backendstart_access,
};

Ovpn3Backendstart *
ovpn3_backendstart_new(Ovpn3ServiceContext *ctx, GError **error)
{
  g_autoptr(Ovpn3Backendstart) self = g_object_new(OVPN3_TYPE_BACKENDSTART, NULL);

  self->ctx = ctx;
  self->client_binary = ovpn3_backend_client_binary(NULL);
  self->client_env = ovpn3_backend_client_environ(NULL);
  self->registration_id = ovpn3_exporter_register(ctx->exporter, OVPN3_BACKENDS_PATH,
                                                  OVPN3_XML_BACKENDS_MANAGER, &vtable, self, error);
  if (self->registration_id == 0)
    return NULL;
  g_debug("backend client binary: %s", self->client_binary);
  return g_steal_pointer(&self);
}

static gpointer
backendstart_start(Ovpn3ServiceContext *ctx, GError **error)
{
  return ovpn3_backendstart_new(ctx, error);
}

static void
backendstart_stop(gpointer service)
{
  g_object_unref(service);
}

const Ovpn3ServiceDesc ovpn3_backendstart_service = {
  .bus_name = OVPN3_BACKENDS_BUS_NAME,
  .summary = "ovpn3 backend starter: starts one VPN backend client per session.",
  .log_group = OVPN3_LOG_GROUP_BACKENDSTART,
  .interface = OVPN3_BACKENDS_INTERFACE,
  .path = OVPN3_BACKENDS_PATH,
  .default_idle_exit = 30,
  .attach_log = TRUE,
  .start = backendstart_start,
  .stop = backendstart_stop,
  .early_setup = ovpn3_seccomp_install_engine_filter,
};
