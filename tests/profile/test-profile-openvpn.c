#define G_LOG_DOMAIN "ovpn3-test-profile-openvpn"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <string.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-allowlist.h"

/* Does real openvpn 2.6 accept what we render?  Every allowlisted option (top level, and inside
 * a <connection> where allowed) with sample arguments is parsed by ovpn3, rendered, and given to
 * `openvpn --config FILE --show-digests`, which parses the whole configuration and exits before
 * connecting.  The openvpn binary is $OVPN3_OPENVPN (set by meson), else the configured one. */

#define FP32                                                                                      \
  "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:" \
  "99"

typedef struct
{
  const char *name;
  const char *sample; /* arguments, or block content for inline-only options */
} Sample;

static const Sample samples[] = {
  { "client", "" },
  { "tls-client", "" },
  { "pull", "" },
  { "pull-filter", "ignore \"route-ipv6\"" },
  { "route-nopull", "" },
  { "allow-pull-fqdn", "" },
  { "push-peer-info", "" },
  { "remote", "vpn.example.com 1194 udp" },
  { "remote-random", "" },
  { "remote-random-hostname", "" },
  { "proto", "udp" },
  { "proto-force", "udp" },
  { "port", "1194" },
  { "rport", "1194" },
  { "lport", "1194" },
  { "local", "127.0.0.1" },
  { "bind", "" },
  { "nobind", "" },
  { "float", "" },
  { "connect-retry", "5 300" },
  { "connect-retry-max", "3" },
  { "connect-timeout", "10" },
  { "server-poll-timeout", "10" },
  { "resolv-retry", "infinite" },
  { "explicit-exit-notify", "2" },
  { "http-proxy", "proxy.example 8080 auto basic" },
  { "http-proxy-option", "AGENT \"ovpn3 test\"" },
  { "http-proxy-user-pass", "user\npass\n" },
  { "socks-proxy", "127.0.0.1 1080 stdin" },
  { "persist-remote-ip", "" },
  { "persist-local-ip", "" },
  { "tun-mtu", "1500" },
  { "tun-mtu-extra", "32" },
  { "tun-mtu-max", "1600" },
  { "link-mtu", "1600" },
  { "mtu-disc", "yes" },
  { "mtu-test", "" },
  { "fragment", "1300 mtu" },
  { "mssfix", "1200 mtu" },
  { "dev", "tun" },
  { "dev-type", "tun" },
  { "topology", "subnet" },
  { "tun-ipv6", "" },
  { "disable-dco", "" },
  { "txqueuelen", "100" },
  { "lladdr", "02:00:00:00:00:01" },
  { "mark", "5" },
  { "bind-dev", "eth0" },
  { "persist-tun", "" },
  { "persist-key", "" },
  { "ifconfig", "10.8.0.2 255.255.255.0" },
  { "ifconfig-ipv6", "2001:db8::2/64 2001:db8::1" },
  { "ifconfig-nowarn", "" },
  { "ifconfig-noexec", "" },
  { "route", "10.0.0.0 255.0.0.0 vpn_gateway 5" },
  { "route-ipv6", "2001:db8:1::/48" },
  { "route-gateway", "10.8.0.1" },
  { "route-ipv6-gateway", "2001:db8::1" },
  { "route-metric", "5" },
  { "route-delay", "2" },
  { "route-method", "exe" },
  { "route-noexec", "" },
  { "redirect-gateway", "def1 bypass-dhcp ipv6" },
  { "redirect-private", "local" },
  { "block-ipv6", "" },
  { "client-nat", "snat 10.0.0.0 255.255.255.0 10.1.0.0" },
  { "dhcp-option", "DNS 10.8.0.1" },
  { "dns", "search-domains example.com" },
  { "keepalive", "10 60" },
  { "ping", "10" },
  { "ping-exit", "120" },
  { "ping-restart", "60" },
  { "ping-timer-rem", "" },
  { "inactive", "3600" },
  { "session-timeout", "3600" },
  { "hand-window", "60" },
  { "tran-window", "3600" },
  { "tls-timeout", "2" },
  { "reneg-sec", "3600" },
  { "reneg-bytes", "0" },
  { "reneg-pkts", "0" },
  { "cipher", "AES-256-GCM" },
  { "data-ciphers", "AES-256-GCM:AES-128-GCM" },
  { "ncp-ciphers", "AES-256-GCM" },
  { "data-ciphers-fallback", "AES-256-CBC" },
  { "auth", "SHA256" },
  { "key-direction", "1" },
  { "tls-version-min", "1.2 or-highest" },
  { "tls-version-max", "1.3" },
  { "tls-cipher", "TLS-ECDHE-RSA-WITH-AES-256-GCM-SHA384" },
  { "tls-ciphersuites", "TLS_AES_256_GCM_SHA384" },
  { "tls-groups", "X25519" },
  { "ecdh-curve", "secp384r1" },
  { "tls-cert-profile", "preferred" },
  { "tls-exit", "" },
  { "replay-window", "64 15" },
  { "mute-replay-warnings", "" },
  { "verify-x509-name", "\"C=DE, CN=server\" subject" },
  { "remote-cert-tls", "server" },
  { "remote-cert-ku", "a0 88" },
  { "remote-cert-eku", "\"TLS Web Server Authentication\"" },
  { "ns-cert-type", "server" },
  { "verify-hash", FP32 " SHA256" },
  { "peer-fingerprint", FP32 },
  { "x509-track", "CN" },
  { "ca", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
  { "cert", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
  { "key", "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n" },
  { "extra-certs", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" },
  { "pkcs12", "MIIKAgEDMIIJ\n" },
  { "dh", "-----BEGIN DH PARAMETERS-----\nMIIB\n-----END DH PARAMETERS-----\n" },
  { "tls-auth",
    "-----BEGIN OpenVPN Static key V1-----\n00\n-----END OpenVPN Static key V1-----\n" },
  { "tls-crypt",
    "-----BEGIN OpenVPN Static key V1-----\n00\n-----END OpenVPN Static key V1-----\n" },
  { "tls-crypt-v2", "-----BEGIN OpenVPN tls-crypt-v2 client key-----\nAA\n-----END OpenVPN "
                    "tls-crypt-v2 client key-----\n" },
  { "crl-verify", "-----BEGIN X509 CRL-----\nMIIB\n-----END X509 CRL-----\n" },
  { "connection", "remote backup.example.com 443 tcp\n" },
  { "auth-user-pass", "" },
  { "auth-nocache", "" },
  { "auth-retry", "interact" },
  { "static-challenge", "\"Enter OTP\" 1" },
  { "askpass", "" },
  { "compress", "stub-v2" },
  { "comp-lzo", "no" },
  { "comp-noadapt", "" },
  { "allow-compression", "no" },
  { "verb", "3" },
  { "mute", "20" },
  { "suppress-timestamps", "" },
  { "echo", "hello" },
  { "setenv", "FOO \"a b \\\"c\\\" \\\\d #e ;f\"" },
  { "setenv-safe", "BAR 'x\\y'" },
  { "sndbuf", "0" },
  { "rcvbuf", "0" },
  { "fast-io", "" },
  { "passtos", "" },
  { "shaper", "100000" },
  { "tcp-nodelay", "" },
  { "disable-occ", "" },
  { "nice", "0" },
  { "mlock", "" },
  { NULL, NULL },
};

static const Sample *
sample_for(const char *name)
{
  for (const Sample *s = samples; s->name != NULL; s++)
    if (strcmp(s->name, name) == 0)
      return s;
  return NULL;
}

static void
append_option(GString *text, const Ovpn3ProfileOptInfo *o, const Sample *s)
{
  if (o->flags & OVPN3_OPT_BLOCK_ONLY)
    g_string_append_printf(text, "<%s>\n%s</%s>\n", o->name, s->sample, o->name);
  else
    g_string_append_printf(text, "%s %s\n", o->name, s->sample);
}

/* Runs openvpn on @text; returns its exit status, *output gets stdout+stderr. */
static int
run_openvpn(const char *text, char **output)
{
  const char *openvpn = g_getenv("OVPN3_OPENVPN");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int fd = g_file_open_tmp("ovpn3-profile-XXXXXX.conf", &path, &error);
  int status = -1;

  g_assert_no_error(error);
  g_assert_true(g_file_set_contents(path, text, -1, &error));
  g_assert_no_error(error);
  close(fd);
  if (openvpn == NULL)
    openvpn = OVPN3_OPENVPN_BINARY;
  const char *argv[] = { openvpn, "--config", path, "--show-digests", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &status, &error));
  g_assert_no_error(error);
  g_unlink(path);
  *output = g_strconcat(out, err, NULL);
  return status;
}

static void
test_every_option_accepted(void)
{
  g_autoptr(GString) text = g_string_new(NULL);
  g_autoptr(GString) conn = g_string_new("<connection>\n");
  g_autoptr(GError) error = NULL;
  guint n = 0, nc = 0;

  for (const Ovpn3ProfileOptInfo *o = ovpn3_profile_allowlist_table(); o->name != NULL; o++)
    {
      const Sample *s = sample_for(o->name);
      if (s == NULL)
        g_error("no sample for allowlisted option '%s'", o->name);
      if (strcmp(o->name, "verify-hash") == 0)
        continue; /* openvpn: mutually exclusive with peer-fingerprint; tested alone below */
      append_option(text, o, s);
      n++;
      if ((o->flags & OVPN3_OPT_CONNECTION) != 0)
        {
          append_option(conn, o, s);
          nc++;
        }
    }
  g_string_append(conn, "</connection>\n");
  g_string_append(text, conn->str);
  /* inline credentials too, and a line of exactly 254 characters */
  g_string_append(text, "<auth-user-pass>\nalice\nsecret\n</auth-user-pass>\n");
  g_autofree char *long_arg = g_strnfill(254 - strlen("setenv LONG "), 'x');
  g_string_append_printf(text, "setenv LONG %s\n", long_arg);

  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text->str, -1, &error);
  g_assert_no_error(error);
  g_autofree char *rendered = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autofree char *out = NULL;
  int status = run_openvpn(rendered, &out);
  if (!g_spawn_check_wait_status(status, NULL) || strstr(out, "Options error") != NULL)
    g_error("openvpn refused the rendered profile:\n%s\n--- profile ---\n%s", out, rendered);
  g_test_message("openvpn accepted %u options, %u inside <connection>", n, nc);

  /* the rendering for openvpn (credentials stripped) is accepted too */
  g_autofree char *stripped = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS);
  g_autofree char *out2 = NULL;
  g_assert_null(strstr(stripped, "secret"));
  status = run_openvpn(stripped, &out2);
  g_assert_true(g_spawn_check_wait_status(status, NULL));

  /* verify-hash on its own */
  g_autofree char *vh = g_strdup_printf("verify-hash %s\n", sample_for("verify-hash")->sample);
  g_autoptr(Ovpn3Profile) pv = ovpn3_profile_new_from_text(vh, -1, &error);
  g_assert_no_error(error);
  g_autofree char *rv = ovpn3_profile_render(pv, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autofree char *out3 = NULL;
  status = run_openvpn(rv, &out3);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("openvpn refused:\n%s", out3);
}

static void
test_line_limit_is_openvpns(void)
{
  /* The 254-character limit is openvpn's: one more and it refuses the file. */
  g_autofree char *arg = g_strnfill(255 - strlen("setenv LONG "), 'x');
  g_autofree char *text = g_strdup_printf("setenv LONG %s\n", arg);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = run_openvpn(text, &out);
  g_assert_false(g_spawn_check_wait_status(status, NULL));
  g_assert_nonnull(strstr(out, "Maximum option line length"));
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text, -1, &error);
  g_assert_null(p);
  g_assert_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_INVALID);
}

