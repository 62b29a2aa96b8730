#define G_LOG_DOMAIN "ovpn3-profile-allowlist"

/* ovpn3-profile-refusal.c — why a directive is refused: the refused list and
 * the rules for file paths and blocks (at import), what the engine cannot do
 * without capabilities (at session start), and the privileged options that
 * need polkit (docs/architecture.md §4). The table of allowed directives is
 * in ovpn3-profile-allowlist.c.
 */

#include "config.h"

#include <string.h>

#include "ovpn3-profile-allowlist.h"

/* --- the refused list ------------------------------------------------------------------------ */

#define R_SCRIPT  "runs a program on the host"
#define R_CODE    "loads code into openvpn"
#define R_FILES   "writes files on the host"
#define R_SERVER  "server option; this is a client profile"
#define R_WINDOWS "Windows-only option, not available on Linux"
#define R_MODE    "a standalone openvpn command, not a profile option"
#define R_PUSH    "set by the server, not by a profile"
#define R_HIDE    "hides unknown options from openvpn"

typedef struct
{
  const char *name;
  const char *reason;
} Refusal;

static const Refusal refused[] = {
  { "plugin", R_CODE },
  { "engine", R_CODE },
  { "providers", R_CODE },
  { "pkcs11-providers", R_CODE },
  { "up", R_SCRIPT },
  { "down", R_SCRIPT },
  { "down-pre", R_SCRIPT },
  { "route-up", R_SCRIPT },
  { "route-pre-down", R_SCRIPT },
  { "ipchange", R_SCRIPT },
  { "tls-verify", R_SCRIPT },
  { "learn-address", R_SCRIPT },
  { "client-connect", R_SCRIPT },
  { "client-disconnect", R_SCRIPT },
  { "auth-user-pass-verify", R_SCRIPT },
  { "iproute", R_SCRIPT },
  { "up-restart", "only used by up/down scripts, which are not supported" },
  { "up-delay", "changes when the tunnel device is opened, which ovpn3 manages" },
  { "script-security", "would let openvpn run programs on the host" },
  { "management", "takes over the management interface ovpn3 uses to control openvpn" },
  { "config", "reads another file from the host" },
  { "cd", "changes the directory openvpn works in" },
  { "chroot", "changes the directory openvpn works in" },
  { "tmp-dir", "changes where openvpn writes temporary files" },
  { "daemon", "detaches openvpn from the session manager" },
  { "inetd", "detaches openvpn from the session manager" },
  { "log", "writes a log file on the host; ovpn3 logs the session itself" },
  { "log-append", "writes a log file on the host; ovpn3 logs the session itself" },
  { "syslog", "moves openvpn's log away from the session log" },
  { "machine-readable-output", "changes the log format ovpn3 reads from openvpn" },
  { "status", R_FILES },
  { "status-version", "only used with 'status', which is not allowed" },
  { "writepid", R_FILES },
  { "replay-persist", R_FILES },
  { "memstats", R_FILES },
  { "tls-export-cert", R_FILES },
  { "keying-material-exporter", "exports TLS keying material for scripts and plugins, which are "
                                "not supported" },
  { "user", "changes the user openvpn runs as" },
  { "group", "changes the group openvpn runs as" },
  { "dev-node", "opens a device node on the host" },
  { "capath", "reads certificates from a directory on the host; put the CA inline as <ca>" },
  { "secret", "static-key mode is not supported; use TLS with inline certificates" },
  { "pkcs11-id", "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>" },
  { "pkcs11-id-management",
    "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>" },
  { "pkcs11-pin-cache", "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>" },
  { "pkcs11-protected-authentication",
    "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>" },
  { "pkcs11-private-mode",
    "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>" },
  { "pkcs11-cert-private",
    "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>" },
  { "ignore-unknown-option", R_HIDE },
  { "genkey", R_MODE },
  { "mktun", R_MODE },
  { "rmtun", R_MODE },
  { "test-crypto", R_MODE },
  { "help", R_MODE },
  { "version", R_MODE },
  /* pushed by servers */
  { "peer-id", R_PUSH },
  { "auth-token", R_PUSH },
  { "auth-token-user", R_PUSH },
  { "key-derivation", R_PUSH },
  { "protocol-flags", R_PUSH },
  /* Windows */
  { "block-outside-dns", R_WINDOWS },
  { "ip-win32", R_WINDOWS },
  { "dhcp-renew", R_WINDOWS },
  { "dhcp-release", R_WINDOWS },
  { "dhcp-pre-release", R_WINDOWS },
  { "register-dns", R_WINDOWS },
  { "windows-driver", R_WINDOWS },
  { "tap-sleep", R_WINDOWS },
  { "show-net-up", R_WINDOWS },
  { "win-sys", R_WINDOWS },
  { "service", R_WINDOWS },
  { "allow-nonadmin", R_WINDOWS },
  { "cryptoapicert", R_WINDOWS },
  { "pause-exit", R_WINDOWS },
  /* server */
  { "mode", R_SERVER },
  { "server", R_SERVER },
  { "server-bridge", R_SERVER },
  { "server-ipv6", R_SERVER },
  { "tls-server", R_SERVER },
  { "push", R_SERVER },
  { "push-reset", R_SERVER },
  { "push-remove", R_SERVER },
  { "ifconfig-pool", R_SERVER },
  { "ifconfig-pool-persist", R_SERVER },
  { "ifconfig-ipv6-pool", R_SERVER },
  { "ifconfig-push", R_SERVER },
  { "ifconfig-ipv6-push", R_SERVER },
  { "iroute", R_SERVER },
  { "iroute-ipv6", R_SERVER },
  { "client-config-dir", R_SERVER },
  { "ccd-exclusive", R_SERVER },
  { "client-to-client", R_SERVER },
  { "duplicate-cn", R_SERVER },
  { "max-clients", R_SERVER },
  { "max-routes-per-client", R_SERVER },
  { "stale-routes-check", R_SERVER },
  { "connect-freq", R_SERVER },
  { "connect-freq-initial", R_SERVER },
  { "hash-size", R_SERVER },
  { "bcast-buffers", R_SERVER },
  { "tcp-queue-limit", R_SERVER },
  { "verify-client-cert", R_SERVER },
  { "client-cert-not-required", R_SERVER },
  { "username-as-common-name", R_SERVER },
  { "auth-gen-token", R_SERVER },
  { "auth-gen-token-secret", R_SERVER },
  { "opt-verify", R_SERVER },
  { "auth-user-pass-optional", R_SERVER },
  { "no-name-remapping", R_SERVER },
  { "port-share", R_SERVER },
  { "disable", R_SERVER },
  { "tls-crypt-v2-verify", R_SERVER },
  { "vlan-tagging", R_SERVER },
  { "vlan-accept", R_SERVER },
  { "vlan-pvid", R_SERVER },
  { "x509-username-field", R_SERVER },
  { "multihome", R_SERVER },
  { NULL, NULL },
};

