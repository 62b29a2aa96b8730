# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client authentication flows against a real openvpn 2.6 server:
wrong password -> CONN_AUTH_FAILED -> the credential slots open again ->
right password + Connect in the same session; static challenge (SCRV1), and
after a server kick a new prompt asks the user again for the one-time
response; inline credentials; ForceShutdown."""

import ovpn3test as t
from clientlab import (CRED, G_USERPASS, G_STATIC, AUTH_FAILED, CFG_REQUIRE_USER, CONNECTED,
                       DONE, PASSWORD, USERNAME, Lab, b64, default_policy, profile_text)

WRONG = 'pw-Wrong-0815'
OTP = 'otp-97531'


def wrong_then_right(lab):
    be, _ = lab.new_session()
    assert be.walk_queue({'username': USERNAME, 'password': WRONG}) == [
        (1, 1, 0, 'username', 'Auth User name', False),
        (1, 1, 1, 'password', 'Auth Password', True)]
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    _, msg = be.wait_status(AUTH_FAILED, after=mark, timeout=60)
    assert msg == 'Wrong username or password', msg
    t.wait_until(lambda: (CRED, G_USERPASS, 'Username/password credentials needed')
                 in be.attentions()[1:], None, 'AttentionRequired after the failure')
    # the session stays; the status stays AUTH_FAILED; new slots with new ids
    assert be.proc.poll() is None
    t.wait_until(lambda: be.call('UserInputQueueGetTypeGroup') == [(CRED, G_USERPASS)], 10,
                 'slots re-opened')
    assert be.call('UserInputQueueCheck', 1, 1, signature='uu') == [2, 3]
    assert be.prop('status')[1] == AUTH_FAILED, be.prop('status')
    t.expect_error(lambda: be.call('Ready'), 'net.openvpn.v3.error.ready',
                   'Missing user credentials')
    t.expect_error(lambda: be.call('Connect'), 'net.openvpn.v3.error.client',
                   'Required user input not provided')
    assert be.walk_queue({'username': USERNAME, 'password': PASSWORD}) == [
        (1, 1, 2, 'username', 'Auth User name', False),
        (1, 1, 3, 'password', 'Auth Password', True)]
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert lab.ping_server(), 'no traffic'
    passwords = [e['password'] for k, e in lab.server.events if k == 'CONNECT']
    assert passwords == [WRONG, PASSWORD], passwords
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def static_challenge(lab):
    def policy(kind, env):
        if env.get('username') == USERNAME and \
                env.get('password') == 'SCRV1:%s:%s' % (b64(PASSWORD), b64(OTP)):
            return ('auth',)
        return ('deny', 'bad OTP')
    lab.server.policy = policy
    lab.server.events.clear()
    be, _ = lab.new_session(profile_text(lab.pki, extra='static-challenge "Enter OTP" 1'))
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_USERPASS), (CRED, G_STATIC)]
    assert be.call('UserInputQueueFetch', 1, 4, 0, signature='uuu') == \
        (1, 4, 0, 'static_challenge', 'Enter OTP', False)
    be.wait_attention((CRED, G_STATIC, 'Enter OTP'))
    be.walk_queue({'username': USERNAME, 'password': PASSWORD, 'static_challenge': OTP})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)

    # the server kicks us; openvpn asks again; the one-time response is not reused
    mark = len(be.statuses())
    lab.server.kill_last('RESTART')
    _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
    assert msg == 'Enter OTP', msg
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_STATIC)]
    assert be.call('UserInputQueueCheck', 1, 4, signature='uu') == [1]
    t.expect_error(lambda: be.call('Ready'), 'net.openvpn.v3.error.ready', 'Missing user')
    be.call('UserInputProvide', 1, 4, 1, OTP, signature='uuus')
    be.call('Ready')
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    scrv1 = [e['password'] for k, e in lab.server.events if k == 'CONNECT']
    assert len(scrv1) == 2 and scrv1[0] == scrv1[1], scrv1

    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)
    lab.server.policy = default_policy


def inline_credentials(lab):
    """An inline <auth-user-pass> needs no input; an inline username alone
    leaves only the password slot (id 1) open."""
    text = profile_text(lab.pki) + '<auth-user-pass>\n%s\n%s\n</auth-user-pass>\n' % (
        USERNAME, PASSWORD)
    be, _ = lab.new_session(text)
    assert be.call('UserInputQueueGetTypeGroup') == []
    assert be.prop('status') == (2, 2, 'config_path=' + be.config_path), be.prop('status')
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)

    text = profile_text(lab.pki) + '<auth-user-pass>\n%s\n</auth-user-pass>\n' % USERNAME
    be, _ = lab.new_session(text)
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_USERPASS)]
    assert be.call('UserInputQueueCheck', 1, 1, signature='uu') == [1]
    be.call('UserInputProvide', 1, 1, 1, PASSWORD, signature='uuus')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    mark = len(be.statuses())
    be.call('ForceShutdown')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    assert [s for s in be.statuses()[mark:] if s[1] == DONE] == [(2, DONE, '')], be.statuses()
    lab.assert_clean(be)


lab = None


def test_server_and_services_start():
    global lab
    lab = Lab()
    t.cleanup(lab.close)


def test_wrong_then_right():
    wrong_then_right(lab)


def test_static_challenge():
    static_challenge(lab)


def test_inline_credentials():
    inline_credentials(lab)


def test_no_secret_logged():
    lab.assert_no_secret_logged(PASSWORD, WRONG, OTP)


t.main()
