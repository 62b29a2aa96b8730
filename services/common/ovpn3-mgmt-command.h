/* OpenVPN 2.6 management interface: safe command builder.
 *
 * Every argument is double-quoted with `\` and `"` escaped. Control
 * characters, invalid UTF-8, tokens over OVPN3_MGMT_MAX_TOKEN bytes and lines
 * over OVPN3_MGMT_MAX_COMMAND_LINE bytes are refused when the command is built,
 * so nothing is ever written for them (openvpn would run the tail of an
 * overflowing line as a second command). Commands built from secrets are
 * flagged and wiped after the write and on free.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* openvpn's lexer refuses a token of more than 256 characters. */
#define OVPN3_MGMT_MAX_TOKEN 256
/* openvpn's input buffer holds 1024 bytes including the '\n'. */
#define OVPN3_MGMT_MAX_COMMAND_LINE 1023

#define OVPN3_MGMT_ERROR (ovpn3_mgmt_error_quark())
GQuark ovpn3_mgmt_error_quark(void);

typedef enum
{
  OVPN3_MGMT_ERROR_INVALID_ARGUMENT, /* refused by the builder: nothing was sent */
  OVPN3_MGMT_ERROR_COMMAND_FAILED,   /* openvpn answered "ERROR: …" (message = its text) */
  OVPN3_MGMT_ERROR_PROTOCOL,         /* unexpected answer */
  OVPN3_MGMT_ERROR_PASSWORD_REJECTED /* pw-file login: the prompt came again */
} Ovpn3MgmtError;

/* How openvpn answers a command (docs/openvpn-management.md §3, §6 item 3). */
typedef enum
{
  OVPN3_MGMT_RESPONSE_NONE,          /* version N, exit, quit: nothing at all */
  OVPN3_MGMT_RESPONSE_SINGLE,        /* one SUCCESS: or ERROR: line */
  OVPN3_MGMT_RESPONSE_MULTI,         /* lines up to END (or a lone ERROR:) */
  OVPN3_MGMT_RESPONSE_SUCCESS_MULTI, /* SUCCESS: then lines up to END (state|log|echo on all) */
  OVPN3_MGMT_RESPONSE_PKCS11,        /* one '>PKCS11ID-…' line (or ERROR:) */
  OVPN3_MGMT_RESPONSE_PW_LOGIN,      /* pw-file password: SUCCESS:, or the prompt again */
} Ovpn3MgmtResponseShape;

typedef struct _Ovpn3MgmtCommand Ovpn3MgmtCommand;

/* Builds "<verb> "<arg1>" "<arg2>" …\n". verb is a fixed keyword ([a-z0-9-]+).
 * secret: the arguments are credentials (wiped after write; never logged). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_new(Ovpn3MgmtResponseShape shape, gboolean secret,
                                         GError **error, const char *verb,
                                         ...) G_GNUC_NULL_TERMINATED;
Ovpn3MgmtCommand *ovpn3_mgmt_command_newv(Ovpn3MgmtResponseShape shape, gboolean secret,
                                          const char *verb, const char *const *args,
                                          GError **error);
void ovpn3_mgmt_command_free(Ovpn3MgmtCommand *cmd);
/* The full line including the trailing '\n'. */
const char *ovpn3_mgmt_command_get_line(const Ovpn3MgmtCommand *cmd);
gsize ovpn3_mgmt_command_get_length(const Ovpn3MgmtCommand *cmd);
Ovpn3MgmtResponseShape ovpn3_mgmt_command_get_shape(const Ovpn3MgmtCommand *cmd);
gboolean ovpn3_mgmt_command_is_secret(const Ovpn3MgmtCommand *cmd);
/* A loggable description: the verb, plus the arguments unless secret. */
const char *ovpn3_mgmt_command_describe(const Ovpn3MgmtCommand *cmd);
/* Overwrites the line with zeros (done by the client after the write). */
void ovpn3_mgmt_command_wipe(Ovpn3MgmtCommand *cmd);

/* Appends "value" quoted and escaped; FALSE + error if value cannot be sent. */
gboolean ovpn3_mgmt_quote_append(GString *out, const char *value, GError **error);

/* ---- Helpers --------------------------------------------------------------- */

/* username "<type>" "<user>"; password "<type>" "<pw>" (both secret). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_username(const char *type, const char *username,
                                              GError **error);
Ovpn3MgmtCommand *ovpn3_mgmt_command_password(const char *type, const char *password,
                                              GError **error);
/* password "<type>" "SCRV1:<b64 password>:<b64 response>" (static challenge). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_static_challenge(const char *type, const char *password,
                                                      const char *response, GError **error);
/* password "Auth" "CRV1::<state_id>::<response>" (dynamic challenge). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_crv1_response(const char *state_id, const char *response,
                                                   GError **error);
/* cr-response "<b64 response>" (answers >INFOMSG:CR_TEXT). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_cr_response(const char *response, GError **error);

typedef enum
{
  OVPN3_MGMT_HOLD_QUERY,   /* hold */
  OVPN3_MGMT_HOLD_ON,      /* hold on */
  OVPN3_MGMT_HOLD_OFF,     /* hold off */
  OVPN3_MGMT_HOLD_RELEASE, /* hold release */
} Ovpn3MgmtHoldAction;
Ovpn3MgmtCommand *ovpn3_mgmt_command_hold(Ovpn3MgmtHoldAction action);

