#define G_LOG_DOMAIN "ovpn3-test-mgmt-event"

#include "config.h"

#include <string.h>

#include "ovpn3-mgmt-event.h"

static Ovpn3MgmtEvent *
parse(const char *line)
{
  Ovpn3MgmtEvent *ev = ovpn3_mgmt_event_parse_line(line);

  g_assert_nonnull(ev);
  g_assert_cmpstr(ev->line, ==, line);
  return ev;
}

static void
assert_unknown(const char *line)
{
  g_autoptr(Ovpn3MgmtEvent) ev = parse(line);

  g_assert_cmpint(ev->type, ==, OVPN3_MGMT_EVENT_UNKNOWN);
  g_assert_cmpstr(ev->text, ==, line);
}

static void
test_info_hold(void)
{
  g_autoptr(Ovpn3MgmtEvent) info = NULL;
  g_autoptr(Ovpn3MgmtEvent) hold = NULL;
  g_autoptr(Ovpn3MgmtEvent) hold2 = NULL;

  info = parse(">INFO:OpenVPN Management Interface Version 5 -- type 'help' for more info");
  g_assert_cmpint(info->type, ==, OVPN3_MGMT_EVENT_INFO);
  g_assert_cmpstr(info->text, ==,
                  "OpenVPN Management Interface Version 5 -- type 'help' for more info");

  hold = parse(">HOLD:Waiting for hold release:300");
  g_assert_cmpint(hold->type, ==, OVPN3_MGMT_EVENT_HOLD);
  g_assert_cmpuint(hold->hold_seconds, ==, 300);
  g_assert_cmpstr(hold->text, ==, "Waiting for hold release");

  hold2 = parse(">HOLD:Waiting for hold release");
  g_assert_cmpint(hold2->type, ==, OVPN3_MGMT_EVENT_HOLD);
  g_assert_cmpuint(hold2->hold_seconds, ==, 0);
}

static void
test_state(void)
{
  g_autoptr(Ovpn3MgmtEvent) wait = parse(">STATE:1795362074,WAIT,,,,,,");
  g_autoptr(Ovpn3MgmtEvent) udp = NULL;
  g_autoptr(Ovpn3MgmtEvent) tcp = NULL;
  g_autoptr(Ovpn3MgmtEvent) pend = NULL;
  g_autoptr(Ovpn3MgmtEvent) pend2 = NULL;
  g_autoptr(Ovpn3MgmtEvent) v6 = NULL;

  g_assert_cmpint(wait->type, ==, OVPN3_MGMT_EVENT_STATE);
  g_assert_cmpint(wait->timestamp, ==, 1795362074);
  g_assert_cmpstr(wait->state_name, ==, "WAIT");
  g_assert_cmpstr(wait->state_detail, ==, "");
  g_assert_null(wait->tun_ip4);
  g_assert_null(wait->remote_addr);
  g_assert_cmpuint(wait->remote_port, ==, 0);
  g_assert_null(wait->tun_ip6);

  udp = parse(">STATE:1795362075,CONNECTED,SUCCESS,10.213.0.2,127.0.0.1,1194,,,fd00:213::1000");
  g_assert_cmpstr(udp->state_name, ==, "CONNECTED");
  g_assert_cmpstr(udp->state_detail, ==, "SUCCESS");
  g_assert_cmpstr(udp->tun_ip4, ==, "10.213.0.2");
  g_assert_cmpstr(udp->remote_addr, ==, "127.0.0.1");
  g_assert_cmpuint(udp->remote_port, ==, 1194);
  g_assert_null(udp->local_addr);
  g_assert_cmpuint(udp->local_port, ==, 0);
  g_assert_cmpstr(udp->tun_ip6, ==, "fd00:213::1000");

  tcp = parse(
      ">STATE:1,CONNECTED,SUCCESS,10.213.0.2,127.0.0.1,1195,127.0.0.1,47224,fd00:213::1000");
  g_assert_cmpstr(tcp->local_addr, ==, "127.0.0.1");
  g_assert_cmpuint(tcp->local_port, ==, 47224);
  g_assert_cmpuint(tcp->remote_port, ==, 1195);

  /* IPv6 endpoints come without brackets. */
  v6 = parse(">STATE:1,CONNECTED,SUCCESS,10.0.0.2,2001:db8::1,1194,,,");
  g_assert_cmpstr(v6->remote_addr, ==, "2001:db8::1");
  g_assert_null(v6->tun_ip6);

  /* AUTH_PENDING detail is raw server text and may hold commas. */
  pend = parse(">STATE:1795362074,AUTH_PENDING,timeout 30,,,,,");
  g_assert_cmpstr(pend->state_detail, ==, "timeout 30");
  pend2 = parse(">STATE:1795362074,AUTH_PENDING,timeout 30,more,keywords,,,,,");
  g_assert_cmpstr(pend2->state_detail, ==, "timeout 30,more,keywords");
  g_assert_null(pend2->tun_ip4);

  assert_unknown(">STATE:1795362074,WAIT");
  assert_unknown(">STATE:1,WAIT,,,,");
  assert_unknown(">STATE:1,WAIT,a,b,c,d,e,f,g,h");
  assert_unknown(">STATE:");
  {
    g_autoptr(Ovpn3MgmtEvent) bad = parse(">STATE:notanumber,WAIT,,,,,,");
    g_assert_cmpint(bad->type, ==, OVPN3_MGMT_EVENT_STATE);
    g_assert_cmpint(bad->timestamp, ==, -1);
  }
}