static const char *const refused_extra_names[]
    = { "management-hold", "management-client", "show-ciphers", "setenv opt", NULL };

const char *const *
ovpn3_profile_allowlist_refused_names(void)
{
  static GPtrArray *names = NULL;

  if (g_once_init_enter(&names))
    {
      GPtrArray *n = g_ptr_array_new();
      for (const Refusal *r = refused; r->name != NULL; r++)
        g_ptr_array_add(n, (gpointer) r->name);
      for (const char *const *e = refused_extra_names; *e != NULL; e++)
        g_ptr_array_add(n, (gpointer) *e);
      g_ptr_array_add(n, NULL);
      g_once_init_leave(&names, n);
    }
  return (const char *const *) names->pdata;
}

static char *
shown_with_arg(const char *name, const char *arg)
{
  return g_strdup_printf("%s %s", name, arg);
}

static GHashTable *
refused_index(void)
{
  static GHashTable *index = NULL;

  if (g_once_init_enter(&index))
    {
      GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
      for (const Refusal *r = refused; r->name != NULL; r++)
        g_hash_table_insert(h, (gpointer) r->name, (gpointer) r->reason);
      g_once_init_leave(&index, h);
    }
  return index;
}

/* The setenv variables refused with a reason of their own, or NULL. */
static const char *
setenv_refusal(const char *const *args, guint nargs, char **shown)
{
  if (nargs < 1)
    return NULL;
  if (strcmp(args[0], "opt") == 0)
    {
      *shown = g_strdup("setenv opt");
      return R_HIDE;
    }
  if (strcmp(args[0], "FORWARD_COMPATIBLE") == 0)
    {
      *shown = g_strdup("setenv FORWARD_COMPATIBLE");
      /* common in Access Server profiles; openvpn then ignores unknown options and options
       * with a wrong number of arguments instead of failing */
      return "hides unknown options from openvpn; remove this line, every option ovpn3 "
             "accepts is known to openvpn 2.6";
    }
  if (strcmp(args[0], "GENERIC_CONFIG") == 0)
    {
      *shown = g_strdup("setenv GENERIC_CONFIG");
      return "marks a generic profile that cannot be used directly";
    }
  return NULL;
}