/* signal SIGHUP|SIGTERM|SIGUSR1|SIGUSR2|SIGINT: constant commands, they cannot fail. */
typedef enum
{
  OVPN3_MGMT_SIGHUP,
  OVPN3_MGMT_SIGTERM,
  OVPN3_MGMT_SIGUSR1,
  OVPN3_MGMT_SIGUSR2,
  OVPN3_MGMT_SIGINT,
} Ovpn3MgmtSignal;
Ovpn3MgmtCommand *ovpn3_mgmt_command_signal(Ovpn3MgmtSignal sig);
/* "SIGTERM" -> OVPN3_MGMT_SIGTERM; FALSE for any other name (exact case). */
gboolean ovpn3_mgmt_signal_from_name(const char *name, Ovpn3MgmtSignal *sig);

/* state|log|echo on, off, all, "on all": constant commands, they cannot fail.
 * The response shape follows the mode (on/off single, all multi, on all
 * success + multi). */
typedef enum
{
  OVPN3_MGMT_REALTIME_ON,
  OVPN3_MGMT_REALTIME_OFF,
  OVPN3_MGMT_REALTIME_ALL,
  OVPN3_MGMT_REALTIME_ON_ALL,
} Ovpn3MgmtRealtime;
typedef enum
{
  OVPN3_MGMT_STREAM_STATE,
  OVPN3_MGMT_STREAM_LOG,
  OVPN3_MGMT_STREAM_ECHO,
} Ovpn3MgmtStream;
Ovpn3MgmtCommand *ovpn3_mgmt_command_realtime(Ovpn3MgmtStream stream, Ovpn3MgmtRealtime mode);
Ovpn3MgmtCommand *ovpn3_mgmt_command_state(Ovpn3MgmtRealtime mode);
Ovpn3MgmtCommand *ovpn3_mgmt_command_log(Ovpn3MgmtRealtime mode);
Ovpn3MgmtCommand *ovpn3_mgmt_command_echo(Ovpn3MgmtRealtime mode);
/* "<verb> <n>": the last n lines of the history (multi-line). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_history(Ovpn3MgmtStream stream, guint n);
/* "state" alone: the current state (multi-line). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_state_query(void);
/* "on", "off", "all", "on all" -> the mode; FALSE for anything else. */
gboolean ovpn3_mgmt_realtime_from_name(const char *name, Ovpn3MgmtRealtime *mode);
Ovpn3MgmtCommand *ovpn3_mgmt_command_bytecount(guint interval);
/* status (multi-line; parse the lines with ovpn3_mgmt_parse_status()). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_status(void);
Ovpn3MgmtCommand *ovpn3_mgmt_command_needok(const char *type, gboolean ok, GError **error);
Ovpn3MgmtCommand *ovpn3_mgmt_command_needstr(const char *type, const char *value, GError **error);
/* remote ACCEPT | remote SKIP [n] | remote MOD <host> <port> */
Ovpn3MgmtCommand *ovpn3_mgmt_command_remote_accept(void);
Ovpn3MgmtCommand *ovpn3_mgmt_command_remote_skip(guint n);
Ovpn3MgmtCommand *ovpn3_mgmt_command_remote_mod(const char *host, guint port, GError **error);
/* proxy NONE | proxy HTTP <host> <port> [nct] | proxy SOCKS <host> <port> */
Ovpn3MgmtCommand *ovpn3_mgmt_command_proxy_none(void);
Ovpn3MgmtCommand *ovpn3_mgmt_command_proxy_http(const char *host, guint port, gboolean nct,
                                                GError **error);
Ovpn3MgmtCommand *ovpn3_mgmt_command_proxy_socks(const char *host, guint port, GError **error);
/* version <n>: no response in 2.6 (completes after the write). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_version(guint n);
Ovpn3MgmtCommand *ovpn3_mgmt_command_pid(void);
Ovpn3MgmtCommand *ovpn3_mgmt_command_forget_passwords(void);
/* exit: no response; openvpn closes the connection. */
Ovpn3MgmtCommand *ovpn3_mgmt_command_exit(void);
/* The pw-file password, sent as the raw line (no quoting: openvpn compares the
 * whole line). Control characters and overlong lines are refused. */
Ovpn3MgmtCommand *ovpn3_mgmt_command_login_password(const char *password, GError **error);

/* pkcs11-id-count / pkcs11-id-get <i>: answered by one '>PKCS11ID-…' line
 * (status of the response). Only with --pkcs11-providers: 2.6.14 aborts
 * without it (docs/openvpn-management.md §3.1). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_pkcs11_id_count(void);
Ovpn3MgmtCommand *ovpn3_mgmt_command_pkcs11_id_get(guint index);
/* remote-entry-count / remote-entry-get <i> [<j>] | all (multi-line). */
Ovpn3MgmtCommand *ovpn3_mgmt_command_remote_entry_count(void);
Ovpn3MgmtCommand *ovpn3_mgmt_command_remote_entry_get_all(void);
/* auth-retry none|nointeract|interact */
Ovpn3MgmtCommand *ovpn3_mgmt_command_auth_retry(const char *mode, GError **error);
/* Multi-line input: "pk-sig" + base64 (in 64-character lines) + "END", and
 * "certificate" + PEM lines + "END". The data is checked line by line:
 * base64 alphabet only / printable ASCII, no line "END", each line within
 * OVPN3_MGMT_MAX_COMMAND_LINE. */
Ovpn3MgmtCommand *ovpn3_mgmt_command_pk_sig(const char *base64, GError **error);
Ovpn3MgmtCommand *ovpn3_mgmt_command_certificate(const char *pem, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3MgmtCommand, ovpn3_mgmt_command_free)

G_END_DECLS
