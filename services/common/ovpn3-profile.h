/* ovpn3-profile.h — OpenVPN profile: parser, directive allowlist, renderer, queries
 * (docs/architecture.md §4)
 *
 * An Ovpn3Profile is an ordered list of allowlisted directives parsed from an OpenVPN 2.6
 * client profile.  Everything that reaches an Ovpn3Profile has passed the lexer and the
 * allowlist, whatever the source (profile text or a JSON state file).
 *
 * Lexer rules (a port of openvpn 2.6 options.c parse_line / read_config_file):
 *  - lines end with LF or CRLF; a UTF-8 BOM at the very start is skipped;
 *  - `#` or `;` where a token would start begins a comment (so `keepalive 10 60 ;x` has two
 *    arguments, but `setenv A b#c` keeps `b#c`);
 *  - `"…"` quotes with exactly three escapes: `\\`, `\"` and `\ `; any other backslash sequence
 *    is refused ("bad escape"); the same escapes work outside quotes;
 *  - `'…'` quotes are literal (no escapes); a closing quote ends the token;
 *  - a line holding only `<tag>` starts an inline block that ends at the first line starting
 *    with `</tag>` (files, keys, credentials, `<connection>`); its content is kept verbatim
 *    (CRLF normalised to LF); a leading `--` on an option name is accepted, as openvpn does;
 *  - NUL bytes and invalid UTF-8 are refused; so are control characters other than TAB (and
 *    the CR of a CRLF).
 * Every directive must be on the allowlist with the right number of arguments; refused and
 * unknown ones are reported, never dropped.  Files must be inline (a path argument to ca, cert,
 * key, tls-auth, auth-user-pass … is refused).  Inside <connection> only the options openvpn 2.6
 * allows there are accepted.
 *
 * Limits (refused cleanly with OVPN3_PROFILE_ERROR_TOO_LARGE / _INVALID):
 *  - OVPN3_PROFILE_MAX_SIZE: the whole profile text is at most 1 MiB (1048576 bytes), checked
 *    before anything else, and so is its rendering;
 *  - OVPN3_PROFILE_MAX_LINE: every option line, as our renderer writes it (with quoting), is at
 *    most 254 bytes, because openvpn 2.6 refuses longer lines ("Maximum option line length
 *    (256) exceeded"); tokens are at most 256 characters (openvpn's parameter buffer);
 *  - inline block lines may be longer (one-line base64 works), except inside <connection>
 *    (254); a block line whose 255-byte pieces would start with the closing tag is refused,
 *    because openvpn reads blocks in such pieces and would end the block there;
 *  - OVPN3_PROFILE_MAX_BLOCK: one inline block is at most 256 KiB;
 *  - OVPN3_PROFILE_MAX_DIRECTIVES: at most 10000 directives (incl. those inside <connection>).
 *
 * Error messages are the user-facing texts of the D-Bus API, e.g.
 *   "Invalid configuration profile: line 12: 'plugin' is not allowed (loads code into openvpn)"
 *   "Invalid configuration profile: line 3: unterminated quoted string (missing closing \")"
 *   "Configuration profile is missing required options: --ca, --dev"
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/** Maximum size of a profile text, in bytes (1 MiB). */
#define OVPN3_PROFILE_MAX_SIZE (1024 * 1024)
/** Maximum length of one rendered option line, in characters (openvpn 2.6 limit is 256 incl. the
 * line end and NUL). */
#define OVPN3_PROFILE_MAX_LINE 254
/** Maximum size of one inline block, in bytes. */
#define OVPN3_PROFILE_MAX_BLOCK (256 * 1024)
/** Maximum number of directives in a profile (all levels). */
#define OVPN3_PROFILE_MAX_DIRECTIVES 10000

#define OVPN3_PROFILE_ERROR (ovpn3_profile_error_quark())
GQuark ovpn3_profile_error_quark(void);

/**
 * Ovpn3ProfileError:
 * @OVPN3_PROFILE_ERROR_INVALID: syntax error (quotes, escapes, blocks, encoding, arity, bad
 *   argument value); message starts with "Invalid configuration profile: "
 * @OVPN3_PROFILE_ERROR_NOT_ALLOWED: a directive that is refused or unknown; message
 *   "Invalid configuration profile: line N: 'x' is not allowed (reason)"
 * @OVPN3_PROFILE_ERROR_TOO_LARGE: the profile (or a block, or the number of directives) exceeds
 *   a limit above; message starts with "Invalid configuration profile: "
 * @OVPN3_PROFILE_ERROR_MISSING_OPTIONS: ovpn3_profile_validate(): message
 *   "Configuration profile is missing required options: --ca, --client or --tls-client, --dev,
 *   --remote" (only the missing ones, in that order)
 * @OVPN3_PROFILE_ERROR_INVALID_JSON: ovpn3_profile_new_from_json() got something that is not the
 *   docs/dbus-api.md §9.1 `profile` object; message starts with "Invalid configuration profile: "
 */