static void
test_password_need(void)
{
  g_autoptr(Ovpn3MgmtEvent) up = parse(">PASSWORD:Need 'Auth' username/password");
  g_autoptr(Ovpn3MgmtEvent) proxy = parse(">PASSWORD:Need 'HTTP Proxy' username/password");
  g_autoptr(Ovpn3MgmtEvent) sc
      = parse(">PASSWORD:Need 'Auth' username/password SC:1,Enter OTP, please");
  g_autoptr(Ovpn3MgmtEvent) sc0 = parse(">PASSWORD:Need 'Auth' username/password SC:0,");
  g_autoptr(Ovpn3MgmtEvent) key = parse(">PASSWORD:Need 'Private Key' password");
  g_autoptr(Ovpn3MgmtEvent) pin = parse(">PASSWORD:Need 'My Token token' password");
  g_autoptr(Ovpn3MgmtEvent) user = parse(">PASSWORD:Need 'Auth' username");
  g_autoptr(Ovpn3MgmtEvent) token = parse(">PASSWORD:Auth-Token:SESS_ID_AT_abc=");
  g_autoptr(Ovpn3MgmtEvent) other = parse(">PASSWORD:something new");

  g_assert_cmpint(up->type, ==, OVPN3_MGMT_EVENT_PASSWORD);
  g_assert_cmpint(up->password_kind, ==, OVPN3_MGMT_PASSWORD_NEED_USER_PASS);
  g_assert_cmpstr(up->cred_type, ==, "Auth");
  g_assert_false(up->static_challenge);
  g_assert_null(up->text);

  g_assert_cmpstr(proxy->cred_type, ==, "HTTP Proxy");

  g_assert_true(sc->static_challenge);
  g_assert_cmpuint(sc->sc_flags, ==, 1);
  g_assert_cmpstr(sc->text, ==, "Enter OTP, please");
  g_assert_true(sc0->static_challenge);
  g_assert_cmpuint(sc0->sc_flags, ==, 0);
  g_assert_cmpstr(sc0->text, ==, "");

  g_assert_cmpint(key->password_kind, ==, OVPN3_MGMT_PASSWORD_NEED_PASSWORD);
  g_assert_cmpstr(key->cred_type, ==, "Private Key");
  g_assert_cmpstr(pin->cred_type, ==, "My Token token");
  g_assert_cmpint(user->password_kind, ==, OVPN3_MGMT_PASSWORD_NEED_USERNAME);

  g_assert_cmpint(token->password_kind, ==, OVPN3_MGMT_PASSWORD_AUTH_TOKEN);
  g_assert_cmpstr(token->text, ==, "SESS_ID_AT_abc=");

  g_assert_cmpint(other->type, ==, OVPN3_MGMT_EVENT_PASSWORD);
  g_assert_cmpint(other->password_kind, ==, OVPN3_MGMT_PASSWORD_OTHER);
  g_assert_cmpstr(other->text, ==, "something new");

  assert_unknown(">PASSWORD:Need 'Auth' username/password SC:x,text");
  assert_unknown(">PASSWORD:Need 'Auth' username/password trailing");
}

