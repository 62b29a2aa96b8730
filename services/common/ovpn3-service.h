/* ovpn3-service.h — the life of a service process, so main() stays tiny:
 * options (--idle-exit, --log-stderr, --state-dir, --version), the system
 * bus, objects exported BEFORE the name is owned, SIGTERM/SIGINT, idle
 * exit, and a non-zero exit if the name cannot be owned. Every service is
 * non-dumpable (no core file, no /proc/PID/mem for other processes of our
 * uid: docs/security.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-credentials.h"
#include "ovpn3-exported.h"
#include "ovpn3-idle.h"
#include "ovpn3-log-client.h"

G_BEGIN_DECLS

typedef struct
{
  GDBusConnection *connection;
  Ovpn3Credentials *credentials;
  Ovpn3Idle *idle;
  Ovpn3Exporter *exporter;
  Ovpn3LogClient *log; /* NULL in the log service itself */
  char *state_dir;     /* NULL unless --state-dir / OVPN3_STATE_DIR / STATE_DIRECTORY */
  gboolean log_stderr;
  guint log_level; /* --log-level, 0–6 (default 3) */
  GMainLoop *loop;
} Ovpn3ServiceContext;

typedef struct
{
  const char *bus_name;
  const char *summary;
  Ovpn3LogGroup log_group;
  const char *interface;   /* for the log client */
  const char *path;        /* manager path */
  guint default_idle_exit; /* seconds, 0 = never */
  gboolean attach_log;     /* attach to the log service */
  /* attach before owning the name (a service that needs it at once, as the
   * backend client for AssignSession); else after the first reply */
  gboolean attach_log_at_start;
  /* Create and export the objects; return the service's state. */
  gpointer (*start)(Ovpn3ServiceContext *ctx, GError **error);
  /* Called after the name was acquired. Optional. */
  void (*name_acquired)(gpointer service);
  void (*stop)(gpointer service);
  const GOptionEntry *extra_options; /* optional */
  /* Optional: run first, before options are parsed (e.g. the engine
   * syscall filter of ovpn3-seccomp.h in the processes that may switch to
   * an engine uid); FALSE ends the process with the error. */
  gboolean (*early_setup)(GError **error);
  /* Optional: who answers the ADMIN bit of the access tables
   * (&ovpn3_polkit_admin_check); NULL: ADMIN admits nobody. */
  const Ovpn3AdminCheck *admin_check;
} Ovpn3ServiceDesc;

int ovpn3_service_run(const Ovpn3ServiceDesc *desc, int argc, char **argv);

/* Asks the main loop to quit (e.g. fatal condition). */
void ovpn3_service_quit(Ovpn3ServiceContext *ctx);

G_END_DECLS
