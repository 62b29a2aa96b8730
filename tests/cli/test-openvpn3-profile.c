/* test-openvpn3-profile.c — OpenVPN 3 Linux's stored profile options (every JSON form its
 * OptionListJSON::json_import() reads) turned back into profile text
 * (cli/ovpn3-cli-openvpn3-profile.c): the text for each form, the quoting, and what is refused
 * because it would smuggle a line or a block into the profile.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#define G_LOG_DOMAIN "test-openvpn3-profile"

#include "config.h"

#include <string.h>

#include "ovpn3-cli-openvpn3.h"

/* The text for the JSON object @json, or NULL with *@error. */
static char *
convert(const char *json, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new();

  g_assert_true(json_parser_load_from_data(parser, json, -1, NULL));
  return ovpn3_openvpn3_profile_text(json_node_get_object(json_parser_get_root(parser)), error);
}

static void
assert_text(const char *json, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = convert(json, &error);

  g_assert_no_error(error);
  g_assert_cmpstr(text, ==, expected);
}

static void
assert_refused(const char *json, const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = convert(json, &error);

  g_assert_null(text);
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, reason));
}

static void
test_current_form(void)
{
  /* 3a (one list of arguments) and 3b (a list of them for the options that may repeat) */
  assert_text(
      "{\"client\": [], \"dev\": [\"tun\"],"
      " \"remote\": [[\"a.example\", \"1194\", \"udp\"], [\"b.example\", \"443\", \"tcp\"]],"
      " \"ca\": [\"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\"],"
      " \"verify-x509-name\": [\"vpn server \\\"one\\\"\", \"name\"],"
      " \"route\": [[\"10.0.0.0\", \"255.0.0.0\"]], \"auth-user-pass\": []}",
      "client\ndev tun\nremote a.example 1194 udp\nremote b.example 443 tcp\n"
      "<ca>\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n</ca>\n"
      "verify-x509-name \"vpn server \\\"one\\\"\" name\n"
      "route 10.0.0.0 255.0.0.0\nauth-user-pass\n");
  /* a block option without its block stays a plain line (auth-user-pass: ask the user) */
  assert_text("{\"auth-user-pass\": [\"\"], \"client\": \"\", \"tls-auth\": \"\"}",
              "auth-user-pass\nclient\ntls-auth\n");
  /* arguments with what the profile parser reads specially are quoted; empty ones too */
  assert_text("{\"setenv\": [\"A\", \"x#y;z\\\\w\"], \"push-peer-info\": [\"\"]}",
              "setenv A \"x#y;z\\\\w\"\npush-peer-info \"\"\n");
}

static void
test_first_forms(void)
{
  /* 1: every value one string (the rest of the line; a block's text) */
  assert_text("{\"client\": \"\", \"remote\": \"192.0.2.1 1194 udp\","
              " \"static-challenge\": \"\\\"Enter OTP\\\" 1\", \"key\": \"KEY\"}",
              "client\nremote 192.0.2.1 1194 udp\nstatic-challenge \"Enter OTP\" 1\n"
              "<key>\nKEY\n</key>\n");
  /* 2: a repeated option as a list of whole lines; <connection> blocks likewise */
  assert_text("{\"remote\": [\"a 1194 udp\", \"b 1195 tcp\"],"
              " \"connection\": [\"remote c 1196\\n\", \"remote d 1197\\n\"]}",
              "remote a 1194 udp\nremote b 1195 tcp\n"
              "<connection>\nremote c 1196\n</connection>\n"
              "<connection>\nremote d 1197\n</connection>\n");
}

static void
test_access_server_meta(void)
{
  /* the four meta options upstream keeps become setenv opt; the others are dropped, as there */
  assert_text("{\"client\": [], \"AUTOLOGIN\": [\"true\"], \"WSHOST\": [\"x\"],"
              " \"FRIENDLY_NAME\": \"My VPN\"}",
              "client\nsetenv opt AUTOLOGIN true\nsetenv opt FRIENDLY_NAME My VPN\n");
}

static void
test_refused(void)
{
  assert_refused("{\"ca\": [\"x\\n</ca>\\nscript-security 2\\n\"]}",
                 "its block contains its own closing tag");
  assert_refused("{\"verb\": [\"3\\nup /bin/sh\"]}", "line break");
  assert_refused("{\"remote\": \"a 1194\\nup /bin/sh\"}", "line break");
  assert_refused("{\"remote\": [\"a 1194\\rup /bin/sh\"]}", "line break");
  assert_refused("{\"re mote\": []}", "not an option name");
  assert_refused("{\"x\\nup\": []}", "not an option name");
  assert_refused("{\"verb\": 3}", "neither a string nor a list");
  assert_refused("{\"verb\": [3]}", "not a string");
  assert_refused("{\"remote\": [[\"a\"], \"b\"]}", "mixes lists and strings");
  assert_refused("{\"remote\": [[\"a\", [\"b\"]]]}", "not a string");
  assert_refused("{}", "no options");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/openvpn3-profile/current-form", test_current_form);
  g_test_add_func("/openvpn3-profile/first-forms", test_first_forms);
  g_test_add_func("/openvpn3-profile/access-server-meta", test_access_server_meta);
  g_test_add_func("/openvpn3-profile/refused", test_refused);
  return g_test_run();
}
