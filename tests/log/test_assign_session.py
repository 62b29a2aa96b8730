#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""AssignSession (spec §3.3): only a net.openvpn.v3.backends.be<PID> name
owned by the service user (PID = the caller's own process) that is
Attached; everybody else is refused."""

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

        def assign(actor):
            return actor.log_call('AssignSession', session, BACKENDS_IFACE, signature='os')

        # the service user without a backend name
        plain = Actor(t.service_user())
        actors.append(plain)
        plain.log_call('Attach', BACKENDS_IFACE, signature='s')
        expect_error(lambda: assign(plain), ACCESS_DENIED, 'backend')

        # a backend name that is not be<its own PID>
        wrong = Actor(t.service_user())
        actors.append(wrong)
        assert wrong.request_name('net.openvpn.v3.backends.be%d' % (wrong.pid + 100000)) == 1
        wrong.log_call('Attach', BACKENDS_IFACE, signature='s')
        expect_error(lambda: assign(wrong), ACCESS_DENIED, 'backend')

        # ordinary users (D-Bus policy), and nothing got assigned so far
        expect_error(lambda: t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                       'AssignSession', session, BACKENDS_IFACE,
                                       signature='os'), ACCESS_DENIED)
        sub = Actor(t.USER_A)
        actors.append(sub)
        expect_error(lambda: sm.proxy_log_events(sub.name, session), LOG_ERROR,
                     'No session available')

        # a real backend name, but not attached with that interface
        backend = FakeBackend(attach=False)
        actors.append(backend)
        expect_error(lambda: assign(backend), LOG_ERROR, 'Not attached')
        backend.log_call('Attach', BACKENDS_IFACE, signature='s')
        assign(backend)
        proxy = sm.proxy_log_events(sub.name, session)
        assert proxy.startswith('/net/openvpn/v3/log/proxy/'), proxy

        # re-assigning moves the backend to another session
        second = session_path()
        backend.log_call('AssignSession', second, BACKENDS_IFACE, signature='os')
        expect_error(lambda: sm.proxy_log_events(sub.name, session_path()), LOG_ERROR,
                     'No session available')
        assert sm.proxy_log_events(sub.name, second).startswith('/net/openvpn/v3/log/proxy/')

        # a backend that left the bus no longer provides its session
        attached = t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'num_attached')
        assert attached == 3, attached   # plain, wrong, backend
        backend.close()
        t.wait_until(lambda: t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                            'num_attached') == 2, what='backend record to go')
        third = Actor(t.USER_B)
        actors.append(third)
        expect_error(lambda: sm.proxy_log_events(third.name, second), LOG_ERROR,
                     'No session available')
    finally:
        for actor in actors:
            actor.close()


if __name__ == '__main__':
    main(test)
