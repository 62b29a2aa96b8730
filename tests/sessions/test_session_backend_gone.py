#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sessions end when their backend does (docs/dbus-api.md §7.4): a SIGKILLed backend
client -> force-close and SESS_DESTROYED; a terminal status (CONN_FAILED)
-> the session is removed and the backend told to shut down; a backend
that fails the profile (CFG_ERROR) -> NewTunnel fails with "Could not start
the VPN client" and a SESS_DESTROYED without SESS_CREATED."""

import os
import signal

import ovpn3test as t
import sesstest as s


def sessions_of(user):
    return t.call_as(user, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                     'FetchAvailableSessions')


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


# 1. backend client SIGKILLed
def test_killed_backend_closes_the_session():
    global cfg, path
    cfg = s.import_profile(a, 'autologin-killed')
    path = s.start_session(a, cfg)
    assert tuple(s.session_get(a, path, 'status'))[:2] == (2, 2)
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)
    pid = s.session_get(a, path, 'backend_pid')
    os.kill(pid, signal.SIGKILL)
    events.wait_for(path, s.SESS_DESTROYED)
    assert s.object_gone(bus, path)
    assert sessions_of(a) == []


# a call on the closed session fails cleanly
def test_call_on_the_closed_session_fails_cleanly():
    t.expect_error(lambda: s.session_call(a, path, 'Ready'),
                   'org.freedesktop.DBus.Error.UnknownMethod', 'Object does not exist')


# and the profile can be started again
def test_profile_can_be_started_again():
    global path
    path = s.start_session(a, cfg)
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


# 2. CONN_FAILED: removed, backend shut down
def test_conn_failed_removes_the_session_and_stops_the_backend():
    global cfg, path
    cfg = s.import_profile(a, 'autologin-fail-on-connect')
    path = s.start_session(a, cfg)
    pid = s.session_get(a, path, 'backend_pid')
    s.session_call(a, path, 'Connect')
    events.wait_for(path, s.SESS_DESTROYED)
    assert s.object_gone(bus, path)
    t.wait_until(lambda: pid not in s.backend_processes(), what='the failed backend to exit')


# 3. CFG_ERROR during registration: the start fails
def test_cfg_error_during_registration_fails_the_start():
    global cfg
    cfg = s.import_profile(a, 'cfg-error')
    before = len(events.sig.received)
    e = t.expect_error(lambda: s.start_session(a, cfg), s.ERR_REQUEST)
    # the reason comes along (here: what the backend said)
    assert e.message.startswith('Could not start the VPN client: '), e
    assert 'Configuration profile is not usable' in e.message, e
    t.wait_until(lambda: any(x['args'][1] == s.SESS_DESTROYED
                             for x in events.sig.received[before:]),
                 what='SESS_DESTROYED of the failed start')
    kinds = [x['args'][1] for x in events.sig.received[before:]]
    assert kinds == [s.SESS_DESTROYED], kinds
    assert sessions_of(a) == []
    t.wait_until(lambda: s.backend_processes() == [], what='every backend to exit')


# 4. a path that is not a profile
def test_path_that_is_no_profile_refused():
    t.expect_error(lambda: s.start_session(a, '/net/openvpn/v3/configuration/nothere'),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'No configuration profile')
    t.expect_error(lambda: s.start_session(a, '/net/openvpn/v3/sessions'),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'No configuration profile')


t.main()
