/* OpenVPN 2.6 management interface: line splitting and notification parsing.
 *
 * Everything here is pure: bytes or lines in, structures out, no I/O, so the
 * unit tests and the libFuzzer targets call it directly.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Longest line kept by the line reader; longer lines are dropped and reported
 * as one OVPN3_MGMT_EVENT_UNKNOWN event with line "(line too long)". openvpn
 * 2.6 emits at most ~10 KiB per line. */
#define OVPN3_MGMT_MAX_LINE (64 * 1024)
/* At most this many ENV entries are kept in one >UPDOWN block. */
#define OVPN3_MGMT_MAX_ENV 4096
/* The pw-file prompt, sent without any line terminator. */
#define OVPN3_MGMT_PW_PROMPT "ENTER PASSWORD:"

typedef enum
{
  OVPN3_MGMT_EVENT_UNKNOWN = 0, /* any line we do not understand: never fatal */
  OVPN3_MGMT_EVENT_PW_PROMPT,   /* "ENTER PASSWORD:" (pw-file login) */
  OVPN3_MGMT_EVENT_INFO,
  OVPN3_MGMT_EVENT_HOLD,
  OVPN3_MGMT_EVENT_STATE,
  OVPN3_MGMT_EVENT_PASSWORD,
  OVPN3_MGMT_EVENT_NEED_OK,
  OVPN3_MGMT_EVENT_NEED_STR,
  OVPN3_MGMT_EVENT_INFOMSG,
  OVPN3_MGMT_EVENT_NOTIFY,
  OVPN3_MGMT_EVENT_FATAL,
  OVPN3_MGMT_EVENT_BYTECOUNT,
  OVPN3_MGMT_EVENT_LOG,
  OVPN3_MGMT_EVENT_ECHO,
  OVPN3_MGMT_EVENT_UPDOWN,
  OVPN3_MGMT_EVENT_REMOTE,
  OVPN3_MGMT_EVENT_PROXY,
  OVPN3_MGMT_EVENT_PK_SIGN, /* >PK_SIGN and >RSA_SIGN (see rsa_sign) */
  OVPN3_MGMT_EVENT_NEED_CERTIFICATE,
} Ovpn3MgmtEventType;

typedef enum
{
  OVPN3_MGMT_PASSWORD_OTHER = 0,      /* unrecognised >PASSWORD: payload (text) */
  OVPN3_MGMT_PASSWORD_NEED_USER_PASS, /* Need '<type>' username/password [SC:…] */
  OVPN3_MGMT_PASSWORD_NEED_PASSWORD,  /* Need '<type>' password */
  OVPN3_MGMT_PASSWORD_NEED_USERNAME,  /* Need '<type>' username (2.7, client version >= 4) */
  OVPN3_MGMT_PASSWORD_VERIFY_FAILED,  /* Verification Failed: '<type>' [['<reason>']] */
  OVPN3_MGMT_PASSWORD_AUTH_TOKEN,     /* Auth-Token:<token> (token in text) */
} Ovpn3MgmtPasswordKind;

typedef enum
{
  OVPN3_MGMT_INFOMSG_OTHER = 0, /* text = whole payload */
  OVPN3_MGMT_INFOMSG_WEB_AUTH,  /* WEB_AUTH:<flags>:<url>: flags, text = url */
  OVPN3_MGMT_INFOMSG_OPEN_URL,  /* OPEN_URL:<url>: text = url */
  OVPN3_MGMT_INFOMSG_CR_TEXT,   /* CR_TEXT:<flags>:<challenge>: flags, text = challenge */
} Ovpn3MgmtInfomsgKind;

/* One notification. Which fields are set depends on type; the rest are NULL or
 * 0. All strings are valid UTF-8 (the line reader repairs invalid input). */
typedef struct _Ovpn3MgmtEvent Ovpn3MgmtEvent;
struct _Ovpn3MgmtEvent
{
  /*< private >*/
  gint ref_count;
  /*< public >*/
  Ovpn3MgmtEventType type;
  gchar *line; /* the raw line without CRLF (UPDOWN: the >UPDOWN:UP/DOWN line) */

  /* INFO, HOLD, FATAL, LOG, ECHO, NOTIFY, NEED-OK/STR (MSG:), INFOMSG (see
   * Ovpn3MgmtInfomsgKind), PASSWORD (SC text, CRV1 text, auth token, OTHER),
   * NEED-CERTIFICATE (hint), UNKNOWN (= line) */
  gchar *text;
  gint64 timestamp; /* STATE, LOG, ECHO: unix time; -1 if absent or not a number */

