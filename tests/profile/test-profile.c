#define G_LOG_DOMAIN "ovpn3-test-profile"

#include "config.h"

#include <string.h>

#include "ovpn3-profile.h"
#include "ovpn3-profile-allowlist.h"

/* --- helpers ------------------------------------------------------------------------------ */

#define PEM_CA "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2E=\n-----END CERTIFICATE-----\n"

#define FP                                                                                        \
  "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:" \
  "99"

#define MINIMAL                       \
  "client\n"                          \
  "dev tun\n"                         \
  "remote vpn.example.com 1194 udp\n" \
  "<ca>\n" PEM_CA "</ca>\n"

static Ovpn3Profile *
parse_ok(const char *text)
{
  g_autoptr(GError) error = NULL;
  Ovpn3Profile *p = ovpn3_profile_new_from_text(text, -1, &error);
  g_assert_no_error(error);
  g_assert_nonnull(p);
  return p;
}

static void
assert_fail_len(const char *text, gssize len, gint code, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text, len, &error);
  g_assert_null(p);
  g_assert_error(error, OVPN3_PROFILE_ERROR, code);
  if (expected != NULL && strstr(error->message, expected) == NULL)
    g_error("error '%s' does not contain '%s'", error->message, expected);
  g_assert_true(g_str_has_prefix(error->message, "Invalid configuration profile: "));
}

static void
assert_fail(const char *text, gint code, const char *expected)
{
  assert_fail_len(text, -1, code, expected);
}

static void
assert_fail_exact(const char *text, gint code, const char *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text, -1, &error);
  g_assert_null(p);
  g_assert_error(error, OVPN3_PROFILE_ERROR, code);
  g_assert_cmpstr(error->message, ==, message);
}

static const char *const *
args_of(Ovpn3Profile *p, const char *name)
{
  const char *const *a = ovpn3_profile_get_args(p, name);
  g_assert_nonnull(a);
  return a;
}

/* render → parse gives an equal profile, and rendering is stable */
static void
assert_render_roundtrip(Ovpn3Profile *p)
{
  g_autofree char *text = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autoptr(Ovpn3Profile) again = parse_ok(text);
  g_autofree char *text2 = ovpn3_profile_render(again, OVPN3_PROFILE_RENDER_DEFAULT);
  g_assert_true(ovpn3_profile_equal(p, again));
  g_assert_cmpstr(text, ==, text2);
}

/* to_json → from_json gives the same JSON; and its rendering parses back */
static void
assert_json_roundtrip(Ovpn3Profile *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) j1 = ovpn3_profile_to_json(p);
  g_autoptr(Ovpn3Profile) q = ovpn3_profile_new_from_json(j1, &error);
  g_assert_no_error(error);
  g_autoptr(JsonNode) j2 = ovpn3_profile_to_json(q);
  g_assert_true(json_node_equal(j1, j2));
  g_autofree char *s = ovpn3_profile_to_json_string(p);
  g_autoptr(Ovpn3Profile) r = ovpn3_profile_new_from_json_string(s, &error);
  g_assert_no_error(error);
  g_assert_true(ovpn3_profile_equal(q, r));
  assert_render_roundtrip(q);
}

static void json_fail(const char *json, gint code, const char *expected);

/* --- lexer -------------------------------------------------------------------------------- */

static void
test_minimal(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok(MINIMAL);
  g_autoptr(GError) error = NULL;
  g_assert_true(ovpn3_profile_validate(p, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(ovpn3_profile_get_n_directives(p), ==, 4);
  g_assert_cmpstr(ovpn3_profile_get_block(p, "ca"), ==, PEM_CA);
  g_assert_cmpstr(args_of(p, "remote")[2], ==, "udp");
}

static void
test_comments(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("# comment\n"
                                       "; another\n"
                                       "   # indented\n"
                                       "\n"
                                       "\t\n"
                                       "verb 3 # trailing\n"
                                       "mute 10 ; trailing\n"
                                       "setenv A b#c\n");
  g_assert_cmpuint(ovpn3_profile_get_n_directives(p), ==, 3);
  g_assert_cmpuint(g_strv_length((char **) args_of(p, "verb")), ==, 1);
  g_assert_cmpstr(args_of(p, "setenv")[1], ==, "b#c");
}

static void
test_keepalive_comment(void)
{
  /* the openvpn3-linux bug o3l#26: a ';' comment must not become an argument */
  g_autoptr(Ovpn3Profile) p = parse_ok("keepalive 10 60 ;comment\n");
  g_assert_cmpuint(g_strv_length((char **) args_of(p, "keepalive")), ==, 2);
}

static void
test_double_quotes(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv IV_GUI_VER \"ovpn3 1.0 # not a comment\"\n");
  g_assert_cmpstr(args_of(p, "setenv")[1], ==, "ovpn3 1.0 # not a comment");
}

static void
test_escapes(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("static-challenge \"a\\\\b \\\"c\\\"\\ d\" 1\n"
                                       "setenv X a\\ b\\\\c\n");
  g_assert_cmpstr(args_of(p, "static-challenge")[0], ==, "a\\b \"c\" d");
  g_assert_cmpstr(args_of(p, "setenv")[1], ==, "a b\\c");
}

static void
test_single_quotes(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv X 'a\\b \"c\" #d'\n");
  g_assert_cmpstr(args_of(p, "setenv")[1], ==, "a\\b \"c\" #d");
}

static void
test_empty_quoted(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv X \"\"\n");
  g_assert_cmpstr(args_of(p, "setenv")[1], ==, "");
  assert_render_roundtrip(p);
}

static void
test_quote_boundaries(void)
{
  /* openvpn: a quote inside an unquoted token is literal; a closing quote ends the token */
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv ab\"c\n"
                                       "setenv \"x\"y\n");
  g_autofree char *r = ovpn3_profile_render(p, 0);
  g_assert_cmpstr(r, ==, "setenv \"ab\\\"c\"\nsetenv x y\n");
}

static void
test_bad_escape_quoted(void)
{
  assert_fail_exact("verb 3\nsetenv X \"a\\nb\"\n", OVPN3_PROFILE_ERROR_INVALID,
                    "Invalid configuration profile: line 2: bad escape '\\n' (only \\\\, \\\" and "
                    "\"\\ \" are allowed; write a backslash as \\\\)");
}

static void
test_bad_escape_unquoted(void)
{
  assert_fail("setenv X C:\\temp\n", OVPN3_PROFILE_ERROR_INVALID, "line 1: bad escape '\\t'");
}

static void
test_unterminated_double(void)
{
  assert_fail("verb 3\n\nsetenv X \"abc\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 3: unterminated quoted string (missing closing \")");
}

static void
test_unterminated_single(void)
{
  assert_fail("setenv X 'abc\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 1: unterminated quoted string (missing closing ')");
}

static void
test_trailing_backslash(void)
{
  assert_fail("setenv X abc\\\n", OVPN3_PROFILE_ERROR_INVALID, "backslash at the end of the line");
}

static void
test_token_256(void)
{
  /* a 256-character token is legal for the lexer but the line would exceed 254 characters */
  g_autofree char *tok = g_strnfill(256, 'a');
  g_autofree char *text = g_strdup_printf("setenv X %s\n", tok);
  assert_fail(text, OVPN3_PROFILE_ERROR_INVALID,
              "line 1: the 'setenv' line is longer than 254 characters");
}