typedef enum
{
  OVPN3_PROFILE_ERROR_INVALID,
  OVPN3_PROFILE_ERROR_NOT_ALLOWED,
  OVPN3_PROFILE_ERROR_TOO_LARGE,
  OVPN3_PROFILE_ERROR_MISSING_OPTIONS,
  OVPN3_PROFILE_ERROR_INVALID_JSON,
} Ovpn3ProfileError;

#define OVPN3_TYPE_PROFILE (ovpn3_profile_get_type())
G_DECLARE_FINAL_TYPE(Ovpn3Profile, ovpn3_profile, OVPN3, PROFILE, GObject)

/* --- construction ------------------------------------------------------------------------- */

/* Parse @text (@length bytes, or -1 if NUL-terminated — a NUL inside @length bytes is refused).
 * Returns a new profile or NULL with @error set (OVPN3_PROFILE_ERROR). */
Ovpn3Profile *ovpn3_profile_new_from_text(const char *text, gssize length, GError **error);

/* Rebuild a profile from the docs/dbus-api.md §9.1 `profile` JSON object (as written by
 * ovpn3_profile_to_json(); the two older Import formats are accepted too).  Every directive goes
 * through the same allowlist as text, so a tampered state file cannot bring in a refused one;
 * errors then have no line number: "Invalid configuration profile: 'plugin' is not allowed (…)". */
Ovpn3Profile *ovpn3_profile_new_from_json(JsonNode *node, GError **error);
/* Same, from a JSON string (FetchJSON output). */
Ovpn3Profile *ovpn3_profile_new_from_json_string(const char *json, GError **error);

/* --- output ------------------------------------------------------------------------------- */

typedef enum
{
  OVPN3_PROFILE_RENDER_DEFAULT = 0,
  /* Replace an inline <auth-user-pass> block by a bare `auth-user-pass` (the credentials go over
   * the management socket instead, docs/security.md).  Use it for the copy openvpn reads. */
  OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS = 1 << 0,
} Ovpn3ProfileRenderFlags;

/* Profile text that ovpn3_profile_new_from_text() parses back to an equal profile, and that
 * openvpn 2.6 accepts: one directive per line, arguments quoted only where needed,
 * inline blocks as <tag>…</tag>.  Never NULL. */
char *ovpn3_profile_render(Ovpn3Profile *self, Ovpn3ProfileRenderFlags flags);

/* docs/dbus-api.md §9.1 `profile` object: option → array of string args; options that repeat
 * (always for connection, peer-fingerprint, pull-filter, remote, route, route-ipv6; for any other
 * option only when it occurs more than once) → array of such arrays; inline blocks → one string (a
 * <connection> block → its rendered content, e.g. "connection": [["remote a 443 tcp\n"]]).
 * Options keep their first-appearance order and, per option, their own order; the interleaving
 * of different options is not kept (the format cannot hold it), so after a JSON round trip
 * `remote a`, `proto tcp`, `remote b` renders as `remote a`, `remote b`, `proto tcp`
 * (openvpn does not care, apart from <connection> blocks, which inherit the global options set
 * before them — put those first).  Returns a new JSON object node (free with json_node_unref). */
JsonNode *ovpn3_profile_to_json(Ovpn3Profile *self);
/* Same, as a compact JSON string (FetchJSON). */
char *ovpn3_profile_to_json_string(Ovpn3Profile *self);

/* TRUE if both profiles hold the same directives, arguments and blocks in the same order. */
gboolean ovpn3_profile_equal(Ovpn3Profile *a, Ovpn3Profile *b);

/* --- validation --------------------------------------------------------------------------- */

/* Returns TRUE if the profile has what a client session needs; otherwise FALSE with
 * OVPN3_PROFILE_ERROR_MISSING_OPTIONS and the text
 * "Configuration profile is missing required options: --ca, --client or --tls-client, --dev,
 * --remote" (only the missing ones, in this order).  Rules:
 *  --ca: an inline <ca>, or a <pkcs12> (its bundle may carry the CA; openvpn checks it at
 *        connect time), or peer-fingerprint (openvpn 2.6's CA-less mode);
 *  --client or --tls-client: `client` or `tls-client` at top level;
 *  --dev: `dev` at top level;
 *  --remote: `remote` at top level or in at least one <connection> block. */
gboolean ovpn3_profile_validate(Ovpn3Profile *self, GError **error);

/* --- generic access ----------------------------------------------------------------------- */

/* TRUE if the directive appears at top level (not counting <connection> blocks). */
gboolean ovpn3_profile_has_option(Ovpn3Profile *self, const char *name);
/* Arguments of the LAST top-level occurrence of @name (openvpn keeps the last value of a scalar
 * option), NULL-terminated, owned by the profile; NULL if absent.  For an inline block the
 * array is empty. */
