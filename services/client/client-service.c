#define G_LOG_DOMAIN "ovpn3-client-service"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "client-backend.h"
#include "client-service.h"
#include "ovpn3-engine.h"
#include "ovpn3-names.h"
#include "ovpn3-seccomp.h"

static char *client_bus_name;
static gint client_token_fd = -1;
/* the session's engine uid (docs/security.md §3), taken by a thread of its own while the
 * bus connection is made (NSS lookups), joined before it is needed */
static Ovpn3EngineId client_engine = OVPN3_ENGINE_ID_INIT;
static GError *client_engine_error;
static GThread *client_engine_thread;

static const GOptionEntry client_options[] = {
  { "token-fd", 0, 0, G_OPTION_ARG_INT, &client_token_fd,
    "Read the registration token from this inherited descriptor", "FD" },
  { NULL },
};

/* The registration token comes through an inherited descriptor (never argv
 * or the environment, which /proc shows): at most 256 bytes up to EOF. */
static char *
read_token(int fd, GError **error)
{
  char buf[258];
  gsize len = 0;

  if (fd < 0)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                          "no registration token: the backend client is started by "
                          "net.openvpn.v3.backends with --token-fd");
      return NULL;
    }
  while (len < sizeof buf)
    {
      gssize n = read(fd, buf + len, sizeof buf - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          close(fd);
          g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                      "cannot read the registration token: %s", g_strerror(saved));
          return NULL;
        }
      if (n == 0)
        break;
      len += n;
    }
  close(fd);
  while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
    len--;
  if (len == 0 || len > 256 || memchr(buf, '\0', len) != NULL)
    {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                          "the registration token is missing or malformed");
      return NULL;
    }
  return g_strndup(buf, len);
}

/* The session manager's unique name, asked for at start so that the answer travels beside
 * RequestName's: RegistrationRequest goes once both are in. */
static struct
{
  gboolean asked, answered, name_owned;
  char *owner;
  GError *error;
} client_sessionmgr;

static void
register_when_ready(Ovpn3ClientBackend *backend)
{
  if (client_sessionmgr.answered && client_sessionmgr.name_owned)
    ovpn3_client_backend_register(backend, client_sessionmgr.owner, client_sessionmgr.error);
}

static void
on_sessionmgr_owner(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientBackend) backend = user_data;
  g_autoptr(GVariant) reply = NULL;

  reply
      = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &client_sessionmgr.error);
  if (reply != NULL)
    g_variant_get(reply, "(s)", &client_sessionmgr.owner);
  client_sessionmgr.answered = TRUE;
  register_when_ready(backend);
}

static gpointer
allocate_engine(gpointer argv0)
{
  if (!ovpn3_engine_id_allocate(OVPN3_ENGINE_LOCK_DIR, &client_engine, &client_engine_error))
    g_printerr("%s: %s\n", (const char *) argv0, client_engine_error->message);
  return NULL;
}

static void
join_engine(void)
{
  if (client_engine_thread != NULL)
    g_thread_join(g_steal_pointer(&client_engine_thread));
}

static gpointer
client_start(Ovpn3ServiceContext *ctx, GError **error)
{
  g_autofree char *token = read_token(client_token_fd, error);
  Ovpn3ClientBackend *backend;

  client_token_fd = -1;
  join_engine();
  if (token == NULL)
    return NULL;
  /* alive until the session ends, whatever OVPN3_IDLE_EXIT says */
  ovpn3_idle_hold(ctx->idle);
  backend = ovpn3_client_backend_new(
      ctx, client_bus_name, token, &client_engine, client_engine_error,
      ctx->log != NULL ? ovpn3_log_client_get_level(ctx->log) : ctx->log_level, error);
  if (backend != NULL && !client_sessionmgr.asked)
    {
      client_sessionmgr.asked = TRUE;
      g_dbus_connection_call(ctx->connection, DBUS_NAME_BUS, DBUS_PATH_BUS, DBUS_INTERFACE_BUS,
                             "GetNameOwner", g_variant_new("(s)", OVPN3_SESSIONS_BUS_NAME),
                             G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL,
                             on_sessionmgr_owner, g_object_ref(backend));
    }
  return backend;
}

static void
client_name_acquired(gpointer service)
{
  client_sessionmgr.name_owned = TRUE;
  register_when_ready(service);
}

static void
client_stop(gpointer service)
{
  ovpn3_client_backend_shutdown(service);
  g_object_unref(service);
  g_clear_pointer(&client_sessionmgr.owner, g_free);
  g_clear_error(&client_sessionmgr.error);
}

static gboolean
engine_as_service_user(void)
{
#if OVPN3_TEST_SWITCHES
  return g_strcmp0(g_getenv(OVPN3_ENV_TEST_ENGINE_AS_SERVICE_USER), "1") == 0;
#else
  return FALSE;
#endif
}

int
ovpn3_client_service_main(int argc, char **argv)
{
  Ovpn3ServiceDesc desc = {
    .summary = "ovpn3 backend client: drives one openvpn 2.6 process for one VPN session.",
    .log_group = OVPN3_LOG_GROUP_CLIENT,
    .interface = OVPN3_BACKENDS_INTERFACE,
    .path = OVPN3_BACKEND_SESSION_PATH,
    .default_idle_exit = 0,
    .attach_log = TRUE,
    .attach_log_at_start = TRUE, /* AssignSession once the name is ours */
    .start = client_start,
    .name_acquired = client_name_acquired,
    .stop = client_stop,
    .extra_options = client_options,
  };
  g_autoptr(GError) error = NULL;
  int status;

  /* before any thread: the filter applies to the calling thread and to the
   * threads and processes it starts later */
  if (!ovpn3_seccomp_install_engine_filter(&error))
    {
      g_printerr("%s: %s\n", argv[0], error->message);
      return 1;
    }
  /* the locale before the thread (the service sets the same one again) */
  setlocale(LC_ALL, "");
  if (!engine_as_service_user())
    client_engine_thread = g_thread_new("engine-uid", allocate_engine, argv[0]);
  client_bus_name = g_strdup_printf(OVPN3_BACKEND_BUS_NAME_PREFIX "%d", (int) getpid());
  desc.bus_name = client_bus_name;
  status = ovpn3_service_run(&desc, argc, argv);
  join_engine();
  return status;
}
