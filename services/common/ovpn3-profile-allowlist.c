#define G_LOG_DOMAIN "ovpn3-profile-allowlist"

/* ovpn3-profile-allowlist.c — the directives a profile may hold, with their arity, where
 * they may appear and the checks on their arguments' values (docs/architecture.md §4). Why
 * anything else is refused: ovpn3-profile-refusal.c.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovpn3-profile-allowlist.h"

/* --- argument checks ----------------------------------------------------------------------- */

static gboolean
is_uint(const char *s, guint64 max)
{
  guint64 v = 0;
  return s != NULL && s[0] != '\0' && g_ascii_isdigit(s[0])
         && g_ascii_string_to_unsigned(s, 10, 0, max, &v, NULL);
}

static gboolean
is_one_of(const char *s, const char *const *set)
{
  for (; *set != NULL; set++)
    if (g_strcmp0(s, *set) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
is_port(const char *s)
{
  /* A number, or a service name getaddrinfo() resolves (openvpn passes it through). */
  if (s == NULL || s[0] == '\0' || strlen(s) > 32)
    return FALSE;
  if (g_ascii_isdigit(s[0]))
    return is_uint(s, 65535);
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static const char *const protos[] = { "udp",  "udp4",       "udp6",        "tcp",         "tcp4",
                                      "tcp6", "tcp-client", "tcp4-client", "tcp6-client", NULL };

static char *
chk_all_uint(const char *const *args)
{
  for (; *args != NULL; args++)
    if (!is_uint(*args, G_MAXINT32))
      return g_strdup_printf("'%s' is not a number", *args);
  return NULL;
}

static char *
chk_port(const char *const *args)
{
  return is_port(args[0]) ? NULL : g_strdup_printf("'%s' is not a port", args[0]);
}

static char *
chk_proto(const char *const *args)
{
  return is_one_of(args[0], protos) ? NULL
                                    : g_strdup_printf("'%s' is not a protocol (udp, tcp, "
                                                      "udp4, tcp6-client, …)",
                                                      args[0]);
}

static char *
chk_remote(const char *const *args)
{
  if (args[0][0] == '\0')
    return g_strdup("empty host name");
  if (args[1] != NULL && !is_port(args[1]))
    return g_strdup_printf("'%s' is not a port", args[1]);
  if (args[1] != NULL && args[2] != NULL)
    return chk_proto(args + 2);
  return NULL;
}

static char *
chk_dev(const char *const *args)
{
  gsize len = strlen(args[0]);
  if (len == 0 || len > 15)
    return g_strdup("a device name has 1 to 15 characters");
  for (const char *p = args[0]; *p != '\0'; p++)
    if (!g_ascii_isalnum(*p) && strchr("-_.", *p) == NULL)
      return g_strdup_printf("'%s' is not a device name", args[0]);
  return NULL;
}

static char *
chk_dev_type(const char *const *args)
{
  static const char *const set[] = { "tun", "tap", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be tun or tap");
}

static char *
chk_topology(const char *const *args)
{
  static const char *const set[] = { "net30", "p2p", "subnet", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be net30, p2p or subnet");
}

static char *
chk_verb(const char *const *args)
{
  return is_uint(args[0], 11) ? NULL : g_strdup("must be a number from 0 to 11");
}

static char *
chk_int(const char *const *args)
{
  gint64 v;
  for (; *args != NULL; args++)
    if (!g_ascii_string_to_signed(*args, 10, G_MININT32, G_MAXINT32, &v, NULL))
      return g_strdup_printf("'%s' is not a number", *args);
  return NULL;
}

static char *
chk_resolv_retry(const char *const *args)
{
  return g_strcmp0(args[0], "infinite") == 0 || is_uint(args[0], G_MAXINT32)
             ? NULL
             : g_strdup("must be a number of seconds or 'infinite'");
}

static char *
chk_mtu_opt(const char *const *args)
{
  /* fragment N [mtu]; mssfix [N [mtu|fixed]] */
  static const char *const set[] = { "mtu", "fixed", NULL };
  if (args[0] == NULL)
    return NULL;
  if (!is_uint(args[0], 65535))
    return g_strdup_printf("'%s' is not a number", args[0]);
  if (args[1] != NULL && !is_one_of(args[1], set))
    return g_strdup_printf("'%s' must be mtu or fixed", args[1]);
  return NULL;
}

static char *
chk_static_challenge(const char *const *args)
{
  static const char *const set[] = { "0", "1", NULL };
  return is_one_of(args[1], set) ? NULL : g_strdup("the echo flag must be 0 or 1");
}

static char *
chk_pull_filter(const char *const *args)
{
  static const char *const set[] = { "accept", "ignore", "reject", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must start with accept, ignore or reject");
}

static char *
chk_redirect(const char *const *args)
{
  static const char *const set[]
      = { "local",       "autolocal", "def1", "bypass-dhcp", "bypass-dns",
          "block-local", "!ipv4",     "ipv6", NULL };
  for (; *args != NULL; args++)
    if (!is_one_of(*args, set))
      return g_strdup_printf("unknown flag '%s'", *args);
  return NULL;
}

static char *
chk_compress(const char *const *args)
{
  static const char *const set[] = { "lzo", "lz4", "lz4-v2", "stub", "stub-v2", "migrate", NULL };
  return args[0] == NULL || is_one_of(args[0], set) ? NULL
                                                    : g_strdup("unknown compression algorithm");
}

static char *
chk_comp_lzo(const char *const *args)
{
  static const char *const set[] = { "yes", "no", "adaptive", NULL };
  return args[0] == NULL || is_one_of(args[0], set) ? NULL
                                                    : g_strdup("must be yes, no or adaptive");
}

static char *
chk_allow_compression(const char *const *args)
{
  static const char *const set[] = { "yes", "no", "asym", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be yes, no or asym");
}

static char *
chk_auth_retry(const char *const *args)
{
  static const char *const set[] = { "none", "nointeract", "interact", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be none, nointeract or interact");
}

static char *
chk_key_direction(const char *const *args)
{
  static const char *const set[] = { "0", "1", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be 0 or 1");
}

static char *
chk_remote_cert_tls(const char *const *args)
{
  static const char *const set[] = { "server", "client", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be server or client");
}

static char *
chk_tls_version(const char *const *args)
{
  static const char *const set[] = { "1.0", "1.1", "1.2", "1.3", NULL };
  if (!is_one_of(args[0], set))
    return g_strdup("must be 1.0, 1.1, 1.2 or 1.3");
  if (args[1] != NULL && g_strcmp0(args[1], "or-highest") != 0)
    return g_strdup("the second argument can only be or-highest");
  return NULL;
}

static char *
chk_verify_x509_name(const char *const *args)
{
  static const char *const set[] = { "name", "name-prefix", "subject", NULL };
  return args[1] == NULL || is_one_of(args[1], set)
             ? NULL
             : g_strdup("the type must be name, name-prefix or subject");
}

static char *
chk_http_proxy(const char *const *args)
{
  /* host port [auto|auto-nct|stdin [method]] — a credentials file path is refused earlier */
  return chk_port(args + 1);
}

static char *
chk_http_proxy_option(const char *const *args)
{
  /* openvpn 2.6: VERSION v, AGENT string, CUSTOM-HEADER name [content] */
  if (strcmp(args[0], "VERSION") == 0 || strcmp(args[0], "AGENT") == 0)
    return args[1] != NULL && args[2] == NULL ? NULL
                                              : g_strdup_printf("%s takes one value", args[0]);
  if (strcmp(args[0], "CUSTOM-HEADER") == 0)
    return args[1] != NULL ? NULL : g_strdup("CUSTOM-HEADER needs a header name");
  return g_strdup("must be VERSION, AGENT or CUSTOM-HEADER");
}

static char *
chk_socks_proxy(const char *const *args)
{
  return args[1] == NULL ? NULL : chk_port(args + 1);
}

static char *
chk_bind(const char *const *args)
{
  return args[0] == NULL || g_strcmp0(args[0], "ipv6only") == 0
             ? NULL
             : g_strdup("the only argument allowed is ipv6only");
}

static char *
chk_lladdr(const char *const *args)
{
  guint8 b[6];
  if (strlen(args[0]) == 17
      && sscanf(args[0], "%2hhx:%2hhx:%2hhx:%2hhx:%2hhx:%2hhx", &b[0], &b[1], &b[2], &b[3], &b[4],
                &b[5])
             == 6)
    return NULL;
  return g_strdup("must be a MAC address like 02:00:00:00:00:01");
}

static char *
chk_mtu_disc(const char *const *args)
{
  static const char *const set[] = { "no", "maybe", "yes", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be no, maybe or yes");
}

static char *
chk_tls_cert_profile(const char *const *args)
{
  static const char *const set[] = { "insecure", "legacy", "preferred", "suiteb", NULL };
  return is_one_of(args[0], set) ? NULL : g_strdup("must be insecure, legacy, preferred or suiteb");
}

static char *
chk_ns_cert_type(const char *const *args)
{
  return chk_remote_cert_tls(args);
}

/* A SHA-256 fingerprint, as openvpn 2.6 wants it: 32 hex byte pairs separated by colons. */
static char *
chk_fingerprint(const char *const *args)
{
  const char *f = args[0];

  if (strlen(f) != 32 * 3 - 1)
    return g_strdup("a SHA-256 fingerprint has 32 hex bytes separated by ':'");
  for (int i = 0; i < 32 * 3 - 1; i++)
    if ((i % 3 == 2) ? f[i] != ':' : !g_ascii_isxdigit(f[i]))
      return g_strdup("a SHA-256 fingerprint has 32 hex bytes separated by ':'");
  return NULL;
}

static char *
chk_explicit_exit(const char *const *args)
{
  return args[0] == NULL ? NULL : chk_all_uint(args);
}

/* --- the allowlist -------------------------------------------------------------------------- */

#define C  OVPN3_OPT_CONNECTION
#define B  OVPN3_OPT_BLOCK
#define BO (OVPN3_OPT_BLOCK | OVPN3_OPT_BLOCK_ONLY)
#define R  OVPN3_OPT_REPEAT

/* Client options of OpenVPN 2.6 (min args, max args, flags, value check).  Every name is
 * checked against real openvpn 2.6 by tests/profile/test-profile-openvpn.c, including the
 * <connection> column (C): exactly what openvpn accepts inside a <connection> block. */
static const Ovpn3ProfileOptInfo allowlist[] = {
  /* role and pull */
  { "client", 0, 0, 0, NULL },
  { "tls-client", 0, 0, 0, NULL },
  { "pull", 0, 0, 0, NULL },
  { "pull-filter", 2, 2, R, chk_pull_filter },
  { "route-nopull", 0, 0, 0, NULL },
  { "allow-pull-fqdn", 0, 0, 0, NULL },
  { "push-peer-info", 0, 0, 0, NULL },
  /* connection */
  { "remote", 1, 3, C | R, chk_remote },
  { "remote-random", 0, 0, 0, NULL },
  { "remote-random-hostname", 0, 0, 0, NULL },
  { "proto", 1, 1, C, chk_proto },
  { "proto-force", 1, 1, 0, chk_proto },
  { "port", 1, 1, C, chk_port },
  { "rport", 1, 1, C, chk_port },
  { "lport", 1, 1, C, chk_port },
  { "local", 1, 1, C, NULL },
  { "bind", 0, 1, C, chk_bind },
  { "nobind", 0, 0, C, NULL },
  { "float", 0, 0, C, NULL },
  { "connect-retry", 1, 2, C, chk_all_uint },
  { "connect-retry-max", 1, 1, C, chk_all_uint },
  { "connect-timeout", 1, 1, C, chk_all_uint },
  { "server-poll-timeout", 1, 1, C, chk_all_uint },
  { "resolv-retry", 1, 1, 0, chk_resolv_retry },
  { "explicit-exit-notify", 0, 1, C, chk_explicit_exit },
  { "http-proxy", 2, 4, C, chk_http_proxy },
  { "http-proxy-option", 2, 3, C, chk_http_proxy_option },
  { "http-proxy-user-pass", 0, 0, BO, NULL },
  { "socks-proxy", 1, 3, C, chk_socks_proxy },
  { "persist-remote-ip", 0, 0, 0, NULL },
  { "persist-local-ip", 0, 0, 0, NULL },
  /* MTU */
  { "tun-mtu", 1, 2, C, chk_all_uint },
  { "tun-mtu-extra", 1, 1, C, chk_all_uint },
  { "tun-mtu-max", 1, 1, C, chk_all_uint },
  { "link-mtu", 1, 1, C, chk_all_uint },
  { "mtu-disc", 1, 1, C, chk_mtu_disc },
  { "mtu-test", 0, 0, 0, NULL },
  { "fragment", 1, 2, C, chk_mtu_opt },
  { "mssfix", 0, 2, C, chk_mtu_opt },
  /* device */
  { "dev", 1, 1, 0, chk_dev },
  { "dev-type", 1, 1, 0, chk_dev_type },
  { "topology", 1, 1, 0, chk_topology },
  { "tun-ipv6", 0, 0, C, NULL },
  { "disable-dco", 0, 0, C, NULL },
  { "txqueuelen", 1, 1, 0, chk_all_uint },
  { "lladdr", 1, 1, 0, chk_lladdr },
  { "mark", 1, 1, 0, chk_all_uint },
  { "bind-dev", 1, 1, 0, chk_dev },
  { "persist-tun", 0, 0, 0, NULL },
  { "persist-key", 0, 0, 0, NULL },
  /* addresses, routes, DNS */
  { "ifconfig", 2, 2, 0, NULL },
  { "ifconfig-ipv6", 2, 2, 0, NULL },
  { "ifconfig-nowarn", 0, 0, 0, NULL },
  { "ifconfig-noexec", 0, 0, 0, NULL },
  { "route", 1, 4, R, NULL },
  { "route-ipv6", 1, 3, R, NULL },
  { "route-gateway", 1, 1, 0, NULL },
  { "route-ipv6-gateway", 1, 1, C, NULL },
  { "route-metric", 1, 1, 0, chk_all_uint },
  { "route-delay", 0, 2, 0, chk_all_uint },
  { "route-method", 1, 1, 0, NULL },
  { "route-noexec", 0, 0, 0, NULL },
  { "redirect-gateway", 0, 9, 0, chk_redirect },
  { "redirect-private", 0, 9, 0, chk_redirect },
  { "block-ipv6", 0, 0, 0, NULL },
  { "client-nat", 4, 4, 0, NULL },
  { "dhcp-option", 1, 2, 0, NULL },
  { "dns", 2, 15, 0, NULL },
  /* timers */
  { "keepalive", 2, 2, 0, chk_all_uint },
  { "ping", 1, 1, 0, chk_all_uint },
  { "ping-exit", 1, 1, 0, chk_all_uint },
  { "ping-restart", 1, 1, 0, chk_all_uint },
  { "ping-timer-rem", 0, 0, 0, NULL },
  { "inactive", 1, 2, 0, chk_all_uint },
  { "session-timeout", 1, 1, 0, chk_all_uint },
  { "hand-window", 1, 1, 0, chk_all_uint },
  { "tran-window", 1, 1, 0, chk_all_uint },
  { "tls-timeout", 1, 1, 0, chk_all_uint },
  { "reneg-sec", 1, 2, 0, chk_all_uint },
  { "reneg-bytes", 1, 1, 0, chk_all_uint },
  { "reneg-pkts", 1, 1, 0, chk_all_uint },
  /* crypto */
  { "cipher", 1, 1, 0, NULL },
  { "data-ciphers", 1, 1, 0, NULL },
  { "ncp-ciphers", 1, 1, 0, NULL },
  { "data-ciphers-fallback", 1, 1, 0, NULL },
  { "auth", 1, 1, 0, NULL },
  { "key-direction", 1, 1, C, chk_key_direction },
  { "tls-version-min", 1, 2, 0, chk_tls_version },
  { "tls-version-max", 1, 1, 0, chk_tls_version },
  { "tls-cipher", 1, 1, 0, NULL },
  { "tls-ciphersuites", 1, 1, 0, NULL },
  { "tls-groups", 1, 1, 0, NULL },
  { "ecdh-curve", 1, 1, 0, NULL },
  { "tls-cert-profile", 1, 1, 0, chk_tls_cert_profile },
  { "tls-exit", 0, 0, 0, NULL },
  { "replay-window", 1, 2, 0, chk_all_uint },
  { "mute-replay-warnings", 0, 0, 0, NULL },
  { "verify-x509-name", 1, 2, 0, chk_verify_x509_name },
  { "remote-cert-tls", 1, 1, 0, chk_remote_cert_tls },
  { "remote-cert-ku", 1, 15, 0, NULL },
  { "remote-cert-eku", 1, 1, 0, NULL },
  { "ns-cert-type", 1, 1, 0, chk_ns_cert_type },
  { "verify-hash", 1, 2, 0, NULL },
  { "peer-fingerprint", 1, 1, B | R, chk_fingerprint },
  { "x509-track", 1, 1, 0, NULL },
  /* inline files */
  { "ca", 0, 0, BO, NULL },
  { "cert", 0, 0, BO, NULL },
  { "key", 0, 0, BO, NULL },
  { "extra-certs", 0, 0, BO, NULL },
  { "pkcs12", 0, 0, BO, NULL },
  { "dh", 0, 0, BO, NULL },
  { "tls-auth", 0, 0, C | BO, NULL },
  { "tls-crypt", 0, 0, C | BO, NULL },
  { "tls-crypt-v2", 0, 0, C | BO, NULL },
  { "crl-verify", 0, 0, BO, NULL },
  { "connection", 0, 0, BO | R, NULL },
  /* credentials */
  { "auth-user-pass", 0, 1, B, NULL },
  { "auth-nocache", 0, 0, 0, NULL },
  { "auth-retry", 1, 1, 0, chk_auth_retry },
  { "static-challenge", 2, 2, 0, chk_static_challenge },
  { "askpass", 0, 0, 0, NULL },
  /* compression */
  { "compress", 0, 1, 0, chk_compress },
  { "comp-lzo", 0, 1, 0, chk_comp_lzo },
  { "comp-noadapt", 0, 0, 0, NULL },
  { "allow-compression", 1, 1, 0, chk_allow_compression },
  /* logging and misc */
  { "verb", 1, 1, 0, chk_verb },
  { "mute", 1, 1, 0, chk_all_uint },
  { "suppress-timestamps", 0, 0, 0, NULL },
  { "echo", 0, 15, 0, NULL },
  { "setenv", 1, 2, 0, NULL },
  { "setenv-safe", 1, 2, 0, NULL },
  { "sndbuf", 1, 1, 0, chk_all_uint },
  { "rcvbuf", 1, 1, 0, chk_all_uint },
  { "fast-io", 0, 0, 0, NULL },
  { "passtos", 0, 0, 0, NULL },
  { "shaper", 1, 1, 0, chk_all_uint },
  { "tcp-nodelay", 0, 0, 0, NULL },
  { "disable-occ", 0, 0, 0, NULL },
  { "nice", 1, 1, 0, chk_int },
  { "mlock", 0, 0, 0, NULL },
  { NULL, 0, 0, 0, NULL },
};

#undef C
#undef B
#undef BO
#undef R

const Ovpn3ProfileOptInfo *
ovpn3_profile_allowlist_table(void)
{
  return allowlist;
}

static GHashTable *
allowlist_index(void)
{
  static GHashTable *index = NULL;

  if (g_once_init_enter(&index))
    {
      GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
      for (const Ovpn3ProfileOptInfo *o = allowlist; o->name != NULL; o++)
        g_hash_table_insert(h, (gpointer) o->name, (gpointer) o);
      g_once_init_leave(&index, h);
    }
  return index;
}

const Ovpn3ProfileOptInfo *
ovpn3_profile_allowlist_lookup(const char *name)
{
  return g_hash_table_lookup(allowlist_index(), name);
}
