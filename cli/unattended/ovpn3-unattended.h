/* ovpn3-unattended.h — ovpn3-session-unattended: one profile, started by name with nobody at
 * the keyboard (the helper behind ovpn3-session@.service; its man page is
 * ovpn3-session@.service(8))
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-cli.h"

G_BEGIN_DECLS

/* Exit statuses.  The unit lists the last two in RestartPreventExitStatus=: restarting cannot
 * help, and must not try a wrong password against the server again and again. */
typedef enum
{
  OVPN3_UNATTENDED_EXIT_OK = 0,      /* stopped (SIGTERM, SIGINT): disconnected and gone */
  OVPN3_UNATTENDED_EXIT_FAILED = 1,  /* could not start, or the session ended by itself */
  OVPN3_UNATTENDED_EXIT_USAGE = 2,   /* bad command line */
  OVPN3_UNATTENDED_EXIT_AUTH = 77,   /* the server refused the credentials */
  OVPN3_UNATTENDED_EXIT_CONFIG = 78, /* cannot work as set up: no such profile (or several),
                                      * not allowed, or input nobody can give (a challenge, a
                                      * web login, a credential with no file) */
} Ovpn3UnattendedExit;

/* Errors of the helper; the code is the exit status. */
#define OVPN3_UNATTENDED_ERROR (ovpn3_unattended_error_quark())
GQuark ovpn3_unattended_error_quark(void);

/* Slots answered from a credential file of the same name (docs/dbus-api.md §6). */
gboolean ovpn3_unattended_slot_answerable(const char *slot);

/* The credential @name from $CREDENTIALS_DIRECTORY (systemd's LoadCredential= and
 * LoadCredentialEncrypted=): one line of UTF-8 text, a final newline dropped.  The file must be
 * a regular file of the caller (or root) that others cannot read.  NULL + error (which never
 * quotes the content) when it is absent or unusable.  Free with ovpn3_unattended_wipe_free(). */
char *ovpn3_unattended_credential(const char *name, GError **error);
void ovpn3_unattended_wipe_free(char *secret);

typedef struct
{
  Ovpn3Cli cli;
  const char *profile; /* the profile's name */
  char *config_path;
  char *session_path;
  GMainLoop *loop;
  GHashTable *answered; /* slot names answered from files (a second request = refused) */
  guint32 major, minor; /* the last status seen */
  char *message;
  gboolean ready;        /* READY=1 sent */
  gboolean stopping;     /* SIGTERM/SIGINT: disconnecting */
  gboolean stop_asked;   /* a signal came before the main loop ran */
  gboolean session_gone; /* SESS_DESTROYED or the object vanished */
  gboolean finished;     /* the outcome is known: the main loop quits */
  int exit_code;         /* the outcome, once the loop quits */
  guint watch_ids[2];    /* signal subscriptions */
  guint source_ids[4];   /* unix signals, the status poll, the stop deadline */
} Ovpn3Unattended;

int ovpn3_unattended_main(int argc, char **argv);
/* SIGTERM / SIGINT (a g_unix_signal_add() callback): disconnect and wait for the end. */
gboolean ovpn3_unattended_on_signal(gpointer user_data);

/* Ready, answering the user-input queue from the credential files in between, until the
 * session may Connect.  Returns the exit status (OK: ready). */
int ovpn3_unattended_prepare(Ovpn3Unattended *u);
/* Answer every pending slot from the credential files.  *asked = how many. */
int ovpn3_unattended_answer_queue(Ovpn3Unattended *u, guint *asked);

/* Connect and follow the session until it ends or the helper is stopped; the exit status. */
int ovpn3_unattended_follow(Ovpn3Unattended *u);
/* STATUS=… to systemd (control characters and length made safe) and a line on stdout. */
void ovpn3_unattended_status(const char *format, ...) G_GNUC_PRINTF(1, 2);
/* An error line on stderr and STATUS=; returns @code. */
int ovpn3_unattended_fail(int code, const char *format, ...) G_GNUC_PRINTF(2, 3);
/* @text on one line: control characters become spaces, at most 300 bytes (for STATUS= and the
 * journal; parts of it come from the bus). */
char *ovpn3_unattended_clean(const char *text);
/* A failed D-Bus call: "<what>: <reason>" as ovpn3_unattended_fail(); the exit status (CONFIG
 * when access was denied, else FAILED). */
int ovpn3_unattended_bus_fail(const GError *error, const char *what);
/* Disconnect the session, ignoring errors (it may be gone already). */
void ovpn3_unattended_disconnect(Ovpn3Unattended *u);

G_END_DECLS