  /* HOLD */
  guint hold_seconds; /* the restart back-off openvpn asks for */

  /* STATE: 8 fields, a 9th (tun_ip6) only when a tun IPv6 address is known */
  gchar *state_name;
  gchar *state_detail; /* may hold commas for AUTH_PENDING */
  gchar *tun_ip4;
  gchar *remote_addr;
  guint remote_port; /* 0 = empty */
  gchar *local_addr;
  guint local_port;
  gchar *tun_ip6;

  /* PASSWORD, NEED-OK, NEED-STR: the credential type ("Auth", "Private Key", …) */
  gchar *cred_type;
  Ovpn3MgmtPasswordKind password_kind;
  gboolean static_challenge; /* NEED_USER_PASS with SC: */
  guint sc_flags;            /* bit 0 = echo the response; 2.7 bit 1 = concat */
  gchar *reason;             /* VERIFY_FAILED with ['<reason>'], else NULL */
  gboolean crv1;             /* reason is a CRV1 dynamic challenge */
  gchar *crv1_state_id;
  gchar *crv1_username; /* decoded from base64; NULL if not valid UTF-8 base64 */

  /* flags: INFOMSG WEB_AUTH/CR_TEXT flags, CRV1 flags ("R,E"), LOG flags */
  gchar *flags;

  /* INFOMSG */
  Ovpn3MgmtInfomsgKind infomsg_kind;

  /* NOTIFY */
  gchar *severity;
  gchar *notify_type;

  /* BYTECOUNT */
  guint64 bytes_in;
  guint64 bytes_out;

  /* UPDOWN */
  gboolean up;     /* TRUE = >UPDOWN:UP, FALSE = DOWN */
  GHashTable *env; /* gchar* key -> gchar* value; last value wins */
  guint env_count; /* ENV lines received (including dropped duplicates) */

  /* REMOTE (host, port, proto), PROXY (proxy_index, proto, host) */
  gchar *host;
  guint port;
  gchar *proto;
  guint proxy_index;

  /* PK_SIGN / RSA_SIGN */
  gboolean rsa_sign;
  gchar *data;      /* base64 data to sign */
  gchar *algorithm; /* PK_SIGN ALG (may hold commas), NULL if absent */
};

GType ovpn3_mgmt_event_get_type(void) G_GNUC_CONST;
#define OVPN3_TYPE_MGMT_EVENT (ovpn3_mgmt_event_get_type())

Ovpn3MgmtEvent *ovpn3_mgmt_event_new(Ovpn3MgmtEventType type, const char *line);
Ovpn3MgmtEvent *ovpn3_mgmt_event_ref(Ovpn3MgmtEvent *event);
void ovpn3_mgmt_event_unref(Ovpn3MgmtEvent *event);
const char *ovpn3_mgmt_event_type_to_string(Ovpn3MgmtEventType type);
const char *ovpn3_mgmt_password_kind_to_string(Ovpn3MgmtPasswordKind kind);
const char *ovpn3_mgmt_infomsg_kind_to_string(Ovpn3MgmtInfomsgKind kind);
/* Looks up an UPDOWN ENV value; NULL if absent or not an UPDOWN event. */
const char *ovpn3_mgmt_event_get_env(const Ovpn3MgmtEvent *event, const char *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3MgmtEvent, ovpn3_mgmt_event_unref)

/* ---- Line classification -------------------------------------------------- */

typedef enum
{
  OVPN3_MGMT_LINE_NOTIFICATION, /* starts with '>' */
  OVPN3_MGMT_LINE_SUCCESS,      /* "SUCCESS:…" */
  OVPN3_MGMT_LINE_ERROR,        /* "ERROR:…" */
  OVPN3_MGMT_LINE_END,          /* exactly "END" */
  OVPN3_MGMT_LINE_DATA,         /* anything else (a multi-line response body) */
} Ovpn3MgmtLineKind;

Ovpn3MgmtLineKind ovpn3_mgmt_line_classify(const char *line);
/* Text after "SUCCESS:" / "ERROR:" with leading blanks skipped (points into line). */
const char *ovpn3_mgmt_line_response_text(const char *line);

/* ---- Line reader: CRLF splitting + the unterminated pw-file prompt -------- */

