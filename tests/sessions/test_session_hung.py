#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A backend that stops answering: a property read gives up after 5 s with
"VPN session is stopped", the session is force-closed (SESS_DESTROYED,
ForceShutdown) and the other sessions are unaffected."""

import time

import ovpn3test as t
import sesstest as s


def test():
    bus = t.system_bus()
    events = s.Events(bus)
    a = t.USER_A
    good = s.start_session(a, s.import_profile(a, 'autologin-good'))
    hung = s.start_session(a, s.import_profile(a, 'autologin-hang'))

    started = time.monotonic()
    e = s.expect_error(lambda: s.session_get(a, hung, 'statistics'), s.FAILED,
                       'VPN session is stopped')
    took = time.monotonic() - started
    assert 4 <= took < 9, took
    events.wait_for(hung, s.SESS_DESTROYED)
    assert s.object_gone(bus, hung)
    # the other session answers as before
    started = time.monotonic()
    assert s.session_get(a, good, 'statistics') == {}
    assert time.monotonic() - started < 2
    assert s.session_call(a, t.SESSIONS_PATH, 'FetchAvailableSessions') == [good]
    s.session_call(a, good, 'Disconnect')
    events.wait_for(good, s.SESS_DESTROYED)
    # the hung client got ForceShutdown once it woke up
    t.wait_until(lambda: s.backend_processes() == [], 30, 'the hung client to exit')


if __name__ == '__main__':
    s.main(test)