static void
test_password_failed(void)
{
  g_autoptr(Ovpn3MgmtEvent) plain = parse(">PASSWORD:Verification Failed: 'Auth'");
  g_autoptr(Ovpn3MgmtEvent) key = parse(">PASSWORD:Verification Failed: 'Private Key'");
  g_autoptr(Ovpn3MgmtEvent) reason
      = parse(">PASSWORD:Verification Failed: 'Auth' ['bad password, try again']");
  g_autoptr(Ovpn3MgmtEvent) proxy
      = parse(">PASSWORD:Verification Failed: 'HTTP Proxy' ['previous auth credentials failed']");
  g_autoptr(Ovpn3MgmtEvent) tricky
      = parse(">PASSWORD:Verification Failed: 'Auth' ['it's'] here, ok']");
  g_autoptr(Ovpn3MgmtEvent) crv1
      = parse(">PASSWORD:Verification Failed: 'Auth' ['CRV1:R,E:abc123:YWxpY2U=:Enter PIN (it's 6 "
              "digits), ok?']");
  g_autoptr(Ovpn3MgmtEvent) empty = parse(">PASSWORD:Verification Failed: 'Auth' ['']");

  g_assert_cmpint(plain->password_kind, ==, OVPN3_MGMT_PASSWORD_VERIFY_FAILED);
  g_assert_cmpstr(plain->cred_type, ==, "Auth");
  g_assert_null(plain->reason);
  g_assert_false(plain->crv1);
  g_assert_cmpstr(key->cred_type, ==, "Private Key");
  g_assert_null(key->reason);

  g_assert_cmpstr(reason->reason, ==, "bad password, try again");
  g_assert_false(reason->crv1);
  g_assert_cmpstr(proxy->cred_type, ==, "HTTP Proxy");
  g_assert_cmpstr(proxy->reason, ==, "previous auth credentials failed");
  /* Never scan to the next quote (NM's get_detail bug). */
  g_assert_cmpstr(tricky->reason, ==, "it's'] here, ok");
  g_assert_cmpstr(empty->reason, ==, "");

  g_assert_true(crv1->crv1);
  g_assert_cmpstr(crv1->reason, ==, "CRV1:R,E:abc123:YWxpY2U=:Enter PIN (it's 6 digits), ok?");
  g_assert_cmpstr(crv1->flags, ==, "R,E");
  g_assert_cmpstr(crv1->crv1_state_id, ==, "abc123");
  g_assert_cmpstr(crv1->crv1_username, ==, "alice");
  g_assert_cmpstr(crv1->text, ==, "Enter PIN (it's 6 digits), ok?");

  assert_unknown(">PASSWORD:Verification Failed: 'Auth");
}

static void
test_crv1(void)
{
  g_autofree gchar *flags = NULL;
  g_autofree gchar *state = NULL;
  g_autofree gchar *user = NULL;
  g_autofree gchar *text = NULL;
  g_autofree gchar *user2 = NULL;
  g_autofree gchar *user3 = NULL;

  g_assert_true(ovpn3_mgmt_parse_crv1("CRV1:E:s:YWxpY2U=:a:b:c", &flags, &state, &user, &text));
  g_assert_cmpstr(flags, ==, "E");
  g_assert_cmpstr(state, ==, "s");
  g_assert_cmpstr(user, ==, "alice");
  g_assert_cmpstr(text, ==, "a:b:c");
  /* Not base64, or not UTF-8 once decoded: no username. */
  g_assert_true(ovpn3_mgmt_parse_crv1("CRV1:R:s:*notb64*:x", NULL, NULL, &user2, NULL));
  g_assert_null(user2);
  g_assert_true(ovpn3_mgmt_parse_crv1("CRV1:R:s:/w==:x", NULL, NULL, &user3, NULL));
  g_assert_null(user3);
  g_assert_false(ovpn3_mgmt_parse_crv1("CRV1:R:s:x", NULL, NULL, NULL, NULL));
  g_assert_false(ovpn3_mgmt_parse_crv1("bad password", NULL, NULL, NULL, NULL));
}

static void
test_need_ok_str(void)
{
  g_autoptr(Ovpn3MgmtEvent) ok
      = parse(">NEED-OK:Need 'token-insertion-request' confirmation MSG:Please insert your token");
  g_autoptr(Ovpn3MgmtEvent) str
      = parse(">NEED-STR:Need 'pkcs11-id-request' string MSG:Please specify the PKCS#11 id, ok?");
  g_autoptr(Ovpn3MgmtEvent) input = parse(">NEED-STR:Need 'name' input MSG:x");

  g_assert_cmpint(ok->type, ==, OVPN3_MGMT_EVENT_NEED_OK);
  g_assert_cmpstr(ok->cred_type, ==, "token-insertion-request");
  g_assert_cmpstr(ok->text, ==, "Please insert your token");
  g_assert_cmpint(str->type, ==, OVPN3_MGMT_EVENT_NEED_STR);
  g_assert_cmpstr(str->cred_type, ==, "pkcs11-id-request");
  g_assert_cmpstr(str->text, ==, "Please specify the PKCS#11 id, ok?");
  g_assert_cmpstr(input->cred_type, ==, "name");
  assert_unknown(">NEED-OK:garbage");
}