/* line: NUL-terminated, CR/LF stripped, valid UTF-8 (NUL bytes become '?',
 * invalid sequences U+FFFD). unterminated: TRUE only for the pw-file prompt.
 * too_long: the line exceeded OVPN3_MGMT_MAX_LINE and was dropped. */
typedef void (*Ovpn3MgmtLineFunc)(const char *line, gboolean unterminated, gboolean too_long,
                                  gpointer user_data);

typedef struct
{
  /*< private >*/
  GByteArray *buf;
  gboolean discarding;
} Ovpn3MgmtLineReader;

void ovpn3_mgmt_line_reader_init(Ovpn3MgmtLineReader *reader);
void ovpn3_mgmt_line_reader_clear(Ovpn3MgmtLineReader *reader);
void ovpn3_mgmt_line_reader_feed(Ovpn3MgmtLineReader *reader, const guint8 *data, gsize len,
                                 Ovpn3MgmtLineFunc func, gpointer user_data);
/* Bytes buffered without a line end yet. */
gsize ovpn3_mgmt_line_reader_pending(const Ovpn3MgmtLineReader *reader);

/* ---- Notification parser --------------------------------------------------- */

/* Parses one single-line notification (">TYPE:payload"). Never returns NULL:
 * anything it does not understand becomes OVPN3_MGMT_EVENT_UNKNOWN. UPDOWN
 * blocks need the stateful Ovpn3MgmtParser below. */
Ovpn3MgmtEvent *ovpn3_mgmt_event_parse_line(const char *line);

/* Splits "key=value" at the first '='. FALSE (outputs untouched) if there is
 * no '=' or the key is empty. */
gboolean ovpn3_mgmt_env_parse(const char *entry, char **key, char **value);

/* Splits a dynamic-challenge reason "CRV1:<flags>:<state_id>:<b64 user>:<text>".
 * username is NULL when the base64 is not valid UTF-8. FALSE if not CRV1. */
gboolean ovpn3_mgmt_parse_crv1(const char *reason, char **flags, char **state_id, char **username,
                               char **text);

/* Stateful assembler: single lines pass straight through the line parser;
 * >UPDOWN:UP|DOWN … >UPDOWN:ENV,… … >UPDOWN:ENV,END becomes one event. */
typedef struct _Ovpn3MgmtParser Ovpn3MgmtParser;

Ovpn3MgmtParser *ovpn3_mgmt_parser_new(void);
void ovpn3_mgmt_parser_free(Ovpn3MgmtParser *parser);
/* Feeds one notification line ('>' lines and the pw prompt). Completed events
 * are queued; fetch them with ovpn3_mgmt_parser_pop(). */
void ovpn3_mgmt_parser_feed(Ovpn3MgmtParser *parser, const char *line);
/* Transfer full; NULL when none is queued. */
Ovpn3MgmtEvent *ovpn3_mgmt_parser_pop(Ovpn3MgmtParser *parser);
/* TRUE while an UPDOWN block is open. */
gboolean ovpn3_mgmt_parser_in_block(const Ovpn3MgmtParser *parser);
/* Drops an open block (e.g. at EOF); returns TRUE if one was open. */
gboolean ovpn3_mgmt_parser_reset(Ovpn3MgmtParser *parser);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3MgmtParser, ovpn3_mgmt_parser_free)

/* The pushed options from a log line "PUSH: Received control message:
 * 'PUSH_REPLY,<opt>,<opt>…'" (verb >= 3, from >LOG text or stdout): the only
 * script-free way to see an IPv4 redirect-gateway under --route-noexec in 2.6
 * (docs/openvpn-management.md §9.2). NULL if the text is not such a line. */
GStrv ovpn3_mgmt_parse_push_reply(const char *log_text);

/* ---- status (client form) ------------------------------------------------ */

typedef struct
{
  gboolean valid; /* saw the "OpenVPN STATISTICS" header */
  guint64 tun_read_bytes;
  guint64 tun_write_bytes;
  guint64 link_read_bytes; /* TCP/UDP read bytes */
  guint64 link_write_bytes;
  guint64 auth_read_bytes;
  guint64 pre_compress_bytes;
  guint64 post_compress_bytes;
  guint64 pre_decompress_bytes;
  guint64 post_decompress_bytes;
} Ovpn3MgmtStatus;

/* Parses the body lines of a `status` response (without END). */
gboolean ovpn3_mgmt_parse_status(const char *const *lines, Ovpn3MgmtStatus *status);

G_END_DECLS
