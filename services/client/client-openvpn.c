#define G_LOG_DOMAIN "ovpn3-client-openvpn"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "client-openvpn.h"

/* openvpn must connect to our socket within this time. */
#define ACCEPT_TIMEOUT_S 30

struct _Ovpn3ClientOpenvpn
{
  GObject parent_instance;
  char *dir;
  char *profile_path;
  char *mgmt_path;
  GSocketListener *listener;
  GCancellable *cancellable;
  GCancellable *accept_cancellable;
  GSubprocess *process;
  Ovpn3MgmtClient *mgmt;
  GDataInputStream *output;
  guint accept_timeout_id;
  guint kill_timeout_id;
  gboolean started;
  gboolean child_done;
  gboolean mgmt_done;
  gboolean output_done; /* stdout drained (EOF), or given up on */
  guint output_timeout_id;
  gboolean exited;
  gint wait_status;
};

G_DEFINE_TYPE(Ovpn3ClientOpenvpn, ovpn3_client_openvpn, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  SIGNAL_OUTPUT,
  SIGNAL_EXITED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
remove_files(Ovpn3ClientOpenvpn *self)
{
  if (self->profile_path != NULL)
    g_unlink(self->profile_path);
  if (self->mgmt_path != NULL)
    g_unlink(self->mgmt_path);
  if (self->dir != NULL && g_rmdir(self->dir) != 0 && errno != ENOENT)
    g_warning("could not remove %s: %s", self->dir, g_strerror(errno));
}

/* A backend client killed before it could clean up leaves its private
 * directory "client-<pid>-XXXXXX" behind. Each new client removes those of
 * processes that no longer exist: only the two files we create there, then
 * the directory itself (never anything else it might contain). */
static void
sweep_stale_dirs(const char *runtime_base)
{
  g_autoptr(GDir) dir = g_dir_open(runtime_base, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name(dir)) != NULL)
    {
      guint64 pid;
      g_autofree char *pid_text = NULL;
      g_autofree char *path = NULL;
      g_autofree char *profile = NULL;
      g_autofree char *mgmt = NULL;
      const char *dash;

      if (!g_str_has_prefix(name, "client-") || (dash = strchr(name + 7, '-')) == NULL)
        continue;
      pid_text = g_strndup(name + 7, dash - (name + 7));
      if (!g_ascii_string_to_unsigned(pid_text, 10, 1, G_MAXINT32, &pid, NULL)
          || (pid_t) pid == getpid() || kill((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;
      path = g_build_filename(runtime_base, name, NULL);
      profile = g_build_filename(path, "profile.ovpn", NULL);
      mgmt = g_build_filename(path, "mgmt", NULL);
      g_unlink(profile);
      g_unlink(mgmt);
      if (g_rmdir(path) == 0)
        g_message("removed %s, left by a backend client that no longer exists", path);
    }
}

static void
close_listener(Ovpn3ClientOpenvpn *self)
{
  g_clear_handle_id(&self->accept_timeout_id, g_source_remove);
  g_cancellable_cancel(self->accept_cancellable);
  if (self->listener != NULL)
    {
      g_socket_listener_close(self->listener);
      g_clear_object(&self->listener);
    }
  if (self->mgmt_path != NULL)
    g_unlink(self->mgmt_path);
}

static void
ovpn3_client_openvpn_dispose(GObject *object)
{
  Ovpn3ClientOpenvpn *self = OVPN3_CLIENT_OPENVPN(object);

  g_cancellable_cancel(self->cancellable);
  close_listener(self);
  g_clear_handle_id(&self->kill_timeout_id, g_source_remove);
  g_clear_handle_id(&self->output_timeout_id, g_source_remove);
  if (self->process != NULL && !self->child_done)
    g_subprocess_force_exit(self->process);
  if (self->mgmt != NULL)
    {
      g_signal_handlers_disconnect_by_data(self->mgmt, self);
      ovpn3_mgmt_client_close(self->mgmt);
      g_clear_object(&self->mgmt);
    }
  g_clear_object(&self->process);
  g_clear_object(&self->output);
  if (self->started && !self->exited)
    remove_files(self);
  G_OBJECT_CLASS(ovpn3_client_openvpn_parent_class)->dispose(object);
}

static void
ovpn3_client_openvpn_finalize(GObject *object)
{
  Ovpn3ClientOpenvpn *self = OVPN3_CLIENT_OPENVPN(object);

  g_clear_object(&self->cancellable);
  g_clear_object(&self->accept_cancellable);
  g_free(self->dir);
  g_free(self->profile_path);
  g_free(self->mgmt_path);
  G_OBJECT_CLASS(ovpn3_client_openvpn_parent_class)->finalize(object);
}

static void
ovpn3_client_openvpn_class_init(Ovpn3ClientOpenvpnClass *klass)
{
  G_OBJECT_CLASS(klass)->dispose = ovpn3_client_openvpn_dispose;
  G_OBJECT_CLASS(klass)->finalize = ovpn3_client_openvpn_finalize;
  signals[SIGNAL_EVENT] = g_signal_new("event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_OUTPUT] = g_signal_new("output", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_EXITED] = g_signal_new("exited", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ovpn3_client_openvpn_init(Ovpn3ClientOpenvpn *self)
{
  self->cancellable = g_cancellable_new();
  self->accept_cancellable = g_cancellable_new();
  self->wait_status = -1;
}

Ovpn3ClientOpenvpn *
ovpn3_client_openvpn_new(void)
{
  return g_object_new(OVPN3_TYPE_CLIENT_OPENVPN, NULL);
}

const char *
ovpn3_client_openvpn_get_dir(Ovpn3ClientOpenvpn *self)
{
  return self->dir != NULL ? self->dir : "";
}

gboolean
ovpn3_client_openvpn_is_running(Ovpn3ClientOpenvpn *self)
{
  return self->started && !self->exited;
}

Ovpn3MgmtClient *
ovpn3_client_openvpn_get_mgmt(Ovpn3ClientOpenvpn *self)
{
  return self->mgmt != NULL && !ovpn3_mgmt_client_is_closed(self->mgmt) ? self->mgmt : NULL;
}

GStrv
ovpn3_client_openvpn_build_argv(const Ovpn3ClientOpenvpnConfig *cfg, const char *profile_path,
                                const char *mgmt_path, const char *user)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();
  g_autofree char *verb = g_strdup_printf("%u", cfg->verb);

  /* the enforced flags come after --config and the overrides: scalar options keep the
   * last value */
  g_strv_builder_add_many(b, cfg->binary, "--config", profile_path, NULL);
  if (cfg->extra_args != NULL)
    g_strv_builder_addv(b, (const char **) cfg->extra_args);
  if (cfg->query_remote)
    g_strv_builder_add(b, "--management-query-remote");
  g_strv_builder_add_many(
      b, "--client", "--dev", cfg->dev_name, "--dev-type", cfg->tap ? "tap" : "tun", "--management",
      mgmt_path, "unix", "--management-client", "--management-client-user", user,
      "--management-hold", "--management-query-passwords", "--management-up-down", "--auth-retry",
      "interact", "--ifconfig-noexec", "--route-noexec", "--script-security", "0", "--disable-dco",
      "--persist-tun", "--persist-key", "--nobind", "--setenv", "IV_GUI_VER",
      "ovpn3 " OVPN3_VERSION, "--setenv", "IV_SSO", "webauth,openurl,crtext", "--verb", verb, NULL);
  return g_strv_builder_end(b);
}

/* ---- exit ------------------------------------------------------------------- */

static void
maybe_exited(Ovpn3ClientOpenvpn *self)
{
  if (self->exited || !self->child_done || !self->mgmt_done || !self->output_done)
    return;
  self->exited = TRUE;
  g_clear_handle_id(&self->output_timeout_id, g_source_remove);
  g_clear_handle_id(&self->kill_timeout_id, g_source_remove);
  close_listener(self);
  remove_files(self);
  g_signal_emit(self, signals[SIGNAL_EXITED], 0, self->wait_status);
}

static gboolean
on_output_timeout(gpointer user_data)
{
  Ovpn3ClientOpenvpn *self = user_data;

  self->output_timeout_id = 0;
  self->output_done = TRUE;
  maybe_exited(self);
  return G_SOURCE_REMOVE;
}

static void
on_wait(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientOpenvpn) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish(G_SUBPROCESS(source), result, &error))
    {
      if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_warning("waiting for openvpn: %s", error->message);
    }
  self->child_done = TRUE;
  self->wait_status = g_subprocess_get_status(G_SUBPROCESS(source));
  g_debug("openvpn exited (wait status %d)", self->wait_status);
  /* openvpn never connected: nothing more will come on the socket */
  if (self->mgmt == NULL)
    self->mgmt_done = TRUE;
  /* its last words (an option error …) are still in the pipe: read them first */
  if (!self->output_done && self->output_timeout_id == 0)
    self->output_timeout_id = g_timeout_add_seconds(2, on_output_timeout, self);
  maybe_exited(self);
}

/* ---- management connection ---------------------------------------------------- */

static void
on_mgmt_event(Ovpn3MgmtClient *mgmt, Ovpn3MgmtEvent *event, gpointer user_data)
{
  Ovpn3ClientOpenvpn *self = user_data;

  g_signal_emit(self, signals[SIGNAL_EVENT], 0, event);
}

static void
on_mgmt_closed(Ovpn3MgmtClient *mgmt, GError *error, gpointer user_data)
{
  Ovpn3ClientOpenvpn *self = user_data;

  if (error != NULL)
    g_debug("management connection closed: %s", error->message);
  self->mgmt_done = TRUE;
  maybe_exited(self);
}

static void
on_accept(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientOpenvpn) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn = NULL;

  conn = g_socket_listener_accept_finish(G_SOCKET_LISTENER(source), result, NULL, &error);
  if (conn == NULL)
    {
      if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
        g_warning("management accept: %s", error->message);
      return;
    }
  /* one connection only: stop listening and remove the socket file at once */
  close_listener(self);
  if (self->exited || self->child_done)
    return;
  /* openvpn has read its configuration by now (it connects after parsing it): the
   * profile (key material) and the directory go, so nothing is left on disk even
   * if we are killed */
  remove_files(self);
  self->mgmt = ovpn3_mgmt_client_new(G_IO_STREAM(conn));
  g_signal_connect(self->mgmt, "event", G_CALLBACK(on_mgmt_event), self);
  g_signal_connect(self->mgmt, "closed", G_CALLBACK(on_mgmt_closed), self);
  ovpn3_mgmt_client_start(self->mgmt);
}

static gboolean
on_accept_timeout(gpointer user_data)
{
  Ovpn3ClientOpenvpn *self = user_data;

  self->accept_timeout_id = 0;
  if (self->mgmt == NULL && self->process != NULL && !self->child_done)
    {
      g_warning("openvpn did not connect to the management socket within %d s; killing it",
                ACCEPT_TIMEOUT_S);
      g_subprocess_force_exit(self->process);
    }
  return G_SOURCE_REMOVE;
}

/* ---- output ------------------------------------------------------------------- */

static void read_output(Ovpn3ClientOpenvpn *self);

static void
on_output_line(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Ovpn3ClientOpenvpn) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gsize len = 0;

  line = g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), result, &len,
                                                   &error);
  if (line == NULL)
    {
      if (error != NULL && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* invalid UTF-8: skip the line, keep draining */
          if (g_error_matches(error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE))
            {
              read_output(self);
              return;
            }
          g_debug("openvpn output: %s", error->message);
        }
      self->output_done = TRUE;
      maybe_exited(self);
      return;
    }
  if (len > 0 && line[len - 1] == '\r')
    line[len - 1] = '\0';
  g_signal_emit(self, signals[SIGNAL_OUTPUT], 0, line);
  read_output(self);
}

