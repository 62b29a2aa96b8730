#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Idle exit (docs/dbus-api.md §2): the session manager stays while a session exists,
however long nobody calls it, and exits once the last session is gone and
the idle time passed (OVPN3_IDLE_EXIT=3 here; the default is 3 min)."""

import time

import ovpn3test as t
import sesstest as s

IDLE = 3


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_session_starts():
    global path, pid
    cfg = s.import_profile(a, 'autologin-idle')
    path = s.start_session(a, cfg)
    pid = t.name_pid(bus, t.SESSIONS_NAME)
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)


# nobody calls for 3 idle periods: the session keeps it alive
def test_live_session_keeps_the_manager_through_3_idle_periods():
    end = time.monotonic() + 3 * IDLE
    t.wait_until(lambda: time.monotonic() > end, 5 * IDLE, 'three idle periods')
    assert t.name_has_owner(bus, t.SESSIONS_NAME)
    assert t.name_pid(bus, t.SESSIONS_NAME) == pid


# backendstart has no session to keep: it went long ago, the client did not
def test_backendstart_exited_the_client_did_not():
    assert not t.name_has_owner(bus, t.BACKENDS_NAME)
    assert tuple(s.session_get(a, path, 'status'))[:2] == (2, 7)

    s.session_call(a, path, 'Disconnect')
    gone_at = time.monotonic()
    events.wait_for(path, s.SESS_DESTROYED)
    t.wait_name_gone(bus, t.SESSIONS_NAME, timeout=t.scaled(IDLE))
    took = time.monotonic() - gone_at
    assert took >= IDLE - 0.5, took


t.main()