static void
test_outside_connection_refused_by_openvpn(void)
{
  /* Our <connection> column matches openvpn's: every option we refuse inside a block, openvpn
   * refuses there too (the options we allow there are accepted by the test above). */
  guint n = 0;
  for (const Ovpn3ProfileOptInfo *o = ovpn3_profile_allowlist_table(); o->name != NULL; o++)
    {
      if ((o->flags & OVPN3_OPT_CONNECTION) != 0 || strcmp(o->name, "connection") == 0)
        continue;
      g_autoptr(GString) text = g_string_new("<connection>\nremote a.example\n");
      append_option(text, o, sample_for(o->name));
      g_string_append(text, "</connection>\n");
      g_autofree char *out = NULL;
      int status = run_openvpn(text->str, &out);
      if (g_spawn_check_wait_status(status, NULL)
          || strstr(out, "cannot be used in this context") == NULL)
        g_error("openvpn accepts '%s' inside <connection> but ovpn3 refuses it:\n%s", o->name, out);
      n++;
    }
  g_assert_cmpuint(n, >, 50);
}

static void
test_block_split_injection(void)
{
  /* openvpn reads block lines in 255-byte pieces and checks each piece for the closing tag:
   * the line after such a "content" line is then read as an option.  ovpn3 must refuse it. */
  g_autofree char *pad = g_strnfill(255, 'A');
  g_autofree char *text = g_strdup_printf("<ca>\n%s</ca>\nfrobnicate\n<ca>\nx\n</ca>\n", pad);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = run_openvpn(text, &out);
  g_assert_false(g_spawn_check_wait_status(status, NULL));
  g_assert_nonnull(strstr(out, "frobnicate"));
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text, -1, &error);
  g_assert_null(p);
  g_assert_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "where openvpn would end the block"));
}

