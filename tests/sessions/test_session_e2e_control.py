#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Through the session manager, with the real backend client and a real
openvpn 2.6 server: a wrong password gives CONN_AUTH_FAILED and the same
session takes new credentials and connects; LogForward delivers the real
backend's StatusChange and Log as (uus) from the log service; Pause/Resume
and Restart; openvpn SIGKILLed -> PROC_KILLED, the session removed and the
network cleaned up."""

import os
import signal

import ovpn3test as t
import sesstest as s
from e2elab import assert_clean, openvpn_of
import ovpn3server as lab


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_server_lab_and_session_are_up():
    global path, srv
    srv = lab.ServerLab('ovpn3-sessions-ctl-')
    t.cleanup(srv.close)
    cfg = s.import_profile(a, 'e2e-control', lab.profile_text(srv.pki))
    path = s.start_session(a, cfg)


# wrong password, then the right one in the same session
def test_wrong_password_then_right_one_in_the_same_session():
    s.provide_credentials(a, path, lab.USERNAME, 'not-the-password')
    s.session_call(a, path, 'Ready')
    s.session_call(a, path, 'Connect')
    st = s.wait_status(a, path, 2, 11, timeout=60)
    print('auth failed: %r' % (st,))
    t.expect_error(lambda: s.session_call(a, path, 'Ready'), s.ERR_READY,
                   'Missing user credentials')
    s.provide_credentials(a, path, lab.USERNAME, lab.PASSWORD)
    s.session_call(a, path, 'Ready')
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7, timeout=60)
    dev = s.session_get(a, path, 'device_name')
    assert lab.ping(dev), 'no traffic after the retry'
    assert events.of(path) == [s.SESS_CREATED], events.of(path)


# LogForward with the real backend (a Restart makes it talk)
# (the real client may stay silent in Log during a Restart: StatusChange is
# required here, Log forwarding is covered with the fake client)
def test_log_forward_with_the_real_backend():
    log_owner, on, off, got = t.run_as(a, s.log_forward_flow, path, 'Restart', False,
                                       timeout=120, fresh=True)
    assert len(on) == 1 and off == [], (on, off)
    for g in got:
        assert (g['sender'], g['interface'], g['path'], g['signature']) == \
            (log_owner, s.BACKENDS_IFACE, path, 'uus'), g
    statuses = [tuple(g['args'][:2]) for g in got if g['member'] == 'StatusChange']
    assert (2, 12) in statuses and statuses[-1] == (2, 7), statuses
    s.wait_status(a, path, 2, 7, timeout=60)


# Pause / Resume
def test_pause_and_resume():
    s.session_call(a, path, 'Pause', 'lunch', signature='s')
    s.wait_status(a, path, 2, 14, timeout=30)
    s.session_call(a, path, 'Resume')
    s.wait_status(a, path, 2, 7, timeout=60)
    assert lab.ping(s.session_get(a, path, 'device_name')), 'no traffic after Resume'


# openvpn SIGKILLed: PROC_KILLED, session removed, network clean
def test_openvpn_sigkilled_ends_session_with_final_status_forwarded():
    backend = s.session_get(a, path, 'backend_pid')
    ovpn = openvpn_of(backend)
    assert ovpn, 'no openvpn under backend %d' % backend
    # a LogForward subscriber (root: manage-others) must get the final
    # status even though the session closes itself right after it
    forwarded = t.Signals(bus, bus_name=t.LOG_NAME, dbus_interface=s.BACKENDS_IFACE,
                          path=path, signal_name='StatusChange')
    t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'LogForward', True, signature='b')
    os.kill(ovpn, signal.SIGKILL)
    events.wait_for(path, s.SESS_DESTROYED, timeout=60)
    forwarded.wait(1)
    statuses = [tuple(g['args'][:2]) for g in forwarded.settle(1.0)]
    assert (2, 29) in statuses, 'PROC_KILLED not forwarded: %r' % statuses
    assert s.object_gone(bus, path)
    assert_clean(srv.resolv_before)


t.main()