static void
test_token_too_long(void)
{
  g_autofree char *tok = g_strnfill(257, 'a');
  g_autofree char *text = g_strdup_printf("setenv X %s\n", tok);
  assert_fail(text, OVPN3_PROFILE_ERROR_INVALID,
              "line 1: a parameter is longer than 256 characters");
}

static void
test_line_254(void)
{
  /* "setenv X " is 9 characters: 245 more make exactly 254 */
  g_autofree char *ok = g_strnfill(245, 'b');
  g_autofree char *bad = g_strnfill(246, 'b');
  g_autofree char *t1 = g_strdup_printf("setenv X %s\n", ok);
  g_autofree char *t2 = g_strdup_printf("setenv X %s\n", bad);
  g_autoptr(Ovpn3Profile) p = parse_ok(t1);
  g_autofree char *r = ovpn3_profile_render(p, 0);
  g_assert_cmpuint(strlen(r), ==, 255);
  assert_fail(t2, OVPN3_PROFILE_ERROR_INVALID, "longer than 254 characters");
}

static void
test_line_limit_after_quoting(void)
{
  /* 244 characters with a space: quoting adds two, so the rendered line is 255 */
  g_autofree char *a = g_strnfill(122, 'c');
  g_autofree char *text = g_strdup_printf("setenv X \"%s %s\"\n", a, a);
  g_assert_cmpuint(strlen(text), <, 260);
  assert_fail(text, OVPN3_PROFILE_ERROR_INVALID, "longer than 254 characters");
}

static void
test_nul_byte(void)
{
  static const char text[] = "verb 3\nmute 2\0\nclient\n";
  assert_fail_len(text, sizeof text - 1, OVPN3_PROFILE_ERROR_INVALID,
                  "line 2: the profile contains a NUL byte");
}

static void
test_invalid_utf8(void)
{
  assert_fail("verb 3\nsetenv X \xc3\x28\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 2: the profile is not valid UTF-8 text");
  assert_fail("<ca>\n\xff\xfe\n</ca>\n", OVPN3_PROFILE_ERROR_INVALID, "not valid UTF-8");
}

static void
test_utf8_ok(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("static-challenge \"Código OTP — 🔑\" 1\n");
  g_assert_cmpstr(args_of(p, "static-challenge")[0], ==, "Código OTP — 🔑");
  assert_render_roundtrip(p);
}

static void
test_control_char(void)
{
  assert_fail("verb 3\x01\n", OVPN3_PROFILE_ERROR_INVALID, "line 1: the line contains a control");
  assert_fail("verb\r3\n", OVPN3_PROFILE_ERROR_INVALID, "control character");
}

static void
test_10mb(void)
{
  gsize size = 10 * 1024 * 1024;
  g_autofree char *big = g_malloc(size + 1);
  for (gsize i = 0; i < size; i += 16)
    memcpy(big + i, "# padding line\n\n", 16);
  big[size] = '\0';
  gint64 start = g_get_monotonic_time();
  assert_fail_len(big, size, OVPN3_PROFILE_ERROR_TOO_LARGE, "larger than 1048576 bytes (1 MiB)");
  /* refused before any work: well under a second */
  g_assert_cmpint(g_get_monotonic_time() - start, <, G_USEC_PER_SEC);
  assert_fail(big, OVPN3_PROFILE_ERROR_TOO_LARGE, "1 MiB");
}

static void
test_size_limit_edge(void)
{
  gsize size = OVPN3_PROFILE_MAX_SIZE;
  g_autofree char *text = g_malloc(size + 2);
  memset(text, '#', size);
  text[size - 1] = '\n';
  text[size] = '\0';
  g_autoptr(Ovpn3Profile) p = parse_ok(text);
  g_assert_cmpuint(ovpn3_profile_get_n_directives(p), ==, 0);
  text[size] = '\n';
  text[size + 1] = '\0';
  assert_fail(text, OVPN3_PROFILE_ERROR_TOO_LARGE, NULL);
}

static void
test_crlf(void)
{
  g_autoptr(Ovpn3Profile) a = parse_ok(MINIMAL "<key>\nk1\nk2\n</key>\n");
  g_autoptr(Ovpn3Profile) b = parse_ok(
      "client\r\ndev tun\r\nremote vpn.example.com 1194 udp\r\n<ca>\r\n"
      "-----BEGIN CERTIFICATE-----\r\nMIIBszCCAVmgAwIBAgIUQ2E=\r\n-----END CERTIFICATE-----\r\n"
      "</ca>\r\n<key>\r\nk1\r\nk2\r\n</key>\r\n");
  g_assert_true(ovpn3_profile_equal(a, b));
}

static void
test_no_final_newline(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("client\ndev tun");
  g_assert_cmpstr(args_of(p, "dev")[0], ==, "tun");
}

static void
test_bom(void)
{
  g_autoptr(Ovpn3Profile) a = parse_ok("\xEF\xBB\xBF" MINIMAL);
  g_autoptr(Ovpn3Profile) b = parse_ok(MINIMAL);
  g_assert_true(ovpn3_profile_equal(a, b));
  /* only at the very start */
  assert_fail("client\n\xEF\xBB\xBF"
              "dev tun\n",
              OVPN3_PROFILE_ERROR_NOT_ALLOWED, "line 2:");
}

static void
test_double_dash(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("--client\n--dev tun\n");
  g_assert_true(ovpn3_profile_has_option(p, "client"));
  g_assert_cmpstr(args_of(p, "dev")[0], ==, "tun");
}

/* --- blocks ------------------------------------------------------------------------------- */

static void
test_block_content(void)
{
  g_autoptr(Ovpn3Profile) p
      = parse_ok("<tls-crypt>\n  indented line  \n#not a comment\n</tls-crypt>\n");
  g_assert_cmpstr(ovpn3_profile_get_block(p, "tls-crypt"), ==,
                  "  indented line  \n#not a comment\n");
  assert_render_roundtrip(p);
}

static void
test_block_long_line(void)
{
  /* base64 on one line (o3l#151): block lines have no length limit */
  g_autofree char *b64 = g_strnfill(4000, 'Q');
  g_autofree char *text = g_strdup_printf("<ca>\n%s\n</ca>\n", b64);
  g_autoptr(Ovpn3Profile) p = parse_ok(text);
  assert_render_roundtrip(p);
}

static void
test_block_split_injection(void)
{
  /* a closing tag 255 bytes into a block line ends the block in openvpn (fgets pieces) */
  g_autofree char *pad = g_strnfill(255, 'A');
  g_autofree char *t1 = g_strdup_printf("<ca>\n%s</ca>\nplugin /tmp/x.so\n<ca>\nx\n</ca>\n", pad);
  g_autofree char *pad2 = g_strnfill(510, 'A');
  g_autofree char *t2 = g_strdup_printf("<key>\n%s  </key>\nup /bin/sh\n</key>\n", pad2);
  g_autofree char *pad3 = g_strnfill(254, 'A');
  g_autofree char *t3 = g_strdup_printf("<ca>\n%s</ca>x\n</ca>\n", pad3);
  assert_fail(t1, OVPN3_PROFILE_ERROR_INVALID,
              "line 1: a long line of the <ca> block contains </ca> after 255 characters");
  assert_fail(t2, OVPN3_PROFILE_ERROR_INVALID, "where openvpn would end the block");
  g_autoptr(Ovpn3Profile) p = parse_ok(t3); /* piece 2 starts with "/ca>x": harmless */
  assert_render_roundtrip(p);
  g_autofree char *json = g_strdup_printf("{\"ca\":\"%s</ca>\\nplugin x\\n\"}", pad);
  json_fail(json, OVPN3_PROFILE_ERROR_INVALID, "where openvpn would end the block");
}

