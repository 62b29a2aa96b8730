# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client: server-driven challenges against a real openvpn 2.6 server
(--management-client-auth decides): dynamic CRV1, CR_TEXT (pending auth),
WEB_AUTH (https:, and http: / javascript: URLs, which are refused), and an
encrypted private key (wrong, then right passphrase)."""

import ovpn3test as t
from clientlab import (CRED, G_DYNAMIC, G_PENDING, G_PK, G_URL, AUTH_FAILED, AUTH_URL,
                       CFG_REQUIRE_USER, CONNECTED, DONE, FAILED, PASSWORD, USERNAME, Lab, b64,
                       profile_text)

PIN = 'pin-8642'
TOTP = 'totp-1357'
KEYPASS = 'key-Secret-99'
URL = 'https://auth.example.test/login?session=abc123'


def finish(lab, be):
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def crv1(lab):
    def policy(kind, env):
        if env.get('password') == PASSWORD:
            return ('deny', 'CRV1:R,E:state42:%s:Enter PIN' % b64(USERNAME))
        if env.get('username') == USERNAME and env.get('password') == 'CRV1::state42::' + PIN:
            return ('auth',)
        return ('deny', 'bad PIN')
    lab.server.policy = policy
    be, _ = lab.new_session()
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
    assert msg == 'Dynamic Challenge', msg
    be.wait_attention((CRED, G_DYNAMIC, 'Enter PIN'))
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_DYNAMIC)]
    # the cookie slot is pre-filled, so only the response is listed
    assert be.call('UserInputQueueCheck', 1, 5, signature='uu') == [0]
    assert be.call('UserInputQueueFetch', 1, 5, 0, signature='uuu') == \
        (1, 5, 0, 'dynamic_challenge', 'Enter PIN', False)
    t.expect_error(lambda: be.call('Ready'), 'net.openvpn.v3.error.ready', 'Missing user')
    be.call('UserInputProvide', 1, 5, 0, PIN, signature='uuus')
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    finish(lab, be)


def cr_text(lab):
    def policy(kind, env):
        if kind == 'CR_RESPONSE':
            return ('auth',) if env.get('cr_response') == b64(TOTP) else ('deny', 'bad TOTP')
        if env.get('password') == PASSWORD:
            return ('pending', 'CR_TEXT:R,E:Enter your TOTP code', 30)
        return ('deny', 'no')
    lab.server.policy = policy
    be, _ = lab.new_session()
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
    assert msg == 'Enter your TOTP code', msg
    be.wait_attention((CRED, G_PENDING, 'Enter your TOTP code'))
    assert be.call('UserInputQueueFetch', 1, 6, 0, signature='uuu') == \
        (1, 6, 0, 'auth_pending', 'Enter your TOTP code', False)
    mark = len(be.statuses())
    # providing it sends the answer at once: no Connect needed
    be.call('UserInputProvide', 1, 6, 0, TOTP, signature='uuus')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert any(k == 'CR_RESPONSE' for k, _ in lab.server.events)
    finish(lab, be)


def web_auth(lab):
    def policy(kind, env):
        if env.get('password') == PASSWORD:
            return ('pending', 'WEB_AUTH::' + URL, 60)
        return ('deny', 'no')
    lab.server.policy = policy
    be, _ = lab.new_session()
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    _, url = be.wait_status(AUTH_URL, major=3, after=mark, timeout=60)
    assert url == URL, url
    be.wait_attention((CRED, G_URL, URL))
    assert be.prop('status') == (3, AUTH_URL, URL), be.prop('status')
    t.expect_error(lambda: be.call('Ready'), 'net.openvpn.v3.error.ready',
                   'Pending web authentication')
    lab.server.approve_last()
    be.wait_status(CONNECTED, after=mark, timeout=60)
    be.call('Ready')
    finish(lab, be)


def web_auth_refused(lab, url, scheme):
    """A URL that is not https: never reaches a front-end: no (3, 22), no
    AttentionRequired; one log line with the URL escaped; the session ends
    at once with CONN_FAILED and the reason, instead of waiting for a login
    that cannot happen."""
    def policy(kind, env):
        if env.get('password') == PASSWORD:
            return ('pending', 'WEB_AUTH::' + url, 60)
        return ('deny', 'no')
    lab.server.policy = policy
    be, _ = lab.new_session()
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    _, reason = be.wait_status(FAILED, after=mark, timeout=60)
    assert reason == ("Web authentication refused: the server sent a '%s:' URL; "
                      "only https: URLs are opened" % scheme), reason
    assert be.wait_exit(20) == 0
    assert not any(s[1] == AUTH_URL for s in be.statuses()), be.statuses()
    assert not any(a[1] == G_URL for a in be.attentions()), be.attentions()
    refused = [log[3] for log in be.logs() if 'web login URL' in log[3]]
    assert refused == ['Refused the server\'s web login URL "%s": the server sent a \'%s:\' URL;'
                       ' only https: URLs are opened' % (url.replace('"', '\\"'), scheme)], \
        refused
    lab.assert_clean(be)


def encrypted_key(lab):
    lab.server.policy = lambda kind, env: ('auth',)  # certificate only
    be, _ = lab.new_session(profile_text(lab.pki, auth_user_pass=False, key='client-enc.key'))
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_PK)]
    assert be.call('UserInputQueueFetch', 1, 3, 0, signature='uuu') == \
        (1, 3, 0, 'pk_passphrase', 'Private key passphrase', True)
    be.wait_attention((CRED, G_PK, 'Private key passphrase needed to connect'))
    be.call('UserInputProvide', 1, 3, 0, 'not-the-passphrase', signature='uuus')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(AUTH_FAILED, after=mark, timeout=60)
    t.wait_until(lambda: be.call('UserInputQueueCheck', 1, 3, signature='uu') == [1], 10,
                 'passphrase slot re-opened')
    be.call('UserInputProvide', 1, 3, 1, KEYPASS, signature='uuus')
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert lab.ping_server(), 'no traffic'
    finish(lab, be)


lab = None


def test_server_and_services_start():
    global lab
    lab = Lab()
    t.cleanup(lab.close)


def test_crv1():
    crv1(lab)


def test_cr_text():
    cr_text(lab)


def test_web_auth():
    web_auth(lab)


def test_web_auth_http_url_refused():
    web_auth_refused(lab, 'http://auth.example.test/login?session=abc123', 'http')


def test_web_auth_javascript_url_refused():
    web_auth_refused(lab, 'javascript:alert(document.cookie)', 'javascript')


def test_encrypted_key():
    encrypted_key(lab)


def test_no_secret_logged():
    lab.assert_no_secret_logged(PASSWORD, PIN, TOTP, KEYPASS)


t.main()
