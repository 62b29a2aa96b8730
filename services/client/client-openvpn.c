#define G_LOG_DOMAIN "ovpn3-client-openvpn"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "client-openvpn.h"
#include "ovpn3-engine.h"

/* openvpn must connect to our socket within this time. */
#define ACCEPT_TIMEOUT_S 30

struct _Ovpn3ClientOpenvpn
{
  GObject parent_instance;
  char *dir;
  char *mgmt_path;
  guint32 engine_uid; /* G_MAXUINT32: openvpn runs as we do (test switch) */
  GPid pid;
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

/* openvpn under an engine uid cannot be signalled by us (no CAP_KILL, by
 * design): a short-lived child switched to that uid signals every process
 * of it, which also ends anything openvpn left behind. */
static void
signal_openvpn(Ovpn3ClientOpenvpn *self, int sig)
{
  g_autoptr(GError) error = NULL;

  if (self->engine_uid == G_MAXUINT32)
    {
      if (self->process != NULL)
        g_subprocess_send_signal(self->process, sig);
      return;
    }
  if (!ovpn3_engine_signal_all(self->engine_uid, sig, &error))
    g_warning("could not signal openvpn (uid %u): %s", self->engine_uid, error->message);
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
    signal_openvpn(self, SIGKILL);
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
  self->engine_uid = G_MAXUINT32;
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
                                const char *mgmt_path)
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
      mgmt_path, "unix", "--management-client", "--management-hold", "--management-query-passwords",
      "--management-up-down", "--auth-retry", "interact", "--ifconfig-noexec", "--route-noexec",
      "--script-security", "0", "--disable-dco", "--persist-tun", "--persist-key", NULL);
  /* openvpn refuses --nobind together with lport, bind or local; a port >= 1024 can be bound
   * without capabilities (lower ones are refused at NewTunnel) */
  if (!cfg->bind_local)
    g_strv_builder_add(b, "--nobind");
  g_strv_builder_add_many(b, "--setenv", "IV_GUI_VER", "ovpn3 " OVPN3_VERSION, "--setenv", "IV_SSO",
                          "webauth,openurl,crtext", "--verb", verb, NULL);
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
  /* whatever openvpn left behind under its uid goes with it */
  if (self->engine_uid != G_MAXUINT32)
    signal_openvpn(self, SIGKILL);
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

/* SO_PEERCRED: the peer must be the openvpn we started, under its uid. */
static gboolean
peer_is_openvpn(Ovpn3ClientOpenvpn *self, GSocketConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCredentials) creds
      = g_socket_get_credentials(g_socket_connection_get_socket(conn), &error);
  uid_t want_uid = self->engine_uid != G_MAXUINT32 ? self->engine_uid : geteuid();
  uid_t uid;
  pid_t pid;

  if (creds == NULL)
    {
      g_warning("management connection refused: no peer credentials: %s", error->message);
      return FALSE;
    }
  uid = g_credentials_get_unix_user(creds, NULL);
  pid = g_credentials_get_unix_pid(creds, NULL);
  if (uid != want_uid || pid != self->pid)
    {
      g_warning("management connection refused: peer uid %u pid %d is not openvpn (uid %u pid %d)",
                (guint) uid, (int) pid, (guint) want_uid, (int) self->pid);
      return FALSE;
    }
  return TRUE;
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
  if (!peer_is_openvpn(self, conn))
    {
      /* not our openvpn: drop it, keep waiting for the right one */
      g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
      g_socket_listener_accept_async(G_SOCKET_LISTENER(source), self->accept_cancellable, on_accept,
                                     g_object_ref(self));
      return;
    }
  /* one connection only: stop listening and remove the socket file at once */
  close_listener(self);
  if (self->exited || self->child_done)
    return;
  /* the directory goes too, so nothing is left on disk even if we are killed */
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
      signal_openvpn(self, SIGKILL);
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

typedef struct
{
  guint32 engine_uid;
} ChildSetup;

static void
child_setup(gpointer user_data)
{
  const ChildSetup *setup = user_data;

  if (setup->engine_uid == G_MAXUINT32)
    {
      /* (test switch) our uid, but none of our capabilities; openvpn must
       * not outlive us (it also exits when our socket closes) */
      if (ovpn3_engine_drop_privileges(SIGKILL) != 0)
        _exit(126);
      return;
    }
  /* its own uid and gid, no capabilities, NO_NEW_PRIVS; PDEATHSIG after the
   * switch (which resets it) */
  if (ovpn3_engine_become(setup->engine_uid, SIGKILL) != 0)
    _exit(126);
}

/* The sanitised profile as a sealed memfd: no file with key material is
 * ever written, and openvpn (another uid) can re-open /dev/fd/N of it. */