static void
test_infomsg(void)
{
  g_autoptr(Ovpn3MgmtEvent) web = parse(">INFOMSG:WEB_AUTH::https://auth.example/login?a=1,b=2");
  g_autoptr(Ovpn3MgmtEvent) webf = parse(">INFOMSG:WEB_AUTH:external:https://x.example/");
  g_autoptr(Ovpn3MgmtEvent) url = parse(">INFOMSG:OPEN_URL:https://x.example/a:b");
  g_autoptr(Ovpn3MgmtEvent) cr = parse(">INFOMSG:CR_TEXT:R,E:Enter your TOTP code: now");
  g_autoptr(Ovpn3MgmtEvent) other = parse(">INFOMSG:Hello there");
  g_autoptr(Ovpn3MgmtEvent) nocolon = parse(">INFOMSG:CR_TEXT:noflags");

  g_assert_cmpint(web->type, ==, OVPN3_MGMT_EVENT_INFOMSG);
  g_assert_cmpint(web->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_WEB_AUTH);
  g_assert_cmpstr(web->flags, ==, "");
  g_assert_cmpstr(web->text, ==, "https://auth.example/login?a=1,b=2");
  g_assert_cmpstr(webf->flags, ==, "external");
  g_assert_cmpstr(webf->text, ==, "https://x.example/");
  g_assert_cmpint(url->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_OPEN_URL);
  g_assert_cmpstr(url->text, ==, "https://x.example/a:b");
  g_assert_cmpint(cr->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_CR_TEXT);
  g_assert_cmpstr(cr->flags, ==, "R,E");
  g_assert_cmpstr(cr->text, ==, "Enter your TOTP code: now");
  g_assert_cmpint(other->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_OTHER);
  g_assert_cmpstr(other->text, ==, "Hello there");
  g_assert_cmpint(nocolon->infomsg_kind, ==, OVPN3_MGMT_INFOMSG_OTHER);
  g_assert_null(nocolon->flags);
}

