#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A backend that stops answering: a property read gives up (after 5 s, by
design) with "VPN session is stopped", the session is force-closed
(SESS_DESTROYED, ForceShutdown) and the other sessions are unaffected.
Latencies are printed; the only limits are the generous ceilings."""

import time

import ovpn3test as t
import sesstest as s


def timed(what, fn):
    started = time.monotonic()
    result = fn()
    print('%-45s %6.3f s' % (what, time.monotonic() - started))
    return result


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_hung_backend_read_gives_up_and_session_is_closed():
    global good
    good = s.start_session(a, s.import_profile(a, 'autologin-good'))
    hung = s.start_session(a, s.import_profile(a, 'autologin-hang'))

    timed('hung: Get statistics (gives up)',
          lambda: t.expect_error(lambda: s.session_get(a, hung, 'statistics'), s.FAILED,
                                 'VPN session is stopped'))
    timed('hung: closed (SESS_DESTROYED)', lambda: events.wait_for(hung, s.SESS_DESTROYED))
    assert s.object_gone(bus, hung)


# the other session answers as before
def test_other_session_and_manager_answer_as_before():
    stats = timed('other: Get statistics', lambda: s.session_get(a, good, 'statistics'))
    assert stats == {}, stats
    sessions = timed('manager: FetchAvailableSessions',
                     lambda: s.session_call(a, t.SESSIONS_PATH, 'FetchAvailableSessions'))
    assert sessions == [good], sessions
    s.session_call(a, good, 'Disconnect')
    events.wait_for(good, s.SESS_DESTROYED)


# the hung client got ForceShutdown once it woke up
def test_hung_client_got_force_shutdown_once_it_woke_up():
    timed('hung client exited', lambda: t.wait_until(lambda: s.backend_processes() == [],
                                                      what='the hung client to exit'))


t.main()