static int
profile_memfd(const char *text, GError **error)
{
  int fd = memfd_create("ovpn3-profile", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  gsize len = strlen(text), done = 0;

  if (fd < 0)
    goto fail;
  while (done < len)
    {
      gssize n = write(fd, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      done += n;
    }
  if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    goto fail;
  return fd;

fail:
  {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved),
                "cannot hand the profile to openvpn: %s", g_strerror(saved));
    return -1;
  }
}

/* The private directory: 0710, group = the engine's gid, so that only that
 * openvpn (and we) can reach the socket in it. The group comes from a child
 * whose fsgid is the engine gid (chown would need CAP_CHOWN). */
static gboolean
make_private_dir(const char *path, guint32 engine_uid, GError **error)
{
  pid_t child;
  int status, err = 0;

  if (engine_uid == G_MAXUINT32)
    {
      if (g_mkdir(path, 0700) == 0)
        return TRUE;
      err = errno;
    }
  else if ((child = fork()) == 0)
    {
      if (syscall(SYS_setfsgid, (gid_t) engine_uid) < 0 || mkdir(path, 0710) != 0)
        _exit(MIN(errno, 255));
      _exit(0);
    }
  else if (child < 0)
    err = errno;
  else
    {
      while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
      err = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
      if (err == 0 && chmod(path, 0710) != 0) /* in case of a strict umask */
        err = errno;
      if (err == 0)
        return TRUE;
    }
  g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot create %s: %s", path,
              g_strerror(err));
  return FALSE;
}

gboolean
ovpn3_client_openvpn_start(Ovpn3ClientOpenvpn *self, const Ovpn3ClientOpenvpnConfig *cfg,
                           GError **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_auto(GStrv) argv = NULL;
  const char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
  ChildSetup *setup;
  int memfd;

  g_return_val_if_fail(!self->started, FALSE);

  self->engine_uid = cfg->engine_uid;
  sweep_stale_dirs(cfg->runtime_base);
  for (guint tries = 0; self->dir == NULL; tries++)
    {
      g_autofree char *leaf = g_strdup_printf("client-%d-%08x", (int) getpid(), g_random_int());
      g_autofree char *path = g_build_filename(cfg->runtime_base, leaf, NULL);
      g_autoptr(GError) local = NULL;

      if (make_private_dir(path, self->engine_uid, &local))
        self->dir = g_steal_pointer(&path);
      else if (!g_error_matches(local, G_IO_ERROR, G_IO_ERROR_EXISTS) || tries > 8)
        {
          g_propagate_prefixed_error(
              error, g_steal_pointer(&local),
              "cannot create a private directory under %s: ", cfg->runtime_base);
          return FALSE;
        }
    }
  self->started = TRUE;
  self->mgmt_path = g_build_filename(self->dir, "mgmt", NULL);

  self->listener = g_socket_listener_new();
  g_socket_listener_set_backlog(self->listener, 1);
  address = g_unix_socket_address_new(self->mgmt_path);
  if (!g_socket_listener_add_address(self->listener, address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    goto fail;
  /* connecting needs write permission; the 0710 directory decides who */
  if (self->engine_uid != G_MAXUINT32 && chmod(self->mgmt_path, 0666) != 0)
    {
      int saved = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(saved), "cannot chmod %s: %s",
                  self->mgmt_path, g_strerror(saved));
      goto fail;
    }
  g_socket_listener_accept_async(self->listener, self->accept_cancellable, on_accept,
                                 g_object_ref(self));

  memfd = profile_memfd(cfg->profile_text, error);
  if (memfd < 0)
    goto fail;
  argv = ovpn3_client_openvpn_build_argv(cfg, "/dev/fd/3", self->mgmt_path);
  launcher
      = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_environ(launcher, (char **) env);
  g_subprocess_launcher_set_cwd(launcher, "/");
  g_subprocess_launcher_take_fd(launcher, memfd, 3);
  setup = g_new0(ChildSetup, 1);
  setup->engine_uid = self->engine_uid;
  g_subprocess_launcher_set_child_setup(launcher, child_setup, setup, g_free);
  self->process = g_subprocess_launcher_spawnv(launcher, (const char *const *) argv, error);
  if (self->process == NULL)
    goto fail;
  self->pid = (GPid) g_ascii_strtoll(g_subprocess_get_identifier(self->process), NULL, 10);

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

  /* callers check what a constructor returned (client_send()); NULL is a bug */
  g_return_if_fail(cmd != NULL);
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
      signal_openvpn(self, SIGKILL);
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
    ovpn3_client_openvpn_send(self, ovpn3_mgmt_command_signal(OVPN3_MGMT_SIGTERM));
  else
    signal_openvpn(self, SIGTERM);
  if (self->kill_timeout_id == 0)
    self->kill_timeout_id = g_timeout_add_seconds(MAX(timeout_s, 1), on_kill_timeout, self);
}