static void
test_misc_notifications(void)
{
  g_autoptr(Ovpn3MgmtEvent) n1 = parse(">NOTIFY:info,server-pushed-halt,");
  g_autoptr(Ovpn3MgmtEvent) n2 = parse(">NOTIFY:info,remote-exit,EXIT, with comma");
  g_autoptr(Ovpn3MgmtEvent) fatal = parse(
      ">FATAL:ERROR: could not read Auth username/password/ok/string from management interface");
  g_autoptr(Ovpn3MgmtEvent) bc = parse(">BYTECOUNT:18446744073709551615,42");
  g_autoptr(Ovpn3MgmtEvent) log = parse(">LOG:1795362002,,Socket Buffers: R=[212992->212992]");
  g_autoptr(Ovpn3MgmtEvent) log2 = parse(">LOG:1795362002,D,MANAGEMENT: >STATE:1,WAIT,,,,,,");
  g_autoptr(Ovpn3MgmtEvent) echo = parse(">ECHO:1795362075,forget-passwords");
  g_autoptr(Ovpn3MgmtEvent) remote = parse(">REMOTE:127.0.0.9,1194,udp4");
  g_autoptr(Ovpn3MgmtEvent) remote6 = parse(">REMOTE:2001:db8::1,443,tcp6-client");
  g_autoptr(Ovpn3MgmtEvent) proxy = parse(">PROXY:1,UDP,127.0.0.1");
  g_autoptr(Ovpn3MgmtEvent) pk
      = parse(">PK_SIGN:K3gy=,RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest");
  g_autoptr(Ovpn3MgmtEvent) pk2 = parse(">PK_SIGN:K3gy=");
  g_autoptr(Ovpn3MgmtEvent) rsa = parse(">RSA_SIGN:AAAA");
  g_autoptr(Ovpn3MgmtEvent) cert
      = parse(">NEED-CERTIFICATE:macosx-keychain:subject:o=OpenVPN-TEST");
  g_autoptr(Ovpn3MgmtEvent) prompt = parse("ENTER PASSWORD:");

  g_assert_cmpint(n1->type, ==, OVPN3_MGMT_EVENT_NOTIFY);
  g_assert_cmpstr(n1->severity, ==, "info");
  g_assert_cmpstr(n1->notify_type, ==, "server-pushed-halt");
  g_assert_cmpstr(n1->text, ==, "");
  g_assert_cmpstr(n2->notify_type, ==, "remote-exit");
  g_assert_cmpstr(n2->text, ==, "EXIT, with comma");

  g_assert_cmpint(fatal->type, ==, OVPN3_MGMT_EVENT_FATAL);
  g_assert_cmpstr(
      fatal->text, ==,
      "ERROR: could not read Auth username/password/ok/string from management interface");

  g_assert_cmpint(bc->type, ==, OVPN3_MGMT_EVENT_BYTECOUNT);
  g_assert_cmpuint(bc->bytes_in, ==, G_MAXUINT64);
  g_assert_cmpuint(bc->bytes_out, ==, 42);
  assert_unknown(">BYTECOUNT:x,1");
  assert_unknown(">BYTECOUNT:1");
  assert_unknown(">BYTECOUNT:-1,1");
  assert_unknown(">BYTECOUNT_CLI:1,2,3");

  g_assert_cmpint(log->type, ==, OVPN3_MGMT_EVENT_LOG);
  g_assert_cmpint(log->timestamp, ==, 1795362002);
  g_assert_cmpstr(log->flags, ==, "");
  g_assert_cmpstr(log->text, ==, "Socket Buffers: R=[212992->212992]");
  /* A log line echoing a notification stays a log line. */
  g_assert_cmpint(log2->type, ==, OVPN3_MGMT_EVENT_LOG);
  g_assert_cmpstr(log2->flags, ==, "D");
  g_assert_cmpstr(log2->text, ==, "MANAGEMENT: >STATE:1,WAIT,,,,,,");

  g_assert_cmpint(echo->type, ==, OVPN3_MGMT_EVENT_ECHO);
  g_assert_cmpint(echo->timestamp, ==, 1795362075);
  g_assert_cmpstr(echo->text, ==, "forget-passwords");

  g_assert_cmpint(remote->type, ==, OVPN3_MGMT_EVENT_REMOTE);
  g_assert_cmpstr(remote->host, ==, "127.0.0.9");
  g_assert_cmpuint(remote->port, ==, 1194);
  g_assert_cmpstr(remote->proto, ==, "udp4");
  g_assert_cmpstr(remote6->host, ==, "2001:db8::1");
  g_assert_cmpuint(remote6->port, ==, 443);
  g_assert_cmpstr(remote6->proto, ==, "tcp6-client");
  assert_unknown(">REMOTE:host,notaport,udp");

  g_assert_cmpint(proxy->type, ==, OVPN3_MGMT_EVENT_PROXY);
  g_assert_cmpuint(proxy->proxy_index, ==, 1);
  g_assert_cmpstr(proxy->proto, ==, "UDP");
  g_assert_cmpstr(proxy->host, ==, "127.0.0.1");

  g_assert_cmpint(pk->type, ==, OVPN3_MGMT_EVENT_PK_SIGN);
  g_assert_false(pk->rsa_sign);
  g_assert_cmpstr(pk->data, ==, "K3gy=");
  g_assert_cmpstr(pk->algorithm, ==, "RSA_PKCS1_PSS_PADDING,hashalg=SHA256,saltlen=digest");
  g_assert_null(pk2->algorithm);
  g_assert_true(rsa->rsa_sign);
  g_assert_cmpstr(rsa->data, ==, "AAAA");

  g_assert_cmpint(cert->type, ==, OVPN3_MGMT_EVENT_NEED_CERTIFICATE);
  g_assert_cmpstr(cert->text, ==, "macosx-keychain:subject:o=OpenVPN-TEST");

  g_assert_cmpint(prompt->type, ==, OVPN3_MGMT_EVENT_PW_PROMPT);

  assert_unknown(">FOO:bar");
  assert_unknown(">");
  assert_unknown("");
  assert_unknown("garbage");
  assert_unknown(">UPDOWN:ENV,a=b");
  assert_unknown(">CLIENT:CONNECT,0,1");
}

