#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 'net.openvpn.v3.error.ready' (tests/compat/README.md): every `Ready`
error of a session -- "Missing user credentials" before the credentials
are given, "Pending web authentication" while a web login is pending --
reaches the C++ CLI (GDBus++: message only) with the error name in the
message: upstream's SessionManager proxy turns the failure into a
ReadyException only if what() contains 'net.openvpn.v3.error.ready', and
`openvpn3 session-start` then asks for the credentials or opens the URL.
The D-Bus error name itself stays net.openvpn.v3.error.ready.

Real backend client and a real openvpn 2.6 server (tests/lib/ovpn3server.py)
that answers the login with WEB_AUTH."""

import shutil
import tempfile

import ovpn3test as t
import compat as c
import ovpn3server as lab
import sesstest as s

NAME = 'net.openvpn.v3.error.ready'
URL = 'https://login.example.test/compat'


def ready_error(path, text):
    g = c.gdbuspp_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Ready')
    assert NAME in g.what, g
    assert g.domain == NAME and g.raw == ' ' + text, g
    e = c.python_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Ready')
    assert e.dbus_name == NAME, e.dbus_name
    assert e.text == '%s: GDBus.Error:%s: %s' % (NAME, NAME, text), e.text


t.require_devbus()


def _cleanup():
    if server is not None:
        server.close()
    shutil.rmtree(tmp, ignore_errors=True)


tmp = tempfile.mkdtemp(prefix='ovpn3-compat-')
server = None
t.cleanup(_cleanup)


def policy(kind, env):
    if env.get('password') == lab.PASSWORD:
        return ('pending', 'WEB_AUTH::' + URL, 60)
    return ('deny', 'no')


def test_every_ready_error_is_named_net_openvpn_v3_error_ready():
    global server
    text = c.real_profile(tmp)
    server = lab.Server(tmp, tmp + '/pki')

    server.policy = policy
    _, path = c.start_session(t.USER_A, 'compat-ready', text)
    ready_error(path, 'Missing user credentials')

    s.provide_credentials(t.USER_A, path, lab.USERNAME, lab.PASSWORD)
    s.session_call(t.USER_A, path, 'Ready')
    s.session_call(t.USER_A, path, 'Connect')
    s.wait_status(t.USER_A, path, 3, 22, timeout=60)
    ready_error(path, 'Pending web authentication')
    s.session_call(t.USER_A, path, 'Disconnect')


t.main()
