#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row ' Missing user credentials' (tests/compat/README.md): `Ready` on a
session whose backend still needs a username and password. openvpn2 and
openvpn3-autoload test str(exception).find(' Missing user credentials') > 0
(then ask for / provide the credentials); the C++ CLI's ReadyException
carries GDBus++'s GetRawError(), which must be that text with its leading
space, as upstream's services give it."""


import ovpn3test as t
import compat as c


t.require_devbus()


tmp = c.temp_dir()


def test_ready_before_credentials_says_missing_user_credentials():
    _, path = c.start_session(t.USER_A, 'compat-creds', c.real_profile(tmp))
    e = c.python_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Ready')
    assert e.text.find(' Missing user credentials') > 0, e.text
    g = c.gdbuspp_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Ready')
    assert g.raw == ' Missing user credentials', g
    assert ' Missing user credentials' in g.what, g
    c.python_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')


t.main()