static void
test_block_long_line_in_connection(void)
{
  g_autofree char *b = g_strnfill(300, 'Q');
  g_autofree char *text = g_strdup_printf(
      "<connection>\nremote a\n<tls-crypt>\n%s\n</tls-crypt>\n</connection>\n", b);
  assert_fail(text, OVPN3_PROFILE_ERROR_INVALID,
              "a line of the <tls-crypt> block inside <connection> is longer than 254");
}

static void
test_block_unterminated(void)
{
  assert_fail("client\n<ca>\nabc\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 2: <ca> is not closed (missing </ca>)");
  assert_fail("<ca>\nabc\n</cert>\n", OVPN3_PROFILE_ERROR_INVALID, "<ca> is not closed");
}

static void
test_block_stray_close(void)
{
  assert_fail("client\n</ca>\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 2: </ca> without a matching <ca>");
}

static void
test_block_text_after_tags(void)
{
  assert_fail("<ca> x\n</ca>\n", OVPN3_PROFILE_ERROR_INVALID, "unexpected text after <ca>");
  assert_fail("<ca>\nabc\n</ca> x\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 3: unexpected text after </ca>");
}

static void
test_block_empty(void)
{
  assert_fail("<ca>\n</ca>\n", OVPN3_PROFILE_ERROR_INVALID, "the <ca> block is empty");
}

static void
test_block_not_inline_capable(void)
{
  assert_fail("<verb>\n3\n</verb>\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'verb' is not allowed (cannot be given as an inline block)");
  assert_fail("<plugin>\nx\n</plugin>\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "(loads code into openvpn)");
}

static void
test_block_too_large(void)
{
  g_autofree char *b = g_strnfill(OVPN3_PROFILE_MAX_BLOCK + 10, 'x');
  g_autofree char *text = g_strdup_printf("<ca>\n%s\n</ca>\n", b);
  assert_fail(text, OVPN3_PROFILE_ERROR_TOO_LARGE, "the <ca> block is larger than");
}

static void
test_block_needed(void)
{
  assert_fail("ca\n", OVPN3_PROFILE_ERROR_INVALID, "'ca' must be an inline <ca>…</ca> block");
}

static void
test_connection_blocks(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("client\n"
                                       "dev tun\n"
                                       "proto tcp\n"
                                       "<connection>\n"
                                       "remote a.example 443 tcp\n"
                                       "# comment\n"
                                       "connect-timeout 5\n"
                                       "</connection>\n"
                                       "<connection>\n"
                                       "remote b.example\n"
                                       "port 1195\n"
                                       "proto udp\n"
                                       "http-proxy proxy.example 8080 auto\n"
                                       "<tls-crypt>\nk\n</tls-crypt>\n"
                                       "</connection>\n"
                                       "<http-proxy-user-pass>\nu\np\n</http-proxy-user-pass>\n");
  g_autoptr(GPtrArray) remotes = ovpn3_profile_get_remotes(p);
  g_assert_cmpuint(ovpn3_profile_get_n_connections(p), ==, 2);
  g_assert_cmpuint(remotes->len, ==, 2);
  Ovpn3ProfileRemote *r0 = remotes->pdata[0], *r1 = remotes->pdata[1];
  g_assert_cmpstr(r0->host, ==, "a.example");
  g_assert_cmpstr(r0->port, ==, "443");
  g_assert_cmpstr(r0->proto, ==, "tcp");
  g_assert_cmpstr(r1->host, ==, "b.example");
  g_assert_cmpstr(r1->port, ==, "1195");
  g_assert_cmpstr(r1->proto, ==, "udp");
  g_assert_true(ovpn3_profile_has_http_proxy(p));
  g_assert_false(ovpn3_profile_has_socks_proxy(p));
  assert_render_roundtrip(p);
  assert_json_roundtrip(p);
}

static void
test_connection_allowlist(void)
{
  assert_fail_exact("client\n<connection>\nremote a\ndev tun\n</connection>\n",
                    OVPN3_PROFILE_ERROR_NOT_ALLOWED,
                    "Invalid configuration profile: line 4: 'dev' is not allowed (cannot be "
                    "used inside a <connection> block)");
  assert_fail("<connection>\nremote a\nup /bin/sh\n</connection>\n",
              OVPN3_PROFILE_ERROR_NOT_ALLOWED, "line 3: 'up' is not allowed (runs a program");
  assert_fail("<connection>\nremote a\nlport 70000\n</connection>\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 3: invalid argument for 'lport'");
}

static void
test_connection_nested(void)
{
  /* in text the first </connection> closes the outer block, so the inner one is unclosed */
  assert_fail("<connection>\nremote a\n<connection>\nremote b\n</connection>\n",
              OVPN3_PROFILE_ERROR_INVALID, "line 3: <connection> is not closed");
  json_fail("{\"connection\":[[\"remote a\\n<connection>\\nremote b\\n</connection>\\n\"]]}",
            OVPN3_PROFILE_ERROR_NOT_ALLOWED,
            "'connection' is not allowed (cannot be used inside a <connection> block)");
}

static void
test_connection_one_remote(void)
{
  assert_fail("<connection>\nproto tcp\n</connection>\n", OVPN3_PROFILE_ERROR_INVALID,
              "line 1: a <connection> block must contain exactly one 'remote' (it has 0)");
  assert_fail("client\n<connection>\nremote a\nremote b\n</connection>\n",
              OVPN3_PROFILE_ERROR_INVALID, "line 2: a <connection> block must contain exactly one");
}

static void
test_connection_empty(void)
{
  assert_fail("<connection>\n# nothing\n</connection>\n", OVPN3_PROFILE_ERROR_INVALID,
              "the <connection> block is empty");
}

/* --- allowlist ---------------------------------------------------------------------------- */

static void
test_refused_example(void)
{
  g_autoptr(GString) s = g_string_new(NULL);
  for (int i = 1; i < 12; i++)
    g_string_append_printf(s, "# line %d\n", i);
  g_string_append(s, "plugin /usr/lib/openvpn/plugins/x.so\n");
  assert_fail_exact(s->str, OVPN3_PROFILE_ERROR_NOT_ALLOWED,
                    "Invalid configuration profile: line 12: 'plugin' is not allowed (loads code "
                    "into openvpn)");
}

static void
test_refused_all(void)
{
  const char *const *names = ovpn3_profile_allowlist_refused_names();
  guint n = 0;

  for (; *names != NULL; names++, n++)
    {
      g_autofree char *text = g_strdup_printf("client\n%s x\n", *names);
      g_autofree char *prefix
          = g_strdup_printf("Invalid configuration profile: line 2: '%s' is not allowed (", *names);
      g_autoptr(GError) error = NULL;
      g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text(text, -1, &error);

      g_assert_null(p);
      g_assert_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_NOT_ALLOWED);
      if (!g_str_has_prefix(error->message, prefix) || !g_str_has_suffix(error->message, ")"))
        g_error("%s: unexpected message '%s'", *names, error->message);
      g_assert_false(strstr(error->message, "(unknown option)") != NULL);
      /* also without arguments */
      g_clear_error(&error);
      g_autofree char *bare = g_strdup_printf("%s\n", *names);
      g_autoptr(Ovpn3Profile) q = ovpn3_profile_new_from_text(bare, -1, &error);
      g_assert_null(q);
      g_assert_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_NOT_ALLOWED);
    }
  g_assert_cmpuint(n, >, 100);
}