/* File paths: everything must be inline. */
static const char *
file_path_refusal(const char *name, const Ovpn3ProfileOptInfo *o, const char *const *args,
                  guint nargs, gboolean is_block, char **shown)
{
  static const char *const proxy_auth_ok[] = { "auto", "auto-nct", "stdin", NULL };

  if (!is_block && (o->flags & OVPN3_OPT_BLOCK_ONLY) && nargs > 0)
    {
      *shown = shown_with_arg(name, args[0]);
      return strcmp(name, "connection") == 0
                 ? "a <connection> must be an inline block"
                 : "file paths are not allowed; include the file inline as a <tag>…</tag> block";
    }
  if (strcmp(name, "auth-user-pass") == 0 && nargs > 0 && strcmp(args[0], "stdin") != 0)
    {
      *shown = g_strdup("auth-user-pass <file>"); /* the argument could be a mistyped secret */
      return "file paths are not allowed; use a bare auth-user-pass to be asked for the "
             "credentials, or an inline <auth-user-pass> block";
    }
  if (strcmp(name, "http-proxy") == 0 && nargs >= 3 && !g_strv_contains(proxy_auth_ok, args[2]))
    {
      *shown = g_strdup("http-proxy … <file>");
      return "file paths are not allowed; use an inline <http-proxy-user-pass> block or "
             "'stdin' to be asked";
    }
  if (strcmp(name, "socks-proxy") == 0 && nargs >= 3 && strcmp(args[2], "stdin") != 0)
    {
      *shown = g_strdup("socks-proxy … <file>");
      return "file paths are not allowed; use 'stdin' to be asked for the credentials";
    }
  return NULL;
}

const char *
ovpn3_profile_allowlist_refusal(const char *name, const char *const *args, gboolean is_block,
                                gboolean in_connection, char **shown)
{
  const Ovpn3ProfileOptInfo *o;
  guint nargs = args != NULL ? g_strv_length((char **) args) : 0;
  const char *reason;

  *shown = NULL;
  reason = g_hash_table_lookup(refused_index(), name);
  if (reason != NULL)
    return reason;
  if (g_str_has_prefix(name, "management"))
    return "takes over the management interface ovpn3 uses to control openvpn";
  if (g_str_has_prefix(name, "show-"))
    return R_MODE;
  if (g_str_has_prefix(name, "pkcs11-"))
    return "PKCS#11 tokens are not supported; use inline <cert>/<key> or <pkcs12>";
  if (strcmp(name, "setenv") == 0 && (reason = setenv_refusal(args, nargs, shown)) != NULL)
    return reason;

  o = ovpn3_profile_allowlist_lookup(name);
  if (o == NULL)
    return "unknown option";
  if (in_connection && !(o->flags & OVPN3_OPT_CONNECTION))
    return "cannot be used inside a <connection> block";
  if (is_block && !(o->flags & OVPN3_OPT_BLOCK))
    return "cannot be given as an inline block";
  return file_path_refusal(name, o, args, nargs, is_block, shown);
}

/* Hands why (owned, NULL for none) to reasons, if the caller wants them. */
static gboolean
give_reason(GPtrArray *reasons, char *why)
{
  if (why == NULL)
    return FALSE;
  if (reasons != NULL)
    g_ptr_array_add(reasons, why);
  else
    g_free(why);
  return TRUE;
}

/* openvpn runs under an engine uid with no capabilities (docs/architecture.md §3 and
 * docs/security.md); each of these fails or is silently ignored there: refused, whoever starts
 * the session. */
gboolean
ovpn3_profile_allowlist_engine_refusal(const char *name, const char *const *args, gboolean has_bind,
                                       GPtrArray *reasons)
{
  const char *a0 = args != NULL ? args[0] : NULL;
  char *why = NULL;

  if (strcmp(name, "lport") == 0 || (strcmp(name, "port") == 0 && has_bind))
    {
      guint64 port = 0;
      if (a0 != NULL && g_ascii_string_to_unsigned(a0, 10, 0, 65535, &port, NULL) && port > 0
          && port < 1024)
        why = g_strdup_printf("%s %s (binding a local port below 1024 needs a capability)", name,
                              a0);
    }
  else if (strcmp(name, "mark") == 0)
    why = g_strdup_printf("mark %s (setting SO_MARK needs a capability; openvpn would only log "
                          "a note and send unmarked packets)",
                          a0);
  else if (strcmp(name, "lladdr") == 0)
    why = g_strdup_printf("lladdr %s (changing the device's link-layer address needs a "
                          "capability; openvpn would only log an error)",
                          a0);
  else if (strcmp(name, "nice") == 0 && a0 != NULL && a0[0] == '-')
    why = g_strdup_printf("nice %s (raising the priority needs a capability; openvpn would only "
                          "log a warning)",
                          a0);
  else if (strcmp(name, "mlock") == 0)
    why = g_strdup("mlock (openvpn exits when it cannot raise its locked-memory limit)");

  return give_reason(reasons, why);
}

gboolean
ovpn3_profile_allowlist_privileged(const char *name, const char *const *args, GPtrArray *reasons)
{
  const char *a0 = args != NULL ? args[0] : NULL;
  char *why = NULL;

  if (strcmp(name, "bind-dev") == 0)
    why = g_strdup_printf("bind-dev %s (binds to a host interface or VRF)", a0);
  else if (strcmp(name, "dev") == 0 && a0 != NULL && strcmp(a0, "tun") != 0
           && strcmp(a0, "tap") != 0 && strcmp(a0, "null") != 0)
    why = g_strdup_printf("dev %s (names a specific host device, e.g. a bridged tap)", a0);

  return give_reason(reasons, why);
}
