#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 'Object does not exist at path ' (tests/compat/README.md): the
session is closed by another process while `openvpn3 session-start`
prompts for credentials. Its UserInputProvide then fails and, when GDBus++'s
GetRawError() contains 'Object does not exist at path ', the CLI stops with
"Session aborted through another process" (otherwise it reports an error).
The same for a session whose backend client was killed. Real backend
client."""

import os
import signal

import ovpn3test as t
import compat as c
import sesstest as s

TEXT = 'Object does not exist at path '


def provide_fails(path):
    g = c.gdbuspp_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE,
                        'UserInputProvide', 'uuus', (1, 1, 0, 'alice'))
    assert TEXT in g.raw, g


t.require_devbus()


bus = t.system_bus()
events = s.Events(bus)
tmp = c.temp_dir()


def test_closed_session_gives_object_does_not_exist():
    text = c.real_profile(tmp)
    cfg, path = c.start_session(t.USER_A, 'compat-gone', text)
    c.python_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    provide_fails(path)

    path = s.start_session(t.USER_A, cfg)
    os.kill(s.session_get(t.USER_A, path, 'backend_pid'), signal.SIGKILL)
    events.wait_for(path, s.SESS_DESTROYED)
    provide_fails(path)


t.main()
