#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "Get(status) on a session that ended fails" (tests/compat/README.md):
`openvpn3 session-start` polls the session's `status` until it connects;
when the session has ended (closed elsewhere, or its backend died) reading
it must fail rather than give a stale value, so the CLI stops polling. The
CLI compares the failure with "Failed retrieving property value for
'status'", a text of the D-Bus wrapper it used before GDBus++: GDBus++
says what() "[Proxy::Client(..., 'org.freedesktop.DBus.Properties',
'Get')] Object does not exist at path ..." instead, as upstream's services
give it too. Real backend client."""

import os
import signal

import ovpn3test as t
import compat as c
import sesstest as s


def status_fails(path):
    g = None
    try:
        value = c.gdbuspp_get(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'status')
    except c.GDBusppError as e:
        g = e
    assert g is not None, 'Get(status) on an ended session gave %r' % (value,)
    assert g.what.startswith("[Proxy::Client('%s', '%s', '%s', 'Get')] "
                             % (t.SESSIONS_NAME, path, t.PROPS)), g
    assert 'Object does not exist at path' in g.raw, g


t.require_devbus()


bus = t.system_bus()
events = s.Events(bus)
tmp = c.temp_dir()


def test_status_of_an_ended_session_fails():
    cfg, path = c.start_session(t.USER_A, 'compat-status', c.real_profile(tmp))
    assert c.gdbuspp_get(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE,
                         'status')[:2] == [2, 4]
    s.session_call(t.USER_A, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    status_fails(path)

    path = s.start_session(t.USER_A, cfg)
    os.kill(s.session_get(t.USER_A, path, 'backend_pid'), signal.SIGKILL)
    events.wait_for(path, s.SESS_DESTROYED)
    status_fails(path)


t.main()
