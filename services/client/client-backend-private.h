/* client-backend-private.h — the backend client's data, shared by the files
 * of services/client/ (the dependency order is drawn in README.md): the
 * session's state (one Ovpn3ClientState, changed only by client_set_state()),
 * the facts that are orthogonal to it, and the outputs the state machine
 * drives (Ovpn3ClientOutputs: the D-Bus object's in the service, a recorder
 * in tests/client/test-client-machine.c). Data and prototypes only; not
 * installed, not used outside the client.
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

/* The session, as the client sees it (docs/architecture.md §2, §5). */
typedef enum
{
  OVPN3_CLIENT_STATE_IDLE,          /* not connected; device and openvpn prepared (held) */
  OVPN3_CLIENT_STATE_STARTING,      /* Connect came while netcfg creates the device */
  OVPN3_CLIENT_STATE_CONNECTING,    /* openvpn runs and works towards a connection */
  OVPN3_CLIENT_STATE_WAITING_INPUT, /* openvpn or the server waits for the user's input */
  OVPN3_CLIENT_STATE_CONNECTED,     /* openvpn reported CONNECTED */
  OVPN3_CLIENT_STATE_RESTARTING,    /* Restart: SIGUSR1 sent, the next hold is released at once */
  OVPN3_CLIENT_STATE_PAUSED,        /* Pause: openvpn is brought to its hold and kept there */
  OVPN3_CLIENT_STATE_DISCONNECTING, /* Disconnect/ForceShutdown: waiting for openvpn or netcfg */
  OVPN3_CLIENT_STATE_DONE,          /* finished: the device is removed, the process exits */
} Ovpn3ClientState;

/* The device and openvpn, made ready before Connect (client-run.c). */
typedef enum
{
  OVPN3_CLIENT_PREPARED_NONE,     /* nothing yet */
  OVPN3_CLIENT_PREPARED_CREATING, /* netcfg creates the device */
  OVPN3_CLIENT_PREPARED_FAILED,   /* it could not: made again at Connect */
  OVPN3_CLIENT_PREPARED_DEVICE,   /* the device; openvpn did not start or ended: again at Connect */
  OVPN3_CLIENT_PREPARED_OPENVPN,  /* openvpn runs (in its first hold until Connect) */
} Ovpn3ClientPrepared;

typedef enum
{
  PROMPT_NONE,
  PROMPT_AUTH,
  PROMPT_PK,
  PROMPT_HTTP_PROXY,
  PROMPT_SOCKS_PROXY,
} PromptKind;

/* What the state machine does to the world. All are called on the main loop. */
typedef struct
{
  /* a state change (after it was logged); may be NULL */
  void (*state_changed)(Ovpn3ClientBackend *self, Ovpn3ClientState from, Ovpn3ClientState to,
                        const char *reason);
  /* a log line that passed the log level */
  void (*log)(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *message);
  /* StatusChange (the status property is already updated) */
  void (*status)(Ovpn3ClientBackend *self, guint major, guint minor, const char *message);
  /* AttentionRequired */
  void (*attention)(Ovpn3ClientBackend *self, guint type, guint group, const char *message);
  /* a command to openvpn (transfer full; never NULL) */
  void (*send)(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd);
  /* asks openvpn to exit: SIGTERM, SIGKILL after timeout_s */
  void (*stop)(Ovpn3ClientBackend *self, guint timeout_s);
  /* hands the settings to netcfg; the answer comes in client_network_applied() */
  void (*apply_network)(Ovpn3ClientBackend *self, const Ovpn3NetSettings *settings);
  /* the session is over: removes the device (if remove_device), then ends the process */
  void (*finish)(Ovpn3ClientBackend *self, gboolean remove_device);
} Ovpn3ClientOutputs;

struct _Ovpn3ClientBackend
{
  GObject parent_instance;
  const Ovpn3ClientOutputs *out;
  Ovpn3ServiceContext *ctx;
  GDBusConnection *connection;
  guint registration_id;
  char *bus_name;
  char *token;
  Ovpn3EngineId engine; /* uid G_MAXUINT32: openvpn as the service user (test switch) */
  char *engine_error;   /* why no engine uid could be had; the registration fails */
  char *sessionmgr;     /* unique name owning net.openvpn.v3.sessions */
  guint sessionmgr_watch;
  /* the session manager died (sessionmgr NULL): the session waits to be taken back */
  gboolean orphaned;
  guint readopt_timeout_id;
  guint log_watch; /* net.openvpn.v3.log, once registered (client-registration.c) */
  char *log_owner; /* its last owner seen */
  guint registration_timeout_id;
  gboolean registered;  /* RegistrationConfirmation accepted the token */
  gboolean initialized; /* the profile was evaluated successfully */

