#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "ACL refusals carry org.freedesktop.DBus.Error.AccessDenied"
(tests/compat/README.md): another user's calls on a profile and on a
session, and their property reads, are refused with that error name, so
that str(exception) begins 'org.freedesktop.DBus.Error.AccessDenied:' --
the text upstream's Python module looks for (NetCfgManager.py with
find(...) >= 0; ConfigManager.py and SessionManager.py with > 0, which
dbus-python's str() never satisfies since the name comes first).
docs/compatibility.md §3. Real backend client."""


import ovpn3test as t
import compat as c

NAME = 'org.freedesktop.DBus.Error.AccessDenied'


def refused(path, iface, dest, method, *args, signature=''):
    e = c.python_error(t.USER_B, dest, path, iface, method, *args, signature=signature)
    assert e.dbus_name == NAME, (method, e.text)
    assert e.text.startswith(NAME + ': '), (method, e.text)
    assert e.text.find(NAME + ':') >= 0, e.text


t.require_devbus()


tmp = c.temp_dir()


def test_other_users_calls_on_profile_and_session_get_access_denied():
    cfg, path = c.start_session(t.USER_A, 'compat-acl', c.real_profile(tmp))
    cf = (cfg, c.CONFIG_IFACE, t.CONFIG_NAME)
    refused(*cf, 'Fetch')
    refused(*cf, 'Validate')
    refused(*cf, 'Remove')
    refused(*cf, 'AddTag', 'x', signature='s')
    refused(*cf, 'UnsetOverride', 'dns-scope', signature='s')
    refused(cfg, t.PROPS, t.CONFIG_NAME, 'Get', c.CONFIG_IFACE, 'name', signature='ss')
    se = (path, c.SESSIONS_IFACE, t.SESSIONS_NAME)
    refused(*se, 'Ready')
    refused(*se, 'Connect')
    refused(*se, 'Disconnect')
    refused(*se, 'UserInputQueueGetTypeGroup')
    refused(*se, 'UserInputProvide', 1, 1, 0, 'x', signature='uuus')
    refused(path, t.PROPS, t.SESSIONS_NAME, 'Get', c.SESSIONS_IFACE, 'status',
            signature='ss')
    c.python_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')


t.main()