static void
test_refused_design_list(void)
{
  /* docs/architecture.md §4, spelled out */
  static const char *const design[] = { "plugin",
                                        "up",
                                        "down",
                                        "down-pre",
                                        "route-up",
                                        "route-pre-down",
                                        "ipchange",
                                        "tls-verify",
                                        "learn-address",
                                        "client-connect",
                                        "client-disconnect",
                                        "auth-user-pass-verify",
                                        "script-security",
                                        "management",
                                        "management-hold",
                                        "management-client-user",
                                        "management-external-key",
                                        "config",
                                        "cd",
                                        "chroot",
                                        "daemon",
                                        "log",
                                        "log-append",
                                        "syslog",
                                        "status",
                                        "writepid",
                                        "user",
                                        "group",
                                        "dev-node",
                                        "iproute",
                                        "engine",
                                        "providers",
                                        "tmp-dir",
                                        "ignore-unknown-option",
                                        "server",
                                        "push",
                                        "tls-server",
                                        "mode",
                                        "ifconfig-pool",
                                        "client-config-dir",
                                        NULL };
  for (const char *const *n = design; *n != NULL; n++)
    {
      g_autofree char *text = g_strdup_printf("%s arg\n", *n);
      g_autofree char *want = g_strdup_printf("line 1: '%s' is not allowed (", *n);
      assert_fail(text, OVPN3_PROFILE_ERROR_NOT_ALLOWED, want);
    }
}

static void
test_setenv_opt(void)
{
  assert_fail_exact("setenv opt block-outside-dns\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
                    "Invalid configuration profile: line 1: 'setenv opt' is not allowed (hides "
                    "unknown options from openvpn)");
  assert_fail("setenv FORWARD_COMPATIBLE 1\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'setenv FORWARD_COMPATIBLE' is not allowed");
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv UV_FOO bar\nsetenv-safe X y\n");
  g_assert_true(ovpn3_profile_has_option(p, "setenv"));
}