static void
test_classify(void)
{
  g_assert_cmpint(ovpn3_mgmt_line_classify(">HOLD:x"), ==, OVPN3_MGMT_LINE_NOTIFICATION);
  g_assert_cmpint(ovpn3_mgmt_line_classify("SUCCESS: pid=1"), ==, OVPN3_MGMT_LINE_SUCCESS);
  g_assert_cmpint(ovpn3_mgmt_line_classify("ERROR: unknown command"), ==, OVPN3_MGMT_LINE_ERROR);
  g_assert_cmpint(ovpn3_mgmt_line_classify("END"), ==, OVPN3_MGMT_LINE_END);
  g_assert_cmpint(ovpn3_mgmt_line_classify("ENDX"), ==, OVPN3_MGMT_LINE_DATA);
  g_assert_cmpint(ovpn3_mgmt_line_classify("1,CONNECTING,,,,,,"), ==, OVPN3_MGMT_LINE_DATA);
  g_assert_cmpstr(ovpn3_mgmt_line_response_text("SUCCESS: pid=1"), ==, "pid=1");
  g_assert_cmpstr(ovpn3_mgmt_line_response_text("ERROR:x"), ==, "x");
}

/* ---- UPDOWN assembler ---------------------------------------------------------------- */

static void
test_updown(void)
{
  g_autoptr(Ovpn3MgmtParser) p = ovpn3_mgmt_parser_new();
  g_autoptr(Ovpn3MgmtEvent) up = NULL;
  g_autoptr(Ovpn3MgmtEvent) after = NULL;
  g_autoptr(Ovpn3MgmtEvent) down = NULL;

  ovpn3_mgmt_parser_feed(p, ">UPDOWN:UP");
  g_assert_true(ovpn3_mgmt_parser_in_block(p));
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,dev=tun0");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,foreign_option_1=dhcp-option DNS 10.213.0.53");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,weird=a=b,c");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,noequals");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,dev=tun1");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,empty=");
  g_assert_null(ovpn3_mgmt_parser_pop(p));
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,END");
  g_assert_false(ovpn3_mgmt_parser_in_block(p));
  up = ovpn3_mgmt_parser_pop(p);
  g_assert_nonnull(up);
  g_assert_cmpint(up->type, ==, OVPN3_MGMT_EVENT_UPDOWN);
  g_assert_true(up->up);
  g_assert_cmpstr(up->line, ==, ">UPDOWN:UP");
  g_assert_cmpuint(up->env_count, ==, 6);
  g_assert_cmpuint(g_hash_table_size(up->env), ==, 4);
  g_assert_cmpstr(ovpn3_mgmt_event_get_env(up, "dev"), ==, "tun1");
  g_assert_cmpstr(ovpn3_mgmt_event_get_env(up, "foreign_option_1"), ==,
                  "dhcp-option DNS 10.213.0.53");
  g_assert_cmpstr(ovpn3_mgmt_event_get_env(up, "weird"), ==, "a=b,c");
  g_assert_cmpstr(ovpn3_mgmt_event_get_env(up, "empty"), ==, "");
  g_assert_null(ovpn3_mgmt_event_get_env(up, "noequals"));

  /* An interrupted block is reported as unknown, the line still parsed. */
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:DOWN");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,a=b");
  ovpn3_mgmt_parser_feed(p, ">HOLD:Waiting for hold release:1");
  g_clear_pointer(&up, ovpn3_mgmt_event_unref);
  up = ovpn3_mgmt_parser_pop(p);
  g_assert_cmpint(up->type, ==, OVPN3_MGMT_EVENT_UNKNOWN);
  g_assert_cmpstr(up->line, ==, ">UPDOWN:DOWN");
  after = ovpn3_mgmt_parser_pop(p);
  g_assert_cmpint(after->type, ==, OVPN3_MGMT_EVENT_HOLD);

  ovpn3_mgmt_parser_feed(p, ">UPDOWN:DOWN");
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,END");
  down = ovpn3_mgmt_parser_pop(p);
  g_assert_cmpint(down->type, ==, OVPN3_MGMT_EVENT_UPDOWN);
  g_assert_false(down->up);
  g_assert_cmpuint(g_hash_table_size(down->env), ==, 0);

  ovpn3_mgmt_parser_feed(p, ">UPDOWN:UP");
  g_assert_true(ovpn3_mgmt_parser_reset(p));
  g_assert_false(ovpn3_mgmt_parser_reset(p));
  g_assert_null(ovpn3_mgmt_parser_pop(p));
}

