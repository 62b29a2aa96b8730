#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Idle exit (docs/dbus-api.md §2): with OVPN3_IDLE_EXIT=2 (set by meson for this test)
the log service exits once idle, but never while something is Attached;
log proxies alone do not keep it."""

import os
import time

import ovpn3test as t
from logactor import Actor, FakeBackend, FakeSessionManager, log_owner, session_path

IDLE = int(os.environ.get('OVPN3_IDLE_EXIT', '0'))


t.require_devbus()


def _cleanup():
    for actor in actors:
        actor.close()


assert IDLE == 2, 'run with OVPN3_IDLE_EXIT=2'
bus = t.system_bus()
actors = []
t.cleanup(_cleanup)


def test_exits_when_idle():
    log_owner(bus)
    start = time.monotonic()
    t.wait_name_gone(bus, t.LOG_NAME, timeout=t.scaled(IDLE))
    print('idle exit after %.1f s' % (time.monotonic() - start))


# attached: stays, however long it is idle
def test_stays_while_a_backend_is_attached():
    global backend, session, sm
    session = session_path()
    sm = FakeSessionManager()
    actors.append(sm)
    backend = FakeBackend(session, sm=sm)
    actors.append(backend)
    pid = t.name_pid(bus, t.LOG_NAME)
    time.sleep(IDLE * 3)
    assert t.name_has_owner(bus, t.LOG_NAME)
    assert t.name_pid(bus, t.LOG_NAME) == pid


# a proxy does not count: once the backend detaches, the service goes
def test_proxy_does_not_count_exits_after_backend_detaches():
    sub = Actor(t.USER_A)
    actors.append(sub)
    sm.proxy_log_events(sub.name, session)
    backend.log_call('Detach', 'net.openvpn.v3.backends', signature='s')
    t.wait_name_gone(bus, t.LOG_NAME, timeout=t.scaled(IDLE))


t.main()
