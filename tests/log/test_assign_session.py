#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""AssignSession (docs/dbus-api.md §3.3, docs/security.md §5): only for the session the session
manager confirmed for that backend client (its LookupBackend names the
caller's session), and only for an Attached interface; every other process
of the service user, the backend of another session and ordinary users are
refused."""

import ovpn3test as t
from logactor import (ACCESS_DENIED, BACKENDS_IFACE, LOG_ERROR, LOG_IFACE, Actor, FakeBackend,
                      FakeSessionManager, log_owner, session_path)


t.require_devbus()


def _cleanup():
    for actor in actors:
        actor.close()


bus = t.system_bus()


def test_log_service_running():
    global actors, assign, session, sm
    log_owner(bus)
    session = session_path()
    actors = []
    t.cleanup(_cleanup)

    sm = FakeSessionManager()
    actors.append(sm)

    def assign(actor, path=session):
        return actor.log_call('AssignSession', path, BACKENDS_IFACE, signature='os')


# the service user, attached, but no session's backend
def test_attached_service_user_without_session_refused():
    plain = Actor(t.service_user())
    actors.append(plain)
    plain.log_call('Attach', BACKENDS_IFACE, signature='s')
    t.expect_error(lambda: assign(plain), ACCESS_DENIED, 'backend')


# owning a backend name (be<its own pid>) is not enough any more
def test_owning_a_backend_name_is_not_enough():
    named = FakeBackend()
    actors.append(named)
    t.expect_error(lambda: assign(named), ACCESS_DENIED, 'backend')


# ordinary users (D-Bus policy), and nothing got assigned so far
def test_ordinary_users_refused_and_nothing_assigned():
    global sub
    t.expect_error(lambda: t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                     'AssignSession', session, BACKENDS_IFACE,
                                     signature='os'), ACCESS_DENIED)
    sub = Actor(t.USER_A)
    actors.append(sub)
    t.expect_error(lambda: sm.proxy_log_events(sub.name, session), LOG_ERROR,
                   'No session available')


# the confirmed backend of another session: not this one
def test_backend_of_another_session_refused():
    other = FakeBackend(session_path(), sm=sm)
    actors.append(other)
    t.expect_error(lambda: assign(other), ACCESS_DENIED, 'backend')
    t.expect_error(lambda: sm.proxy_log_events(sub.name, session), LOG_ERROR,
                   'No session available')


# the confirmed backend of this session, but not attached with that interface
def test_backend_of_this_session_not_attached_refused():
    global backend, proxy
    backend = FakeBackend(attach=False)
    actors.append(backend)
    sm.confirm(backend, session)
    t.expect_error(lambda: assign(backend), LOG_ERROR, 'Not attached')
    backend.log_call('Attach', BACKENDS_IFACE, signature='s')
    assign(backend)
    proxy = sm.proxy_log_events(sub.name, session)
    assert proxy.startswith('/net/openvpn/v3/log/proxy/'), proxy


# it cannot move itself to another session; its own stays
def test_backend_cannot_move_itself_to_another_session():
    second = session_path()
    t.expect_error(lambda: assign(backend, second), ACCESS_DENIED, 'backend')
    t.expect_error(lambda: sm.proxy_log_events(sub.name, second), LOG_ERROR,
                   'No session available')
    assert sm.proxy_log_events(sub.name, session) == proxy


# a backend that left the bus no longer provides its session
def test_backend_that_left_the_bus_no_longer_provides_its_session():
    attached = t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'num_attached')
    assert attached == 4, attached   # plain, named, other, backend
    backend.close()
    t.wait_until(lambda: t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                        'num_attached') == 3, what='backend record to go')
    third = Actor(t.USER_B)
    actors.append(third)
    t.expect_error(lambda: sm.proxy_log_events(third.name, session), LOG_ERROR,
                   'No session available')


t.main()