static void
test_updown_cap(void)
{
  g_autoptr(Ovpn3MgmtParser) p = ovpn3_mgmt_parser_new();
  g_autoptr(Ovpn3MgmtEvent) up = NULL;
  guint i;

  ovpn3_mgmt_parser_feed(p, ">UPDOWN:UP");
  for (i = 0; i < OVPN3_MGMT_MAX_ENV + 10; i++)
    {
      g_autofree gchar *l = g_strdup_printf(">UPDOWN:ENV,k%u=v", i);
      ovpn3_mgmt_parser_feed(p, l);
    }
  ovpn3_mgmt_parser_feed(p, ">UPDOWN:ENV,END");
  up = ovpn3_mgmt_parser_pop(p);
  g_assert_cmpuint(g_hash_table_size(up->env), ==, OVPN3_MGMT_MAX_ENV);
  g_assert_cmpuint(up->env_count, ==, OVPN3_MGMT_MAX_ENV + 10);
}

/* ---- Line reader ---------------------------------------------------------------------- */

static void
collect(const char *line, gboolean unterminated, gboolean too_long, gpointer user_data)
{
  GPtrArray *out = user_data;

  g_ptr_array_add(out, g_strdup_printf("%s%s%s", too_long ? "[long]" : "",
                                       unterminated ? "[unterminated]" : "", line));
}

static GPtrArray *
feed_chunks(const char *data, gsize len, gsize chunk)
{
  Ovpn3MgmtLineReader r;
  GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
  gsize i;

  ovpn3_mgmt_line_reader_init(&r);
  for (i = 0; i < len; i += chunk)
    ovpn3_mgmt_line_reader_feed(&r, (const guint8 *) data + i, MIN(chunk, len - i), collect, out);
  ovpn3_mgmt_line_reader_clear(&r);
  return out;
}

static void
test_line_reader(void)
{
  static const char input[]
      = ">INFO:hi\r\nSUCCESS: x\r\nbare lf\n\r\nENTER PASSWORD:ENTER PASSWORD:"
        "SUCCESS: password is correct\r\n>HOLD:a\r\npartial";
  const char *expected[] = { ">INFO:hi",
                             "SUCCESS: x",
                             "bare lf",
                             "",
                             "[unterminated]ENTER PASSWORD:",
                             "[unterminated]ENTER PASSWORD:",
                             "SUCCESS: password is correct",
                             ">HOLD:a" };
  gsize chunk;

  /* Same lines whatever the read sizes are. */
  for (chunk = 1; chunk <= sizeof input; chunk++)
    {
      g_autoptr(GPtrArray) out = feed_chunks(input, sizeof input - 1, chunk);
      guint i;

      g_assert_cmpuint(out->len, ==, G_N_ELEMENTS(expected));
      for (i = 0; i < out->len; i++)
        g_assert_cmpstr(out->pdata[i], ==, expected[i]);
    }
}

static void
test_line_reader_prompt_prefix(void)
{
  Ovpn3MgmtLineReader r;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);

  ovpn3_mgmt_line_reader_init(&r);
  ovpn3_mgmt_line_reader_feed(&r, (const guint8 *) "ENTER PASS", 10, collect, out);
  g_assert_cmpuint(out->len, ==, 0);
  g_assert_cmpuint(ovpn3_mgmt_line_reader_pending(&r), ==, 10);
  /* Not the prompt after all: an ordinary line. */
  ovpn3_mgmt_line_reader_feed(&r, (const guint8 *) "AGE\r\n", 5, collect, out);
  g_assert_cmpuint(out->len, ==, 1);
  g_assert_cmpstr(out->pdata[0], ==, "ENTER PASSAGE");
  g_assert_cmpuint(ovpn3_mgmt_line_reader_pending(&r), ==, 0);
  ovpn3_mgmt_line_reader_clear(&r);
}

static void
test_line_reader_sanitize(void)
{
  static const char input[] = "a\0b\r\n\xff\xfeok\r\n";
  g_autoptr(GPtrArray) out = feed_chunks(input, sizeof input - 1, 3);

  g_assert_cmpuint(out->len, ==, 2);
  g_assert_cmpstr(out->pdata[0], ==, "a?b");
  g_assert_true(g_utf8_validate(out->pdata[1], -1, NULL));
  g_assert_true(g_str_has_suffix(out->pdata[1], "ok"));
}