static void
read_output(Ovpn3ClientOpenvpn *self)
{
  if (self->output == NULL || g_cancellable_is_cancelled(self->cancellable))
    return;
  g_data_input_stream_read_line_async(self->output, G_PRIORITY_DEFAULT, self->cancellable,
                                      on_output_line, g_object_ref(self));
}

/* ---- start -------------------------------------------------------------------- */

static void
child_setup(gpointer user_data)
{
  /* openvpn must not outlive us (it also exits when our socket closes) */
  prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
write_profile(const char *path, const char *text, GError **error)
{
  int fd = g_open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  gsize len = strlen(text), done = 0;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot create %s: %s", path,
                  g_strerror(saved));
      return FALSE;
    }
  while (done < len)
    {
      gssize n = write(fd, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;
          g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot write %s: %s", path,
                      g_strerror(saved));
          close(fd);
          return FALSE;
        }
      done += n;
    }
  if (close(fd) != 0)
    {
      int saved = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot write %s: %s", path,
                  g_strerror(saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
ovpn3_client_openvpn_start(Ovpn3ClientOpenvpn *self, const Ovpn3ClientOpenvpnConfig *cfg,
                           GError **error)
{
  g_autofree char *template = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) argv = NULL;
  struct passwd *pw;
  const char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };

  g_return_val_if_fail(!self->started, FALSE);

  pw = getpwuid(geteuid());
  if (pw == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot resolve the user name of uid %u",
                  (guint) geteuid());
      return FALSE;
    }
  sweep_stale_dirs(cfg->runtime_base);
  {
    g_autofree char *leaf = g_strdup_printf("client-%d-XXXXXX", (int) getpid());

    template = g_build_filename(cfg->runtime_base, leaf, NULL);
  }
  if (g_mkdtemp_full(template, 0700) == NULL)
    {
      int saved = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                  "cannot create a private directory under %s: %s", cfg->runtime_base,
                  g_strerror(saved));
      return FALSE;
    }
  self->dir = g_steal_pointer(&template);
  self->started = TRUE;
  self->profile_path = g_build_filename(self->dir, "profile.ovpn", NULL);
  self->mgmt_path = g_build_filename(self->dir, "mgmt", NULL);

  if (!write_profile(self->profile_path, cfg->profile_text, error))
    goto fail;

  self->listener = g_socket_listener_new();
  g_socket_listener_set_backlog(self->listener, 1);
  address = g_unix_socket_address_new(self->mgmt_path);
  if (!g_socket_listener_add_address(self->listener, address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    goto fail;
  g_socket_listener_accept_async(self->listener, self->accept_cancellable, on_accept,
                                 g_object_ref(self));

  argv = ovpn3_client_openvpn_build_argv(cfg, self->profile_path, self->mgmt_path, pw->pw_name);
  launcher
      = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_environ(launcher, (char **) env);
  g_subprocess_launcher_set_cwd(launcher, self->dir);
  g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv(launcher, (const char *const *) argv, error);
  if (self->process == NULL)
    goto fail;

  self->output = g_data_input_stream_new(g_subprocess_get_stdout_pipe(self->process));
  g_data_input_stream_set_newline_type(self->output, G_DATA_STREAM_NEWLINE_TYPE_LF);
  read_output(self);
  g_subprocess_wait_async(self->process, self->cancellable, on_wait, g_object_ref(self));
  self->accept_timeout_id = g_timeout_add_seconds(ACCEPT_TIMEOUT_S, on_accept_timeout, self);
  return TRUE;

fail:
  close_listener(self);
  remove_files(self);
  self->exited = TRUE;
  return FALSE;
}

/* ---- commands ----------------------------------------------------------------- */

static void
on_sent(GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *what = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3MgmtResponse) response = NULL;

  response = ovpn3_mgmt_client_command_finish(OVPN3_MGMT_CLIENT(source), result, &error);
  if (response == NULL && !g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
    g_message("openvpn management command '%s' failed: %s", what, error->message);
}

void
ovpn3_client_openvpn_send(Ovpn3ClientOpenvpn *self, Ovpn3MgmtCommand *cmd)
{
  Ovpn3MgmtClient *mgmt = ovpn3_client_openvpn_get_mgmt(self);

  if (mgmt == NULL)
    {
      g_debug("not sent (no management connection): %s", ovpn3_mgmt_command_describe(cmd));
      ovpn3_mgmt_command_free(cmd);
      return;
    }
  ovpn3_mgmt_client_command_async(mgmt, cmd, 10000, NULL, on_sent,
                                  g_strdup(ovpn3_mgmt_command_describe(cmd)));
}

static gboolean
on_kill_timeout(gpointer user_data)
{
  Ovpn3ClientOpenvpn *self = user_data;

  self->kill_timeout_id = 0;
  if (self->process != NULL && !self->child_done)
    {
      g_message("openvpn did not stop in time; killing it");
      g_subprocess_force_exit(self->process);
    }
  return G_SOURCE_REMOVE;
}

void
ovpn3_client_openvpn_stop(Ovpn3ClientOpenvpn *self, guint timeout_s)
{
  Ovpn3MgmtClient *mgmt = ovpn3_client_openvpn_get_mgmt(self);

  if (self->process == NULL || self->child_done)
    return;
  if (mgmt != NULL)
    {
      g_autoptr(GError) error = NULL;
      Ovpn3MgmtCommand *cmd = ovpn3_mgmt_command_signal("SIGTERM", &error);

      ovpn3_client_openvpn_send(self, cmd);
    }
  else
    g_subprocess_send_signal(self->process, SIGTERM);
  if (self->kill_timeout_id == 0)
    self->kill_timeout_id = g_timeout_add_seconds(MAX(timeout_s, 1), on_kill_timeout, self);
}
