#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "Disconnect on an ended session fails with UnknownMethod"
(tests/compat/README.md): on Ctrl-C openvpn2 calls Disconnect and ignores
an error only when str(exception).split(':')[0] is
'org.freedesktop.DBus.Error.UnknownMethod' (the session is already gone);
anything else is raised. Sessions ended by Disconnect and by a killed
backend client. Real backend client."""

import os
import signal

import ovpn3test as t
import compat as c
import sesstest as s


def disconnect_gone(path):
    e = c.python_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')
    assert e.text.split(':')[0] == 'org.freedesktop.DBus.Error.UnknownMethod', e.text


t.require_devbus()


bus = t.system_bus()
events = s.Events(bus)
tmp = c.temp_dir()


def test_disconnect_on_an_ended_session_fails_with_unknown_method():
    cfg, path = c.start_session(t.USER_A, 'compat-disconnect', c.real_profile(tmp))
    c.python_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    disconnect_gone(path)

    path = s.start_session(t.USER_A, cfg)
    os.kill(s.session_get(t.USER_A, path, 'backend_pid'), signal.SIGKILL)
    events.wait_for(path, s.SESS_DESTROYED)
    disconnect_gone(path)


t.main()