static void
test_line_reader_too_long(void)
{
  gsize n = OVPN3_MGMT_MAX_LINE * 2 + 10;
  g_autofree gchar *data = g_malloc(n + 16);
  g_autoptr(GPtrArray) out = NULL;
  g_autoptr(GPtrArray) out2 = NULL;

  memset(data, 'x', n);
  memcpy(data + n, "\nEND\n", 5);
  out = feed_chunks(data, n + 5, 4096);
  g_assert_cmpuint(out->len, ==, 2);
  g_assert_cmpstr(out->pdata[0], ==, "[long](line too long)");
  g_assert_cmpstr(out->pdata[1], ==, "END");
  /* Same in one piece. */
  out2 = feed_chunks(data, n + 5, n + 5);
  g_assert_cmpuint(out2->len, ==, 2);
  g_assert_cmpstr(out2->pdata[0], ==, "[long](line too long)");
}

/* ---- status ------------------------------------------------------------------------- */

static void
test_status(void)
{
  const char *lines[] = { "OpenVPN STATISTICS",
                          "Updated,2026-11-23 13:41:06",
                          "TUN/TAP read bytes,10",
                          "TUN/TAP write bytes,20",
                          "TCP/UDP read bytes,2294",
                          "TCP/UDP write bytes,2108",
                          "Auth read bytes,48",
                          "pre-compress bytes,1",
                          "TCP/UDP read bytes extra,7",
                          "junk",
                          NULL };
  const char *bad[] = { "TUN/TAP read bytes,10", NULL };
  Ovpn3MgmtStatus st;

  g_assert_true(ovpn3_mgmt_parse_status(lines, &st));
  g_assert_cmpuint(st.tun_read_bytes, ==, 10);
  g_assert_cmpuint(st.tun_write_bytes, ==, 20);
  g_assert_cmpuint(st.link_read_bytes, ==, 2294);
  g_assert_cmpuint(st.link_write_bytes, ==, 2108);
  g_assert_cmpuint(st.auth_read_bytes, ==, 48);
  g_assert_cmpuint(st.pre_compress_bytes, ==, 1);
  g_assert_false(ovpn3_mgmt_parse_status(bad, &st));
  g_assert_false(ovpn3_mgmt_parse_status(NULL, &st));
}

static void
test_push_reply(void)
{
  g_auto(GStrv) opts = ovpn3_mgmt_parse_push_reply(
      "PUSH: Received control message: 'PUSH_REPLY,redirect-gateway def1,route 10.214.0.0 "
      "255.255.0.0,dhcp-option DNS 10.213.0.53,ifconfig 10.213.0.2 255.255.255.0'");
  g_auto(GStrv) empty = ovpn3_mgmt_parse_push_reply("PUSH: Received control message: 'PUSH_REPLY'");

  g_assert_nonnull(opts);
  g_assert_cmpuint(g_strv_length(opts), ==, 4);
  g_assert_cmpstr(opts[0], ==, "redirect-gateway def1");
  g_assert_cmpstr(opts[3], ==, "ifconfig 10.213.0.2 255.255.255.0");
  g_assert_nonnull(empty);
  g_assert_cmpuint(g_strv_length(empty), ==, 0);
  g_assert_null(ovpn3_mgmt_parse_push_reply("PUSH: Received control message: 'PUSH_REPLY,x"));
  g_assert_null(ovpn3_mgmt_parse_push_reply("MANAGEMENT: >STATE:1,WAIT,,,,,,"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mgmt/event/info-hold", test_info_hold);
  g_test_add_func("/mgmt/event/state", test_state);
  g_test_add_func("/mgmt/event/password-need", test_password_need);
  g_test_add_func("/mgmt/event/password-failed", test_password_failed);
  g_test_add_func("/mgmt/event/crv1", test_crv1);
  g_test_add_func("/mgmt/event/need-ok-str", test_need_ok_str);
  g_test_add_func("/mgmt/event/infomsg", test_infomsg);
  g_test_add_func("/mgmt/event/misc", test_misc_notifications);
  g_test_add_func("/mgmt/event/classify", test_classify);
  g_test_add_func("/mgmt/event/updown", test_updown);
  g_test_add_func("/mgmt/event/updown-cap", test_updown_cap);
  g_test_add_func("/mgmt/lines/split", test_line_reader);
  g_test_add_func("/mgmt/lines/prompt-prefix", test_line_reader_prompt_prefix);
  g_test_add_func("/mgmt/lines/sanitize", test_line_reader_sanitize);
  g_test_add_func("/mgmt/lines/too-long", test_line_reader_too_long);
  g_test_add_func("/mgmt/status", test_status);
  g_test_add_func("/mgmt/push-reply", test_push_reply);
  return g_test_run();
}