  /* the profile and the overrides (client-registration.c) */
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
  gboolean auth_fail_retry; /* the auth-fail-retry override (default on) */
  gboolean host_wide;       /* the session manager's start-host-wide answer (client-host-wide.c) */
  gboolean host_wide_redirect_noted, host_wide_dns_noted;
  char *host_wide_notice; /* for the next CONN_CONNECTED */

  /* more overrides (client-overrides.c) */
  gboolean ipv6_off;           /* ipv6 no */
  gboolean legacy_algorithms;  /* enable-legacy-algorithms */
  gboolean http_proxy;         /* proxy-host: --http-proxy, over TCP */
  gboolean proxy_creds_failed; /* the proxy refused proxy-username/-password: ask the user */

  Ovpn3ClientQueue *queue;

  guint st_major, st_minor;
  char *st_message;
  GVariant *last_log_line;

  /* the session */
  Ovpn3ClientState state;
  Ovpn3ClientState paused_from; /* the state Resume goes back to */
  Ovpn3ClientOpenvpn *ovpn;
  Ovpn3ClientNetcfg *netcfg;
  Ovpn3ClientPrepared prepared; /* what client_run_prestart() has made ready for Connect */
  gboolean mgmt_ready;          /* the first hold set up the notifications */
  gboolean in_hold;             /* openvpn waits in its hold */
  guint hold_timer_id;          /* the back-off openvpn asked for */
  gboolean connecting_emitted;  /* CONN_CONNECTING said for this attempt */
  gboolean force_stop;          /* ForceShutdown: CONN_DONE already sent */
  PromptKind pending_prompt;    /* openvpn's >PASSWORD prompt not answered yet */
  gboolean pending_static_challenge;
  guint auth_retry_timer_id; /* the wait for new credentials after a failed login */
  char *crv1_state_id;       /* dynamic challenge in progress */
  char *crv1_user;
  gboolean web_auth_pending; /* a web login URL was passed on (Ready says so) */
  gboolean net_applying;     /* netcfg is applying >UPDOWN:UP's settings */
  char *applied_key;         /* tunnel addresses applied */
  char *fatal_message;
  char *last_error_line; /* the last line of openvpn's output that reports an error */
  char *exit_reason;
  gboolean halted; /* the server pushed a halt or remote-exit */

  char *conn_proto, *conn_host, *conn_ip;
  guint conn_port;
  char *session_name;

  guint64 bytes_in, bytes_out; /* openvpn's link counters, from >BYTECOUNT */
  Ovpn3ClientLinkStats tun;    /* the device's kernel counters, as last read */
  gint tun_ifindex;            /* the device's index, 0 until the first read */
  gboolean tun_stats_failed;   /* a failed read was logged */
  guint64 n_reconnect, n_pause;
};

/* client-machine.c: the state and the outputs */
const char *client_state_name(Ovpn3ClientState state);
/* The one place the state changes: logs "from -> to (reason)" once per change. */
void client_set_state(Ovpn3ClientBackend *self, Ovpn3ClientState to, const char *reason);
/* openvpn runs and the session is not being stopped. */
gboolean client_state_active(Ovpn3ClientBackend *self);
/* openvpn was started and the session has not finished. */
gboolean client_state_has_openvpn(Ovpn3ClientBackend *self);
void client_wipe_free(char **s);
void client_log(Ovpn3ClientBackend *self, Ovpn3LogCategory category, const char *format, ...)
    G_GNUC_PRINTF(3, 4);
void client_set_status(Ovpn3ClientBackend *self, guint major, guint minor, const char *message);
void client_conn_status(Ovpn3ClientBackend *self, guint minor, const char *message);
void client_attention(Ovpn3ClientBackend *self, guint type, guint group, const char *message);
/* Sends cmd (transfer full); NULL is a bug of the caller, refused with a critical. */
void client_send(Ovpn3ClientBackend *self, Ovpn3MgmtCommand *cmd);
/* Ends openvpn with message as the session's failure. */
void client_fail(Ovpn3ClientBackend *self, const char *message);

