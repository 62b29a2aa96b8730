/* OpenVPN 2.6 management interface: asynchronous GIO client.
 *
 * Wraps a connected GIOStream (unix socket, or the connection openvpn made to
 * us under --management-client). Reads all the time (openvpn blocks when its
 * output is not drained), splits lines, emits "event" for every notification
 * and runs commands one at a time in FIFO order, matching each response by the
 * command's Ovpn3MgmtResponseShape. Notifications between responses are
 * delivered as events, never taken for a response.
 *
 * Once started, the client keeps itself alive (its pending read holds a
 * reference) until the connection closes: call ovpn3_mgmt_client_close()
 * before dropping the last reference.
 */
#pragma once

#include <gio/gio.h>

#include "ovpn3-mgmt-command.h"
#include "ovpn3-mgmt-event.h"

G_BEGIN_DECLS

#define OVPN3_TYPE_MGMT_CLIENT (ovpn3_mgmt_client_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3MgmtClient, ovpn3_mgmt_client, OVPN3, MGMT_CLIENT, GObject)

/* A successful answer. */
typedef struct
{
  gchar *status; /* text after "SUCCESS: " (NULL for NONE/MULTI shapes) */
  GStrv lines;   /* body lines of a MULTI answer without END (empty otherwise) */
} Ovpn3MgmtResponse;

void ovpn3_mgmt_response_free(Ovpn3MgmtResponse *response);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3MgmtResponse, ovpn3_mgmt_response_free)

/* Takes a ref on stream. Connect to the signals, then call _start().
 * Signals:
 *   "event"  (Ovpn3MgmtEvent *event): every notification, in order; the event
 *            is valid during the emission (ovpn3_mgmt_event_ref() to keep it).
 *            Handlers may queue commands or close the client.
 *   "closed" (GError *error): EOF (error NULL) or a read/write error; emitted
 *            once, after all pending commands have failed with G_IO_ERROR_CLOSED. */
Ovpn3MgmtClient *ovpn3_mgmt_client_new(GIOStream *stream);
void ovpn3_mgmt_client_start(Ovpn3MgmtClient *self);

/* Connects to `openvpn --management <path> unix`. */
void ovpn3_mgmt_client_connect_unix_async(const char *path, GCancellable *cancellable,
                                          GAsyncReadyCallback callback, gpointer user_data);
Ovpn3MgmtClient *ovpn3_mgmt_client_connect_unix_finish(GAsyncResult *result, GError **error);

/* --management-client: openvpn connects to us. Accepts the next connection on
 * listener (which the caller set up, e.g. on a unix path in a private
 * directory, before spawning openvpn) and wraps it. */
void ovpn3_mgmt_client_accept_async(GSocketListener *listener, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
Ovpn3MgmtClient *ovpn3_mgmt_client_accept_finish(GAsyncResult *result, GError **error);

/* Queues cmd (transfer full). timeout_ms = 0: no timeout. On timeout or
 * cancellation after the write the command fails with G_IO_ERROR_TIMED_OUT /
 * G_IO_ERROR_CANCELLED but stays at the head of the queue until openvpn's
 * answer arrives, so a late answer is never given to the next command.
 * Errors: OVPN3_MGMT_ERROR_COMMAND_FAILED (openvpn's "ERROR:" text),
 * OVPN3_MGMT_ERROR_PASSWORD_REJECTED, G_IO_ERROR_CLOSED. */
void ovpn3_mgmt_client_command_async(Ovpn3MgmtClient *self, Ovpn3MgmtCommand *cmd, guint timeout_ms,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
Ovpn3MgmtResponse *ovpn3_mgmt_client_command_finish(Ovpn3MgmtClient *self, GAsyncResult *result,
                                                    GError **error);

/* Closes the stream; pending commands fail with G_IO_ERROR_CLOSED. */
void ovpn3_mgmt_client_close(Ovpn3MgmtClient *self);
gboolean ovpn3_mgmt_client_is_closed(Ovpn3MgmtClient *self);
/* Commands queued or awaiting an answer (including abandoned ones). */
guint ovpn3_mgmt_client_get_queue_length(Ovpn3MgmtClient *self);

G_END_DECLS