static void
test_long_block_line(void)
{
  /* one-line base64 blocks (o3l#151) are fine for openvpn and for us */
  g_autofree char *b64 = g_strnfill(4000, 'Q');
  g_autofree char *text = g_strdup_printf("<ca>\n%s\n</ca>\n", b64);
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text, -1, &error);
  g_assert_no_error(error);
  g_autofree char *rendered = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autofree char *out = NULL;
  int status = run_openvpn(rendered, &out);
  if (!g_spawn_check_wait_status(status, NULL))
    g_error("openvpn refused a long block line:\n%s", out);
}

static void
test_arity_extremes(void)
{
  /* the shortest and longest forms we accept, as openvpn 2.6 reads them */
  static const char *const lines[] = {
    "bind ipv6only",
    "connect-retry 5",
    "explicit-exit-notify",
    "http-proxy p 8080",
    "http-proxy-option VERSION 1.1",
    "http-proxy-option CUSTOM-HEADER X-Foo bar",
    "socks-proxy p",
    "tun-mtu 1500 1400",
    "fragment 1300",
    "mssfix",
    "mssfix 1400 fixed",
    "route 10.0.0.0",
    "route 10.0.0.0 255.0.0.0 10.8.0.1 5",
    "route-ipv6 2001:db8::/32 2001:db8::1 5",
    "route-delay",
    "route-delay 1 2",
    "redirect-gateway",
    "redirect-gateway local autolocal def1 bypass-dhcp bypass-dns block-local !ipv4 ipv6",
    "redirect-private def1",
    "dhcp-option DISABLE-NBT",
    "dns server 1 address 10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 10.0.0.7 10.0.0.8",
    "dns search-domains a b c d e f g h i j k l m n",
    "inactive 3600 1000",
    "reneg-sec 3600 1800",
    "replay-window 64",
    "verify-x509-name server",
    "remote-cert-ku a0 88 80 08 01 02 03 04 05 06 07 09 0a 0b 0c",
    "verify-hash AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD",
    "compress",
    "comp-lzo",
    "echo",
    "echo a b c d e f g h i j k l m n o",
    "setenv FOO",
    "setenv-safe FOO",
    "remote a",
    "remote a 1194",
    "static-challenge \"a b\" 0",
    "auth-user-pass",
    "auth-user-pass stdin",
    "tls-version-min 1.3",
    NULL,
  };
  g_autoptr(GString) text = g_string_new(NULL);
  g_autoptr(GError) error = NULL;

  for (const char *const *l = lines; *l != NULL; l++)
    g_string_append_printf(text, "%s\n", *l);
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text->str, -1, &error);
  g_assert_no_error(error);
  g_autofree char *rendered = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autofree char *out = NULL;
  int status = run_openvpn(rendered, &out);
  if (!g_spawn_check_wait_status(status, NULL) || strstr(out, "Options error") != NULL)
    g_error("openvpn refused:\n%s\n--- profile ---\n%s", out, rendered);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/profile/openvpn/every-option-accepted", test_every_option_accepted);
  g_test_add_func("/profile/openvpn/line-limit", test_line_limit_is_openvpns);
  g_test_add_func("/profile/openvpn/connection-scope", test_outside_connection_refused_by_openvpn);
  g_test_add_func("/profile/openvpn/block-split-injection", test_block_split_injection);
  g_test_add_func("/profile/openvpn/long-block-line", test_long_block_line);
  g_test_add_func("/profile/openvpn/arity-extremes", test_arity_extremes);
  return g_test_run();
}