/* client-credentials.c: the user-input queue and openvpn's prompts */
void client_add_user_pass_slots(Ovpn3ClientBackend *self);
void client_add_static_challenge_slot(Ovpn3ClientBackend *self);
void client_require(Ovpn3ClientBackend *self, guint group, const char *text);
void client_on_queue_provided(Ovpn3ClientQueue *queue, guint type, guint group, guint id,
                              gpointer user_data);
/* Answers the pending prompt from the queue; FALSE (and slots + attention) when
 * something is missing: the session then waits for input. */
gboolean client_answer_prompt(Ovpn3ClientBackend *self);
/* WAITING_INPUT (or, while paused, after Resume). */
void client_wait_for_input(Ovpn3ClientBackend *self, const char *reason);
void client_on_password(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event);

/* client-network.c: >UPDOWN to netcfg */
void client_network_updown(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event);
/* netcfg's answer to Ovpn3ClientOutputs.apply_network (error NULL: applied). */
void client_network_applied(Ovpn3ClientBackend *self, const GError *error);

/* client-events.c: management events -> state, signals and commands (docs/architecture.md §5) */
void client_events_dispatch(Ovpn3ClientBackend *self, Ovpn3MgmtEvent *event);
void client_hold_release(Ovpn3ClientBackend *self);
/* The back-off openvpn asked for is over (its timer; tests call it). */
void client_hold_expired(Ovpn3ClientBackend *self);
/* StatusChange for openvpn's exit. */
void client_events_exited(Ovpn3ClientBackend *self, gint wait_status);

/* client-run.c: the netcfg device and the openvpn process */
/* After the registration: creates the device and starts openvpn, held at its first hold. */
void client_run_prestart(Ovpn3ClientBackend *self);
/* Connect in IDLE: releases the prepared openvpn's hold, or makes what is not ready (again). */
void client_run_start(Ovpn3ClientBackend *self);
/* Disconnect in IDLE: stops what is being prepared; TRUE: the end comes when it stopped. */
gboolean client_run_stop_prepared(Ovpn3ClientBackend *self);
/* The session is over: remove the device, then exit. */
void client_finish(Ovpn3ClientBackend *self);

/* client-registration.c: a RegistrationConfirmation from a restarted session manager taking
 * this session back (self->orphaned; client-backend.c) */
void client_registration_readopted(Ovpn3ClientBackend *self, const char *token,
                                   const char *session_path, const char *config_path,
                                   GDBusMethodInvocation *invocation);

/* client-control.c: what the session manager asks (the methods' checks are here) */
/* Connect without the checks: starts, or goes on after input or a hold. */
void client_session_connect(Ovpn3ClientBackend *self);
void client_method_connect(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
/* Pause and Resume without the checks; invocation (NULL in tests) is answered
 * where upstream answers: after CONN_PAUSING / CONN_RESUMING, before the rest. */
void client_session_pause(Ovpn3ClientBackend *self, const char *reason,
                          GDBusMethodInvocation *invocation);
void client_session_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
void client_method_pause(Ovpn3ClientBackend *self, GVariant *parameters,
                         GDBusMethodInvocation *invocation);
void client_method_resume(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
/* Restart without the checks (SIGUSR1, or the hold released). */
void client_session_restart(Ovpn3ClientBackend *self);
void client_method_restart(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
void client_method_ready(Ovpn3ClientBackend *self, GDBusMethodInvocation *invocation);
/* Disconnect (force FALSE) or ForceShutdown (TRUE). */
void client_stop_session(Ovpn3ClientBackend *self, gboolean force);
/* The session ends after a failed login: CONN_AUTH_FAILED, said before, stays its last status. */
void client_end_after_auth_failure(Ovpn3ClientBackend *self);

/* client-overrides.c: the profile's overrides (docs/dbus-api.md §9.2) */
/* Reads self->overrides into the session's settings and extra_args; FALSE (error says which and
 * why) if one cannot be applied: the registration fails. */
gboolean client_overrides_apply(Ovpn3ClientBackend *self, GError **error);
/* A string override's value, NULL if unset. */
const char *client_override_string(Ovpn3ClientBackend *self, const char *key);
/* `ipv6 no`: drops IPv6 addresses, routes, DNS servers and the IPv6 reroute from settings. */
void client_overrides_filter_network(Ovpn3ClientBackend *self, Ovpn3NetSettings *settings);

/* client-registration.c: RegistrationConfirmation -> the profile (one GTask chain) */
void client_registration_confirm(Ovpn3ClientBackend *self, GVariant *parameters,
                                 GDBusMethodInvocation *invocation);

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
