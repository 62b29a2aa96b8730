#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""AssignSession (docs/dbus-api.md §3.3, docs/security.md §5): only for the session the session
manager confirmed for that backend client (its LookupBackend names the
caller's session), and only for an Attached interface; every other process
of the service user, the backend of another session and ordinary users are
refused."""

import ovpn3test as t
from logactor import (ACCESS_DENIED, BACKENDS_IFACE, LOG_ERROR, LOG_IFACE, Actor, FakeBackend,
                      FakeSessionManager, expect_error, log_owner, main, session_path)


def test():
    bus = t.system_bus()
    log_owner(bus)
    session = session_path()
    actors = []
    try:
        sm = FakeSessionManager()
        actors.append(sm)

        def assign(actor, path=session):
            return actor.log_call('AssignSession', path, BACKENDS_IFACE, signature='os')

        # the service user, attached, but no session's backend
        plain = Actor(t.service_user())
        actors.append(plain)
        plain.log_call('Attach', BACKENDS_IFACE, signature='s')
        expect_error(lambda: assign(plain), ACCESS_DENIED, 'backend')

        # owning a backend name (be<its own pid>) is not enough any more
        named = FakeBackend()
        actors.append(named)
        expect_error(lambda: assign(named), ACCESS_DENIED, 'backend')

        # ordinary users (D-Bus policy), and nothing got assigned so far
        expect_error(lambda: t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                       'AssignSession', session, BACKENDS_IFACE,
                                       signature='os'), ACCESS_DENIED)
        sub = Actor(t.USER_A)
        actors.append(sub)
        expect_error(lambda: sm.proxy_log_events(sub.name, session), LOG_ERROR,
                     'No session available')

        # the confirmed backend of another session: not this one
        other = FakeBackend(session_path(), sm=sm)
        actors.append(other)
        expect_error(lambda: assign(other), ACCESS_DENIED, 'backend')
        expect_error(lambda: sm.proxy_log_events(sub.name, session), LOG_ERROR,
                     'No session available')

        # the confirmed backend of this session, but not attached with that interface
        backend = FakeBackend(attach=False)
        actors.append(backend)
        sm.confirm(backend, session)
        expect_error(lambda: assign(backend), LOG_ERROR, 'Not attached')
        backend.log_call('Attach', BACKENDS_IFACE, signature='s')
        assign(backend)
        proxy = sm.proxy_log_events(sub.name, session)
        assert proxy.startswith('/net/openvpn/v3/log/proxy/'), proxy

        # it cannot move itself to another session; its own stays
        second = session_path()
        expect_error(lambda: assign(backend, second), ACCESS_DENIED, 'backend')
        expect_error(lambda: sm.proxy_log_events(sub.name, second), LOG_ERROR,
                     'No session available')
        assert sm.proxy_log_events(sub.name, session) == proxy

        # a backend that left the bus no longer provides its session
        attached = t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'num_attached')
        assert attached == 4, attached   # plain, named, other, backend
        backend.close()
        t.wait_until(lambda: t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                            'num_attached') == 3, what='backend record to go')
        third = Actor(t.USER_B)
        actors.append(third)
        expect_error(lambda: sm.proxy_log_events(third.name, session), LOG_ERROR,
                     'No session available')
    finally:
        for actor in actors:
            actor.close()


if __name__ == '__main__':
    main(test)
