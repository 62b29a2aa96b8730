#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""automatic-restart=on-failure (docs/dbus-api.md §7.4): a crashed backend client is
replaced for the same session path after the back-off (3 s the first
time), Ready and Connect run again, no SESS_DESTROYED/SESS_CREATED in
between; without the override the session ends; Disconnect during the
back-off ends the session and nothing restarts."""

import os
import signal
import time

import ovpn3test as t
import sesstest as s


def set_override(user, cfg, name, value):
    t.call_as(user, t.CONFIG_NAME, cfg, s.CONFIG_IFACE, 'SetOverride', name, value,
              signature='sv')


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_crashed_backend_restarted_after_back_off():
    global path, pid2
    cfg = s.import_profile(a, 'autologin-restart')
    set_override(a, cfg, 'automatic-restart', t.dbus.String('on-failure'))
    path = s.start_session(a, cfg)
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)
    pid1 = s.session_get(a, path, 'backend_pid')

    os.kill(pid1, signal.SIGKILL)
    killed = time.monotonic()
    t.wait_until(lambda: s.session_get(a, path, 'backend_pid') not in (pid1, 0), t.scaled(3),
                 'a new backend client')
    took = time.monotonic() - killed
    assert took >= 2.5, took
    pid2 = s.session_get(a, path, 'backend_pid')
    assert pid2 in s.backend_processes(), (pid2, s.backend_processes())
    s.wait_status(a, path, 2, 7)
    assert events.of(path) == [s.SESS_CREATED], events.of(path)
    assert s.session_call(a, t.SESSIONS_PATH, 'FetchAvailableSessions') == [path]


def restarting():
    # polled from this process (root may call it): cheap enough to
    # catch the 6 s back-off window even on a loaded machine
    try:
        t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'Ready')
    except t.CallError as e:
        return e.name == s.ERR_GDBUSPP and 'being restarted' in e.message
    return False


# crash again, Disconnect during the back-off: the session ends, no restart
def test_disconnect_during_back_off_ends_the_session():
    os.kill(pid2, signal.SIGKILL)
    t.wait_until(lambda: pid2 not in s.backend_processes(), what='the backend to die')
    t.wait_until(restarting, what='the restart back-off')
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    end = time.monotonic() + 8
    t.wait_until(lambda: time.monotonic() > end, 20, 'a would-be restart')
    assert s.backend_processes() == [], s.backend_processes()


# without the override a crash ends the session (also test_session_backend_gone)
def test_without_override_a_crash_ends_the_session():
    cfg2 = s.import_profile(a, 'autologin-norestart')
    set_override(a, cfg2, 'automatic-restart', t.dbus.String('no'))
    path2 = s.start_session(a, cfg2)
    s.session_call(a, path2, 'Connect')
    s.wait_status(a, path2, 2, 7)
    os.kill(s.session_get(a, path2, 'backend_pid'), signal.SIGKILL)
    events.wait_for(path2, s.SESS_DESTROYED)


t.main()