static void
test_unknown(void)
{
  assert_fail_exact("client\nfrobnicate 1\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
                    "Invalid configuration profile: line 2: 'frobnicate' is not allowed "
                    "(unknown option)");
  assert_fail("Remote a\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "(unknown option)");
}

static void
test_windows_only(void)
{
  assert_fail("block-outside-dns\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'block-outside-dns' is not allowed (Windows-only option");
}

static void
test_file_paths(void)
{
  static const char *const opts[]
      = { "ca",       "cert",      "key",          "pkcs12",     "extra-certs",          "dh",
          "tls-auth", "tls-crypt", "tls-crypt-v2", "crl-verify", "http-proxy-user-pass", NULL };
  for (const char *const *o = opts; *o != NULL; o++)
    {
      g_autofree char *text = g_strdup_printf("%s /etc/openvpn/file.pem\n", *o);
      g_autofree char *want = g_strdup_printf(
          "line 1: '%s /etc/openvpn/file.pem' is not allowed (file paths are not allowed", *o);
      assert_fail(text, OVPN3_PROFILE_ERROR_NOT_ALLOWED, want);
    }
  assert_fail("tls-auth ta.key 1\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "file paths");
  assert_fail("capath /etc/ssl/certs\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "'capath'");
  assert_fail("askpass /root/pass\n", OVPN3_PROFILE_ERROR_INVALID, "'askpass' takes no arg");
  assert_fail("secret static.key\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "static-key mode");
}

static void
test_auth_user_pass_forms(void)
{
  assert_fail("auth-user-pass /etc/passwd\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'auth-user-pass <file>' is not allowed (file paths are not allowed");
  {
    /* a secret typed where the file name goes never shows up in the message (it may be logged) */
    g_autoptr(GError) error = NULL;
    g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_text("auth-user-pass hunter2\n", -1, &error);
    g_assert_null(p);
    g_assert_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_NOT_ALLOWED);
    g_assert_null(strstr(error->message, "hunter2"));
  }
  g_autoptr(Ovpn3Profile) bare = parse_ok("auth-user-pass\n");
  g_autoptr(Ovpn3Profile) stdin_ = parse_ok("auth-user-pass stdin\n");
  g_autoptr(Ovpn3Profile) inl = parse_ok("<auth-user-pass>\nalice\ns3cret\n</auth-user-pass>\n");
  g_assert_true(ovpn3_profile_needs_user_pass(bare));
  g_assert_true(ovpn3_profile_needs_user_pass(stdin_));
  g_assert_false(ovpn3_profile_needs_user_pass(inl));
}

static void
test_proxy_credentials_files(void)
{
  assert_fail("http-proxy p 8080 /root/creds basic\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'http-proxy … <file>' is not allowed (file paths");
  assert_fail("socks-proxy p 1080 /root/creds\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'socks-proxy … <file>' is not allowed");
  g_autoptr(Ovpn3Profile) p
      = parse_ok("http-proxy p 8080 auto-nct\nhttp-proxy-option AGENT \"x y\"\n");
  g_autoptr(Ovpn3Profile) q = parse_ok("socks-proxy 127.0.0.1 1080 stdin\n");
  g_assert_true(ovpn3_profile_has_socks_proxy(q));
  g_assert_true(ovpn3_profile_has_http_proxy(p));
  g_assert_cmpstr(ovpn3_profile_get_args(p, "http-proxy-option")[1], ==, "x y");
}

static void
test_arity(void)
{
  assert_fail_exact("keepalive 10\n", OVPN3_PROFILE_ERROR_INVALID,
                    "Invalid configuration profile: line 1: 'keepalive' takes 2 arguments, not "
                    "1");
  assert_fail("client yes\n", OVPN3_PROFILE_ERROR_INVALID, "'client' takes no arguments, not 1");
  assert_fail("remote a 1 udp extra\n", OVPN3_PROFILE_ERROR_INVALID,
              "'remote' takes 1 to 3 arguments, not 4");
  assert_fail("dev\n", OVPN3_PROFILE_ERROR_INVALID, "'dev' takes 1 argument, not 0");
}

static void
test_values(void)
{
  assert_fail("dev-type bridge\n", OVPN3_PROFILE_ERROR_INVALID, "invalid argument for 'dev-type'");
  assert_fail("proto sctp\n", OVPN3_PROFILE_ERROR_INVALID, "'sctp' is not a protocol");
  assert_fail("verb 12\n", OVPN3_PROFILE_ERROR_INVALID, "from 0 to 11");
  assert_fail("remote a 99999\n", OVPN3_PROFILE_ERROR_INVALID, "'99999' is not a port");
  assert_fail("dev ../../etc\n", OVPN3_PROFILE_ERROR_INVALID, "is not a device name");
  assert_fail("pull-filter drop route\n", OVPN3_PROFILE_ERROR_INVALID, "accept, ignore or reject");
  assert_fail("redirect-gateway def1 evil\n", OVPN3_PROFILE_ERROR_INVALID, "unknown flag 'evil'");
  assert_fail("static-challenge \"x\" 2\n", OVPN3_PROFILE_ERROR_INVALID, "echo flag");
  assert_fail("lladdr zz\n", OVPN3_PROFILE_ERROR_INVALID, "MAC address");
  assert_fail("peer-fingerprint AA:BB\n", OVPN3_PROFILE_ERROR_INVALID, "SHA-256 fingerprint");
}

static void
test_generous(void)
{
  /* a typical real-world client profile with many legitimate options */
  g_autoptr(Ovpn3Profile) p = parse_ok("client\n"
                                       "dev tun\n"
                                       "proto udp\n"
                                       "remote vpn1.example.com 1194\n"
                                       "remote vpn2.example.com 443 tcp\n"
                                       "remote-random\n"
                                       "resolv-retry infinite\n"
                                       "nobind\n"
                                       "persist-key\n"
                                       "persist-tun\n"
                                       "remote-cert-tls server\n"
                                       "verify-x509-name \"C=DE, CN=server\" subject\n"
                                       "cipher AES-256-GCM\n"
                                       "data-ciphers AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305\n"
                                       "auth SHA256\n"
                                       "tls-version-min 1.2 or-highest\n"
                                       "key-direction 1\n"
                                       "compress stub-v2\n"
                                       "comp-lzo no\n"
                                       "keepalive 10 60\n"
                                       "ping-timer-rem\n"
                                       "fragment 1300\n"
                                       "mssfix 1200 mtu\n"
                                       "pull-filter ignore \"route-ipv6\"\n"
                                       "pull-filter accept \"route 10.\"\n"
                                       "route 192.168.10.0 255.255.255.0 vpn_gateway\n"
                                       "route-ipv6 2001:db8::/32\n"
                                       "redirect-gateway def1 bypass-dhcp ipv6\n"
                                       "block-ipv6\n"
                                       "dhcp-option DNS 10.8.0.1\n"
                                       "dhcp-option DOMAIN corp.example\n"
                                       "static-challenge \"Enter OTP\" 1\n"
                                       "auth-user-pass\n"
                                       "auth-nocache\n"
                                       "verb 4\n"
                                       "mute 20\n"
                                       "explicit-exit-notify 2\n"
                                       "setenv CLIENT_CERT 0\n"
                                       "push-peer-info\n"
                                       "<ca>\n" PEM_CA "</ca>\n"
                                       "<tls-crypt-v2>\nabc\n</tls-crypt-v2>\n");
  g_autoptr(GError) error = NULL;
  g_assert_true(ovpn3_profile_validate(p, &error));
  assert_render_roundtrip(p);
  assert_json_roundtrip(p);
}

static void
test_management_prefix(void)
{
  assert_fail("management-query-passwords\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "(takes over the management interface");
  assert_fail("management 127.0.0.1 7505\n", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
              "'management' is not allowed");
}

static void
test_directive_limit(void)
{
  g_autoptr(GString) s = g_string_new(NULL);
  for (int i = 0; i <= OVPN3_PROFILE_MAX_DIRECTIVES; i++)
    g_string_append(s, "nobind\n");
  assert_fail(s->str, OVPN3_PROFILE_ERROR_TOO_LARGE, "more than 10000 options");
}

/* --- rendering ------------------------------------------------------------------------------ */

static void
test_render_quoting(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv A \"two words\"\n"
                                       "setenv B 'back\\slash'\n"
                                       "setenv C \"q\\\"uote\"\n"
                                       "setenv D \"#hash\"\n"
                                       "setenv E \";semi\"\n"
                                       "setenv F \"tab\there\"\n"
                                       "setenv G 'single'\n"
                                       "setenv I \"it's\"\n"
                                       "setenv H plain\n");
  g_autofree char *r = ovpn3_profile_render(p, 0);
  g_assert_cmpstr(r, ==,
                  "setenv A \"two words\"\n"
                  "setenv B \"back\\\\slash\"\n"
                  "setenv C \"q\\\"uote\"\n"
                  "setenv D \"#hash\"\n"
                  "setenv E \";semi\"\n"
                  "setenv F \"tab\there\"\n"
                  "setenv G single\n"
                  "setenv I \"it's\"\n"
                  "setenv H plain\n");
  assert_render_roundtrip(p);
}

static void
test_render_blocks(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok(MINIMAL "<connection>\nremote x 1\n</connection>\n");
  g_autofree char *r = ovpn3_profile_render(p, 0);
  g_assert_cmpstr(r, ==,
                  "client\ndev tun\nremote vpn.example.com 1194 udp\n<ca>\n" PEM_CA
                  "</ca>\n<connection>\nremote x 1\n</connection>\n");
}

static void
test_render_strip_credentials(void)
{
  g_autoptr(Ovpn3Profile) p
      = parse_ok("client\n<auth-user-pass>\nalice\nsecret\n</auth-user-pass>\n");
  g_autofree char *full = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_DEFAULT);
  g_autofree char *stripped = ovpn3_profile_render(p, OVPN3_PROFILE_RENDER_STRIP_CREDENTIALS);
  g_assert_nonnull(strstr(full, "secret"));
  g_assert_cmpstr(stripped, ==, "client\nauth-user-pass\n");
}

static void
test_render_roundtrip_tricky(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("setenv X \"a\\\\\\\"b\\ c\"\n"
                                       "setenv Y \\\"x\n"
                                       "setenv Z ''\n"
                                       "verify-x509-name 'CN=a b,O=\"c\"' subject\n"
                                       "remote \"host\" \"1194\"\n");
  assert_render_roundtrip(p);
  assert_json_roundtrip(p);
}

/* --- JSON ----------------------------------------------------------------------------------- */

static void
test_json_format(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("client\n"
                                       "dev tun\n"
                                       "remote a 1194\n"
                                       "dhcp-option DNS 1.1.1.1\n"
                                       "dhcp-option DNS 8.8.8.8\n"
                                       "<ca>\nCA\n</ca>\n"
                                       "<connection>\nremote b\n</connection>\n");
  g_autofree char *s = ovpn3_profile_to_json_string(p);
  g_assert_cmpstr(s, ==,
                  "{\"client\":[],\"dev\":[\"tun\"],\"remote\":[[\"a\",\"1194\"]],"
                  "\"dhcp-option\":[[\"DNS\",\"1.1.1.1\"],[\"DNS\",\"8.8.8.8\"]],"
                  "\"ca\":\"CA\\n\",\"connection\":[[\"remote b\\n\"]]}");
  assert_json_roundtrip(p);
}

static void
test_json_equality(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("client\ndev tun\nremote a\nremote b 443 tcp\n"
                                       "<ca>\nx\n</ca>\n"
                                       "<auth-user-pass>\nu\np\n</auth-user-pass>\n"
                                       "peer-fingerprint " FP "\n"
                                       "verb 3\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *s = ovpn3_profile_to_json_string(p);
  g_autoptr(Ovpn3Profile) q = ovpn3_profile_new_from_json_string(s, &error);
  g_assert_no_error(error);
  /* grouping by option name keeps this profile's order, so the profiles are equal */
  g_assert_true(ovpn3_profile_equal(p, q));
  g_autofree char *r1 = ovpn3_profile_render(p, 0);
  g_autofree char *r2 = ovpn3_profile_render(q, 0);
  g_assert_cmpstr(r1, ==, r2);
}

static void
test_json_older_formats(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_json_string(
      "{\"client\":\"\",\"dev\":\"tun\",\"remote\":[\"a 1194 udp\",\"b 443 tcp\"],"
      "\"ca\":\"CA\",\"verb\":\"3\",\"setenv\":\"X 'a b'\"}",
      &error);
  g_assert_no_error(error);
  g_autofree char *r = ovpn3_profile_render(p, 0);
  g_assert_cmpstr(r, ==,
                  "client\ndev tun\nremote a 1194 udp\nremote b 443 tcp\n<ca>\nCA\n</ca>\nverb "
                  "3\nsetenv X \"a b\"\n");
}

static void
json_fail(const char *json, gint code, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Ovpn3Profile) p = ovpn3_profile_new_from_json_string(json, &error);
  g_assert_null(p);
  g_assert_error(error, OVPN3_PROFILE_ERROR, code);
  if (strstr(error->message, expected) == NULL)
    g_error("error '%s' does not contain '%s'", error->message, expected);
}

static void
test_json_tampered(void)
{
  json_fail("{\"client\":[],\"plugin\":[\"/tmp/x.so\"]}", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
            "Invalid configuration profile: 'plugin' is not allowed (loads code into openvpn)");
  json_fail("{\"setenv\":[\"opt\",\"x\"]}", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "'setenv opt'");
  json_fail("{\"up\":\"/bin/sh\"}", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "'up' is not allowed");
  json_fail("{\"auth-user-pass\":[\"/etc/shadow\"]}", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
            "file paths");
  json_fail("{\"connection\":[[\"remote a\\nplugin x\\n\"]]}", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
            "'plugin' is not allowed");
  json_fail("{\"connection\":[[\"remote a\\ndev tun\\n\"]]}", OVPN3_PROFILE_ERROR_NOT_ALLOWED,
            "inside a <connection> block");
  json_fail("{\"ca\":\"x\\n</ca>\\nplugin y\\n<ca>\\nz\\n\"}", OVPN3_PROFILE_ERROR_INVALID,
            "contains a closing tag");
  json_fail("{\"setenv\":[\"A\",\"x\\nplugin y\"]}", OVPN3_PROFILE_ERROR_INVALID,
            "not printable text");
  json_fail("{\"verb\":[\"3\",\"4\",\"5\"]}", OVPN3_PROFILE_ERROR_INVALID, "takes 1 argument");
  json_fail("{\"frob\":[]}", OVPN3_PROFILE_ERROR_NOT_ALLOWED, "(unknown option)");
  json_fail("{\"connection\":[[\"remote a\\n<tls-crypt>\\nu\\n</connection>\\n"
            "</tls-crypt>\\n\"]]}",
            OVPN3_PROFILE_ERROR_INVALID, "the <tls-crypt> block contains a closing tag");
}

static void
test_json_bad_types(void)
{
  json_fail("[1,2]", OVPN3_PROFILE_ERROR_INVALID_JSON, "not a JSON object");
  json_fail("{\"verb\":3}", OVPN3_PROFILE_ERROR_INVALID_JSON, "'verb' has the wrong type");
  json_fail("{\"remote\":[[\"a\"],\"b\"]}", OVPN3_PROFILE_ERROR_INVALID_JSON, "wrong type");
  json_fail("{\"remote\":[[\"a\",1]]}", OVPN3_PROFILE_ERROR_INVALID_JSON, "wrong type");
  json_fail("{\"remote\":", OVPN3_PROFILE_ERROR_INVALID_JSON, "not valid JSON");
}

/* --- validate and queries -------------------------------------------------------------------- */

static void
assert_missing(const char *text, const char *message)
{
  g_autoptr(Ovpn3Profile) p = parse_ok(text);
  g_autoptr(GError) error = NULL;
  g_assert_false(ovpn3_profile_validate(p, &error));
  g_assert_error(error, OVPN3_PROFILE_ERROR, OVPN3_PROFILE_ERROR_MISSING_OPTIONS);
  g_assert_cmpstr(error->message, ==, message);
}

static void
test_validate(void)
{
  assert_missing("# empty\n", "Configuration profile is missing required options: --ca, --client "
                              "or --tls-client, --dev, --remote");
  assert_missing("client\ndev tun\nremote a\n",
                 "Configuration profile is missing required options: --ca");
  assert_missing("<ca>\nx\n</ca>\nremote a\n",
                 "Configuration profile is missing required options: --client or --tls-client, "
                 "--dev");
  assert_missing("tls-client\n<ca>\nx\n</ca>\ndev tap\n",
                 "Configuration profile is missing required options: --remote");
}

static void
test_validate_alternatives(void)
{
  const char *texts[] = {
    "client\ndev tun\nremote a\n<pkcs12>\nMIIx\n</pkcs12>\n",
    "client\ndev tun\nremote a\npeer-fingerprint " FP "\n",
    "tls-client\ndev tun\n<ca>\nx\n</ca>\n<connection>\nremote a\n</connection>\n",
  };
  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    {
      g_autoptr(Ovpn3Profile) p = parse_ok(texts[i]);
      g_autoptr(GError) error = NULL;
      g_assert_true(ovpn3_profile_validate(p, &error));
      g_assert_no_error(error);
    }
}

static void
test_user_pass_queries(void)
{
  g_autoptr(Ovpn3Profile) none = parse_ok("client\n");
  g_autoptr(Ovpn3Profile) user_only = parse_ok("<auth-user-pass>\nalice\n</auth-user-pass>\n");
  g_autoptr(Ovpn3Profile) both = parse_ok("<auth-user-pass>\nalice\npw d\n</auth-user-pass>\n");
  g_autofree char *u = NULL;
  g_autofree char *pw = NULL;

  g_assert_false(ovpn3_profile_needs_user_pass(none));
  g_assert_false(ovpn3_profile_get_inline_user_pass(none, &u, &pw));
  g_assert_true(ovpn3_profile_needs_user_pass(user_only));
  g_assert_true(ovpn3_profile_get_inline_user_pass(user_only, &u, &pw));
  g_assert_cmpstr(u, ==, "alice");
  g_assert_null(pw);
  g_clear_pointer(&u, g_free);
  g_assert_false(ovpn3_profile_needs_user_pass(both));
  g_assert_true(ovpn3_profile_get_inline_user_pass(both, &u, &pw));
  g_assert_cmpstr(u, ==, "alice");
  g_assert_cmpstr(pw, ==, "pw d");
}

static void
test_static_challenge(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("static-challenge \"Enter PIN\" 1\n");
  g_autoptr(Ovpn3Profile) q = parse_ok("static-challenge 'OTP' 0\n");
  g_autofree char *t = NULL;
  gboolean echo = FALSE;
  g_assert_true(ovpn3_profile_get_static_challenge(p, &t, &echo));
  g_assert_cmpstr(t, ==, "Enter PIN");
  g_assert_true(echo);
  g_assert_true(ovpn3_profile_get_static_challenge(q, NULL, &echo));
  g_assert_false(echo);
  g_autoptr(Ovpn3Profile) none = parse_ok("client\n");
  g_assert_false(ovpn3_profile_get_static_challenge(none, NULL, NULL));
}

static void
test_encrypted_key(void)
{
  g_autoptr(Ovpn3Profile) pkcs8 = parse_ok(
      "<key>\n-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n"
      "</key>\n");
  g_autoptr(Ovpn3Profile) legacy
      = parse_ok("<key>\n-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: "
                 "AES-256-CBC,00\n\nMIIE\n-----END RSA PRIVATE KEY-----\n</key>\n");
  g_autoptr(Ovpn3Profile) plain
      = parse_ok("<key>\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n</key>\n");
  g_assert_true(ovpn3_profile_has_encrypted_key(pkcs8));
  g_assert_true(ovpn3_profile_has_encrypted_key(legacy));
  g_assert_false(ovpn3_profile_has_encrypted_key(plain));
}

static void
test_dev_type(void)
{
  g_autoptr(Ovpn3Profile) a = parse_ok("dev tun\n");
  g_autoptr(Ovpn3Profile) b = parse_ok("dev tap\n");
  g_autoptr(Ovpn3Profile) c = parse_ok("dev myvpn\ndev-type tap\n");
  g_autoptr(Ovpn3Profile) d = parse_ok("client\n");
  g_assert_cmpint(ovpn3_profile_get_dev_type(a), ==, OVPN3_PROFILE_DEV_TUN);
  g_assert_cmpint(ovpn3_profile_get_dev_type(b), ==, OVPN3_PROFILE_DEV_TAP);
  g_assert_cmpint(ovpn3_profile_get_dev_type(c), ==, OVPN3_PROFILE_DEV_TAP);
  g_assert_cmpint(ovpn3_profile_get_dev_type(d), ==, OVPN3_PROFILE_DEV_TUN);
}

static void
test_remotes_defaults(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("remote a\nremote b 443\nremote c 80 tcp\n");
  g_autoptr(Ovpn3Profile) q = parse_ok("port 1195\nproto tcp-client\nremote a\n");
  g_autoptr(GPtrArray) r = ovpn3_profile_get_remotes(p);
  g_autoptr(GPtrArray) s = ovpn3_profile_get_remotes(q);
  Ovpn3ProfileRemote *r0 = r->pdata[0], *r1 = r->pdata[1], *r2 = r->pdata[2], *s0 = s->pdata[0];
  g_assert_cmpuint(r->len, ==, 3);
  g_assert_cmpstr(r0->port, ==, "1194");
  g_assert_cmpstr(r0->proto, ==, "udp");
  g_assert_cmpstr(r1->port, ==, "443");
  g_assert_cmpstr(r2->proto, ==, "tcp");
  g_assert_cmpstr(s0->port, ==, "1195");
  g_assert_cmpstr(s0->proto, ==, "tcp-client");
}

static void
test_verb(void)
{
  g_autoptr(Ovpn3Profile) p = parse_ok("verb 3\nverb 5\n");
  g_autoptr(Ovpn3Profile) q = parse_ok("client\n");
  g_assert_cmpint(ovpn3_profile_get_verb(p), ==, 5);
  g_assert_cmpint(ovpn3_profile_get_verb(q), ==, -1);
}

static void
assert_reasons(gboolean (*query)(Ovpn3Profile *, char ***), const char *text, gboolean expect,
               const char *reason)
{
  g_autoptr(Ovpn3Profile) p = parse_ok(text);
  g_auto(GStrv) reasons = NULL;
  g_assert_cmpint(query(p, &reasons), ==, expect);
  g_assert_nonnull(reasons);
  if (reason != NULL)
    {
      g_assert_nonnull(reasons[0]);
      g_assert_cmpstr(reasons[0], ==, reason);
    }
  else
    g_assert_null(reasons[0]);
}

static void
assert_privileged(const char *text, gboolean expect, const char *reason)
{
  assert_reasons(ovpn3_profile_needs_privileged_options, text, expect, reason);
}

static void
assert_engine_refuses(const char *text, gboolean expect, const char *reason)
{
  assert_reasons(ovpn3_profile_engine_cannot_serve, text, expect, reason);
  /* what the engine cannot do is no longer a privileged option */
  if (expect)
    assert_privileged(text, FALSE, NULL);
}

static void
test_privileged(void)
{
  assert_privileged("bind-dev vrf-blue\n", TRUE,
                    "bind-dev vrf-blue (binds to a host interface or VRF)");
  assert_privileged("dev tap\n", FALSE, NULL);
  assert_privileged("dev tun\n", FALSE, NULL);
  assert_privileged("dev tap0\n", TRUE,
                    "dev tap0 (names a specific host device, e.g. a bridged tap)");
  assert_privileged("lport 1194\nmark 1\n", FALSE, NULL);
  g_autoptr(Ovpn3Profile) p = parse_ok("bind-dev eth0\nlport 22\n");
  g_assert_true(ovpn3_profile_needs_privileged_options(p, NULL));
}

static void
test_engine_refusals(void)
{
  assert_engine_refuses("lport 443\n", TRUE,
                        "lport 443 (binding a local port below 1024 needs a capability)");
  assert_engine_refuses("lport 1194\n", FALSE, NULL);
  assert_engine_refuses("lport 0\n", FALSE, NULL);
  assert_engine_refuses("port 80\nbind\n", TRUE,
                        "port 80 (binding a local port below 1024 needs a capability)");
  assert_engine_refuses("port 80\nlocal 10.0.0.1\n", TRUE,
                        "port 80 (binding a local port below 1024 needs a capability)");
  assert_engine_refuses("port 80\n", FALSE, NULL);
  /* the top level's port is the local port of a block that binds, not of one that does not */
  assert_engine_refuses("port 80\n<connection>\nremote a\nbind\n</connection>\n", TRUE,
                        "port 80 (binding a local port below 1024 needs a capability)");
  assert_engine_refuses("<connection>\nremote a\nport 80\n</connection>\n"
                        "<connection>\nremote b\nbind\n</connection>\n",
                        FALSE, NULL);
  assert_engine_refuses("<connection>\nremote a\nlport 53\n</connection>\n", TRUE,
                        "lport 53 (binding a local port below 1024 needs a capability)");
  assert_engine_refuses("mark 42\n", TRUE,
                        "mark 42 (setting SO_MARK needs a capability; openvpn would only log a "
                        "note and send unmarked packets)");
  assert_engine_refuses("lladdr 02:00:00:00:00:01\n", TRUE,
                        "lladdr 02:00:00:00:00:01 (changing the device's link-layer address "
                        "needs a capability; openvpn would only log an error)");
  assert_engine_refuses("nice -5\n", TRUE,
                        "nice -5 (raising the priority needs a capability; openvpn would only "
                        "log a warning)");
  assert_engine_refuses("nice 5\n", FALSE, NULL);
  assert_engine_refuses("mlock\n", TRUE,
                        "mlock (openvpn exits when it cannot raise its locked-memory limit)");
  g_autoptr(Ovpn3Profile) p = parse_ok("mark 1\nlport 22\n");
  g_auto(GStrv) reasons = NULL;
  g_assert_true(ovpn3_profile_engine_cannot_serve(p, &reasons));
  g_assert_cmpuint(g_strv_length(reasons), ==, 2);
  g_assert_true(ovpn3_profile_engine_cannot_serve(p, NULL));
}

static void
test_binds_and_redirects(void)
{
  static const struct
  {
    const char *text;
    gboolean binds, redirects;
  } cases[] = {
    { "nobind\n", FALSE, FALSE },
    { "lport 40000\n", TRUE, FALSE },
    { "bind\n", TRUE, FALSE },
    { "local 10.0.0.1\n", TRUE, FALSE },
    { "<connection>\nremote a\nlport 40000\n</connection>\n", TRUE, FALSE },
    { "redirect-gateway def1\n", FALSE, TRUE },
    { "redirect-private\n", FALSE, FALSE },
    { "pull-filter ignore redirect-gateway\n", FALSE, FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      g_autoptr(Ovpn3Profile) p = parse_ok(cases[i].text);
      g_assert_cmpint(ovpn3_profile_binds_locally(p), ==, cases[i].binds);
      g_assert_cmpint(ovpn3_profile_redirects_gateway(p), ==, cases[i].redirects);
    }
}

static void
test_allowlist_table_sane(void)
{
  const char *const *refused = ovpn3_profile_allowlist_refused_names();
  for (const Ovpn3ProfileOptInfo *o = ovpn3_profile_allowlist_table(); o->name != NULL; o++)
    {
      g_assert_cmpuint(o->min_args, <=, o->max_args);
      g_assert_cmpuint(o->max_args, <=, 15); /* openvpn reads 16 tokens per line */
      for (const char *const *r = refused; *r != NULL; r++)
        g_assert_cmpstr(o->name, !=, *r);
      g_assert_true(ovpn3_profile_allowlist_lookup(o->name) == o);
    }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_test_add_func("/profile/lexer/minimal", test_minimal);
  g_test_add_func("/profile/lexer/comments", test_comments);
  g_test_add_func("/profile/lexer/keepalive-comment", test_keepalive_comment);
  g_test_add_func("/profile/lexer/double-quotes", test_double_quotes);
  g_test_add_func("/profile/lexer/escapes", test_escapes);
  g_test_add_func("/profile/lexer/single-quotes", test_single_quotes);
  g_test_add_func("/profile/lexer/empty-quoted", test_empty_quoted);
  g_test_add_func("/profile/lexer/quote-boundaries", test_quote_boundaries);
  g_test_add_func("/profile/lexer/bad-escape-quoted", test_bad_escape_quoted);
  g_test_add_func("/profile/lexer/bad-escape-unquoted", test_bad_escape_unquoted);
  g_test_add_func("/profile/lexer/unterminated-double", test_unterminated_double);
  g_test_add_func("/profile/lexer/unterminated-single", test_unterminated_single);
  g_test_add_func("/profile/lexer/trailing-backslash", test_trailing_backslash);
  g_test_add_func("/profile/lexer/token-256", test_token_256);
  g_test_add_func("/profile/lexer/token-too-long", test_token_too_long);
  g_test_add_func("/profile/lexer/line-254", test_line_254);
  g_test_add_func("/profile/lexer/line-limit-after-quoting", test_line_limit_after_quoting);
  g_test_add_func("/profile/lexer/nul-byte", test_nul_byte);
  g_test_add_func("/profile/lexer/invalid-utf8", test_invalid_utf8);
  g_test_add_func("/profile/lexer/utf8-ok", test_utf8_ok);
  g_test_add_func("/profile/lexer/control-char", test_control_char);
  g_test_add_func("/profile/lexer/10mb", test_10mb);
  g_test_add_func("/profile/lexer/size-limit-edge", test_size_limit_edge);
  g_test_add_func("/profile/lexer/crlf", test_crlf);
  g_test_add_func("/profile/lexer/no-final-newline", test_no_final_newline);
  g_test_add_func("/profile/lexer/bom", test_bom);
  g_test_add_func("/profile/lexer/double-dash", test_double_dash);
  g_test_add_func("/profile/block/content", test_block_content);
  g_test_add_func("/profile/block/long-line", test_block_long_line);
  g_test_add_func("/profile/block/unterminated", test_block_unterminated);
  g_test_add_func("/profile/block/split-injection", test_block_split_injection);
  g_test_add_func("/profile/block/long-line-in-connection", test_block_long_line_in_connection);
  g_test_add_func("/profile/block/stray-close", test_block_stray_close);
  g_test_add_func("/profile/block/text-after-tags", test_block_text_after_tags);
  g_test_add_func("/profile/block/empty", test_block_empty);
  g_test_add_func("/profile/block/not-inline-capable", test_block_not_inline_capable);
  g_test_add_func("/profile/block/too-large", test_block_too_large);
  g_test_add_func("/profile/block/needed", test_block_needed);
  g_test_add_func("/profile/connection/blocks", test_connection_blocks);
  g_test_add_func("/profile/connection/allowlist", test_connection_allowlist);
  g_test_add_func("/profile/connection/nested", test_connection_nested);
  g_test_add_func("/profile/connection/empty", test_connection_empty);
  g_test_add_func("/profile/connection/one-remote", test_connection_one_remote);
  g_test_add_func("/profile/allowlist/refused-example", test_refused_example);
  g_test_add_func("/profile/allowlist/refused-all", test_refused_all);
  g_test_add_func("/profile/allowlist/refused-design-list", test_refused_design_list);
  g_test_add_func("/profile/allowlist/setenv-opt", test_setenv_opt);
  g_test_add_func("/profile/allowlist/unknown", test_unknown);
  g_test_add_func("/profile/allowlist/windows-only", test_windows_only);
  g_test_add_func("/profile/allowlist/file-paths", test_file_paths);
  g_test_add_func("/profile/allowlist/auth-user-pass-forms", test_auth_user_pass_forms);
  g_test_add_func("/profile/allowlist/proxy-credentials-files", test_proxy_credentials_files);
  g_test_add_func("/profile/allowlist/arity", test_arity);
  g_test_add_func("/profile/allowlist/values", test_values);
  g_test_add_func("/profile/allowlist/generous", test_generous);
  g_test_add_func("/profile/allowlist/management-prefix", test_management_prefix);
  g_test_add_func("/profile/allowlist/directive-limit", test_directive_limit);
  g_test_add_func("/profile/allowlist/table-sane", test_allowlist_table_sane);
  g_test_add_func("/profile/render/quoting", test_render_quoting);
  g_test_add_func("/profile/render/blocks", test_render_blocks);
  g_test_add_func("/profile/render/strip-credentials", test_render_strip_credentials);
  g_test_add_func("/profile/render/roundtrip-tricky", test_render_roundtrip_tricky);
  g_test_add_func("/profile/json/format", test_json_format);
  g_test_add_func("/profile/json/equality", test_json_equality);
  g_test_add_func("/profile/json/older-formats", test_json_older_formats);
  g_test_add_func("/profile/json/tampered", test_json_tampered);
  g_test_add_func("/profile/json/bad-types", test_json_bad_types);
  g_test_add_func("/profile/validate/missing", test_validate);
  g_test_add_func("/profile/validate/alternatives", test_validate_alternatives);
  g_test_add_func("/profile/query/user-pass", test_user_pass_queries);
  g_test_add_func("/profile/query/static-challenge", test_static_challenge);
  g_test_add_func("/profile/query/encrypted-key", test_encrypted_key);
  g_test_add_func("/profile/query/dev-type", test_dev_type);
  g_test_add_func("/profile/query/remotes-defaults", test_remotes_defaults);
  g_test_add_func("/profile/query/verb", test_verb);
  g_test_add_func("/profile/query/privileged", test_privileged);
  g_test_add_func("/profile/query/engine-refusals", test_engine_refusals);
  g_test_add_func("/profile/query/binds-and-redirects", test_binds_and_redirects);

  return g_test_run();
}
