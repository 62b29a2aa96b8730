#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The session manager stopped (SIGTERM) with live sessions: every session
is closed (SESS_DESTROYED) and its backend told to shut down, so no VPN is
left running that nobody can control; the next NewTunnel activates a new
session manager that works."""

import signal

import ovpn3test as t
import sesstest as s


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_sigterm_closes_every_session_and_stops_backends():
    paths = [s.start_session(a, s.import_profile(a, 'autologin-stop%d' % i)) for i in range(2)]
    for p in paths:
        s.session_call(a, p, 'Connect')
        s.wait_status(a, p, 2, 7)
    assert len(s.backend_processes()) == 2

    t.kill_service(bus, t.SESSIONS_NAME, signal.SIGTERM)
    for p in paths:
        events.wait_for(p, s.SESS_DESTROYED)
    t.wait_until(lambda: s.backend_processes() == [], what='the backends to shut down')


def test_next_new_tunnel_activates_a_working_manager():
    path = s.start_session(a, s.import_profile(a, 'autologin-after'))
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


t.main()
