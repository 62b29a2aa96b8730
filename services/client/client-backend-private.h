/* client-backend-private.h — the backend client's state, shared by
 * client-backend.c (the D-Bus object: registration, methods, properties,
 * signals), client-session.c (the session: openvpn events -> D-Bus,
 * docs/architecture.md §5) and client-stats.c (statistics). Not installed, not used elsewhere.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#pragma once

#include "client-backend.h"
#include "client-netcfg.h"
#include "client-openvpn.h"
#include "client-queue.h"
#include "client-stats.h"
#include "ovpn3-engine.h"
#include "ovpn3-mgmt-client.h"
#include "ovpn3-names.h"
#include "ovpn3-profile.h"

G_BEGIN_DECLS

#define T_CRED OVPN3_ATTENTION_TYPE_CREDENTIALS

#define TEXT_NEED_USERPASS "Username/password credentials needed"
#define TEXT_NEED_PK       "Private key passphrase needed to connect"
#define TEXT_NEED_DYNAMIC  "Dynamic Challenge"
#define TEXT_NEED_PROXY    "HTTP proxy credentials"
#define TEXT_NEED_SOCKS    "SOCKS proxy credentials"

#define ERR_NOT_INITIALIZED "Backend service is not initialized"

typedef enum
{
  RUN_IDLE,     /* registered, nothing started */
  RUN_STARTING, /* netcfg device being created */
  RUN_RUNNING,  /* openvpn process exists */
  RUN_DONE,     /* finished; the process exits */
} RunState;

typedef enum
{
  PROMPT_NONE,
  PROMPT_AUTH,
  PROMPT_PK,
  PROMPT_HTTP_PROXY,
  PROMPT_SOCKS_PROXY,
} PromptKind;

struct _Ovpn3ClientBackend
{
  GObject parent_instance;
  Ovpn3ServiceContext *ctx;
  GDBusConnection *connection;
  guint registration_id;
  char *bus_name;
  char *token;
  Ovpn3EngineId engine; /* uid G_MAXUINT32: openvpn as the service user (test switch) */
  char *engine_error;   /* why no engine uid could be had; the registration fails */
  char *sessionmgr;     /* unique name owning net.openvpn.v3.sessions */
  guint sessionmgr_watch;
  guint registration_timeout_id;
  gboolean registered;  /* RegistrationConfirmation accepted the token */
  gboolean initialized; /* the profile was evaluated successfully */

  char *session_path;
  char *config_path;
  char *config_name;
  guint log_level;
  gboolean dco;
  GVariant *overrides; /* a{sv} */
  Ovpn3Profile *profile;
  char *inline_user; /* secrets from an inline <auth-user-pass> */
  char *inline_pass;
  gboolean dns_disabled;
  char *server_override; /* server-override / port-override / proto-override */
  guint port_override;
  char *proto_override; /* "tcp" or "udp" */
  guint remote_skips;   /* consecutive `remote SKIP`s (proto-override) */
  GStrv extra_args;     /* openvpn flags from overrides */
  char *dns_scope;
  char **pull_filters;
  gboolean route_nopull;
  Ovpn3NetRedirect redirect;
  gboolean host_wide; /* the session manager's start-host-wide answer (client-host-wide.c) */
  gboolean host_wide_redirect_noted, host_wide_dns_noted;
  char *host_wide_notice; /* for the next CONN_CONNECTED */

  Ovpn3ClientQueue *queue;

  guint st_major, st_minor;
  char *st_message;
  GVariant *last_log_line;

  /* the session */
  RunState run;
  Ovpn3ClientOpenvpn *ovpn;
  Ovpn3ClientNetcfg *netcfg;
  gboolean in_hold;
  gboolean first_hold_done;
  guint hold_timer_id;
  gboolean connecting_emitted;
  gboolean connected;
  gboolean paused;
  gboolean restart_requested;
  gboolean disconnecting;
  gboolean silent_exit; /* ForceShutdown: CONN_DONE already sent */
  gboolean waiting_input;
  PromptKind pending_prompt;
  gboolean pending_static_challenge;
  char *crv1_state_id; /* dynamic challenge in progress */
  char *crv1_user;
  gboolean web_auth_pending;
  gboolean net_applying;
  gboolean net_applied;
  char *applied_key; /* tunnel addresses applied */
  gboolean connected_deferred;
  char *fatal_message;
  char *last_error_line; /* the last line of openvpn's output that reports an error */
  char *exit_reason;
  gboolean halted;
  gboolean finishing;

  char *conn_proto, *conn_host, *conn_ip;
  guint conn_port;
  char *session_name;

  guint64 bytes_in, bytes_out; /* openvpn's link counters, from >BYTECOUNT */
  Ovpn3ClientLinkStats tun;    /* the device's kernel counters, as last read */
  gint tun_ifindex;            /* the device's index, 0 until the first read */
  gboolean tun_stats_failed;   /* a failed read was logged */
  guint64 n_reconnect, n_pause;
};

/* client-backend.c */
void client_wipe_free(char **s);
void client_log(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
void client_set_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message);
void client_conn_status(Ovpn3ClientBackend *self, guint minor, const char *message);
void client_attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message);
void client_return_error(GDBusMethodInvocation *invocation, GQuark domain, const char *message);

/* client-session.c */
void client_add_user_pass_slots(Ovpn3ClientBackend *self);
void client_add_static_challenge_slot(Ovpn3ClientBackend *self);
void client_require(Ovpn3ClientBackend *self, guint group, const char *text);
void client_on_queue_provided(Ovpn3ClientQueue *queue, guint type, guint group, guint id,
                              gpointer user_data);
void client_method_connect(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
void client_method_pause(Ovpn3ClientBackend *self, GVariant *parameters,
                         GDBusMethodInvocation *invocation);
void client_method_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
void client_method_restart(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
void client_method_ready(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
/* Disconnect (force FALSE) or ForceShutdown (TRUE). */
void client_stop_session(Ovpn3ClientBackend *self, gboolean force);
/* The session is over: remove the device, then exit. */
void client_finish(Ovpn3ClientBackend *self);

/* client-host-wide.c */
/* openvpn's "PUSH: Received control message: 'PUSH_REPLY,…'" line: redirect-gateway, honoured
 * only with host_wide (else logged once). */
void client_host_wide_push_reply(Ovpn3ClientBackend *self, const char *line);
/* Drops pushed DNS of global scope without host_wide (logged once). */
void client_host_wide_filter(Ovpn3ClientBackend *self, Ovpn3NetSettings *settings);
/* StatusChange(2, CONN_CONNECTED) with what was ignored since the last one, if anything. */
void client_status_connected(Ovpn3ClientBackend *self);

/* client-stats.c */
void client_stats_bytecount(Ovpn3ClientBackend *self, guint64 bytes_in, guint64 bytes_out);
/* Asks openvpn for its link counters now (`load-stats`), not at the next
 * >BYTECOUNT: on CONNECTED, so that a front-end reading `statistics` when it
 * sees CONN_CONNECTED finds the handshake's bytes. */
void client_stats_refresh(Ovpn3ClientBackend *self);
/* The last reading of the device's counters, before netcfg removes it. */
void client_stats_final(Ovpn3ClientBackend *self);
/* The `statistics` property; reads the device's counters. */
GVariant *client_statistics_variant(Ovpn3ClientBackend *self);

G_END_DECLS