const char *const *ovpn3_profile_get_args(Ovpn3Profile *self, const char *name);
/* Content of the last top-level inline block <name>, owned by the profile; NULL if absent. */
const char *ovpn3_profile_get_block(Ovpn3Profile *self, const char *name);
/* Number of top-level directives / <connection> blocks. */
guint ovpn3_profile_get_n_directives(Ovpn3Profile *self);
guint ovpn3_profile_get_n_connections(Ovpn3Profile *self);

/* --- queries for the backend -------------------------------------------------------------- */

/* TRUE if `auth-user-pass` is present and the profile does not carry both username and password
 * in an inline <auth-user-pass> block (so they must be asked for). */
gboolean ovpn3_profile_needs_user_pass(Ovpn3Profile *self);
/* Inline <auth-user-pass> credentials: TRUE if the block exists; *username gets line 1,
 * *password line 2 or NULL if there is none.  Secrets: wipe and free them after use. */
gboolean ovpn3_profile_get_inline_user_pass(Ovpn3Profile *self, char **username, char **password);
/* `static-challenge TEXT ECHO [format]`: TRUE if present; *text (new string) and *echo (ECHO
 * is 1).  Either out-pointer may be NULL. */
gboolean ovpn3_profile_get_static_challenge(Ovpn3Profile *self, char **text, gboolean *echo);
/* TRUE if the inline <key> is an encrypted PEM (ENCRYPTED PRIVATE KEY or Proc-Type:
 * 4,ENCRYPTED), so openvpn will ask for a private-key passphrase. */
gboolean ovpn3_profile_has_encrypted_key(Ovpn3Profile *self);

typedef enum
{
  OVPN3_PROFILE_DEV_TUN,
  OVPN3_PROFILE_DEV_TAP,
} Ovpn3ProfileDevType;
/* From `dev-type`, else from the `dev` name (tun*, tap*); tun if nothing says otherwise. */
Ovpn3ProfileDevType ovpn3_profile_get_dev_type(Ovpn3Profile *self);

typedef struct
{
  char *host;  /* never NULL */
  char *port;  /* remote's own port, else `port`/`rport` in scope, else "1194" */
  char *proto; /* remote's own proto, else `proto` in scope, else "udp" */
} Ovpn3ProfileRemote;
void ovpn3_profile_remote_free(Ovpn3ProfileRemote *remote);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Ovpn3ProfileRemote, ovpn3_profile_remote_free)
/* All remotes in order (top-level `remote` lines, then each <connection> block's); the
 * GPtrArray frees its elements. Never NULL (empty if none). */
GPtrArray *ovpn3_profile_get_remotes(Ovpn3Profile *self);

/* `verb` level (0–11), or -1 if the profile sets none. */
gint ovpn3_profile_get_verb(Ovpn3Profile *self);
/* TRUE if http-proxy / socks-proxy appears at top level or in any <connection> block. */
gboolean ovpn3_profile_has_http_proxy(Ovpn3Profile *self);
gboolean ovpn3_profile_has_socks_proxy(Ovpn3Profile *self);

/* --- what the profile asks of the host (ovpn3-profile-host.c) ---------------------------------- */

/* TRUE if the profile uses directives openvpn cannot honour when it runs, as it does, under an
 * engine uid without capabilities (docs/security.md §3): `lport` < 1024 (also `port` < 1024 where
 * the scope binds with `bind` or `local`), `mark`, `lladdr`, `nice` < 0, `mlock`. Such a profile is
 * refused at session start whoever starts it.  If @reasons is not NULL it gets a NULL-terminated
 * array of texts, one per finding, e.g. "mark 42 (setting SO_MARK needs a capability; …)". */
gboolean ovpn3_profile_engine_cannot_serve(Ovpn3Profile *self, char ***reasons);

/* TRUE if the profile uses directives that touch host resources beyond its own tunnel and that
 * an engine without capabilities can still use (polkit net.openvpn.v3.profile.privileged-options):
 * `bind-dev` (SO_BINDTODEVICE needs no capability since Linux 5.7), `dev` naming a specific host
 * device (anything but plain tun/tap/null).  A plain `dev tap` is not privileged.  If @reasons is
 * not NULL it gets a NULL-terminated array of short human texts, one per finding, e.g.
 * "bind-dev vrf-blue (binds to a host interface or VRF)". */
gboolean ovpn3_profile_needs_privileged_options(Ovpn3Profile *self, char ***reasons);

/* TRUE if `lport`, `bind` or `local` appears at top level or in any <connection> block: openvpn
 * binds a local port then, and must not get --nobind (docs/architecture.md §3). */
gboolean ovpn3_profile_binds_locally(Ovpn3Profile *self);

/* TRUE if the profile itself configures `redirect-gateway` (the host's default route: a
 * host-wide session, polkit net.openvpn.v3.session.start-host-wide, docs/security.md §6). */
gboolean ovpn3_profile_redirects_gateway(Ovpn3Profile *self);

G_END_DECLS
