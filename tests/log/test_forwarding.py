#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ProxyLogEvents end to end (docs/dbus-api.md §7.5): a fake backend (service user,
owns net.openvpn.v3.backends.be<pid>) Attaches, AssignSessions and emits
Log(uuss)/StatusChange(uus); a fake session manager (service user, owns
net.openvpn.v3.sessions) asks for a proxy to a subscriber running as
ovpn3-test-a, which must receive exactly (uus) signals from sender
net.openvpn.v3.log, interface net.openvpn.v3.backends, path = the session
path, filtered by the proxy's log_level, and nothing after Remove()."""

import re

import dbus

import ovpn3test as t
from logactor import (BACKENDS_IFACE, LOG_IFACE, Actor, FakeBackend, FakeSessionManager, log_owner,
                      session_path)

GROUP_BACKENDPROC = 6
DEBUG, VERB1, INFO, WARN, ERROR, CRIT = 1, 3, 4, 5, 6, 7


def check_forwarded(records, owner, session, expected):
    assert len(records) == len(expected), 'expected %d signals, got %r' % (len(expected), records)
    for rec, (member, args) in zip(records, expected):
        assert rec['member'] == member, rec
        assert rec['signature'] == 'uus', rec
        assert rec['interface'] == BACKENDS_IFACE, rec
        assert rec['path'] == session, rec
        assert rec['sender'] == owner, rec
        assert rec['args'] == args, (rec, args)


t.require_devbus()


def _cleanup():
    for actor in actors:
        actor.close()


bus = t.system_bus()
owner = log_owner(bus)
session = session_path()
other_session = session_path()
actors = []
t.cleanup(_cleanup)


def test_backend_log_and_status_reach_the_proxy_subscriber():
    global backend, expected, proxy, sm, sub
    sm = FakeSessionManager()
    actors.append(sm)
    backend = FakeBackend(session, sm=sm)
    actors.append(backend)
    other_backend = FakeBackend(other_session, sm=sm)
    actors.append(other_backend)
    # the session manager's own StatusChange on the session path (its final status when the
    # backend is gone) reaches the proxies it made for that session; its Log does not, nor
    # another service-user connection's StatusChange on that path
    sm.log_call('Attach', t.SESSIONS_NAME, signature='s')
    other_backend.log_call('Attach', t.SESSIONS_NAME, signature='s')
    sub = Actor(t.USER_A)
    actors.append(sub)
    sub.subscribe(bus_name=t.LOG_NAME, dbus_interface=BACKENDS_IFACE, path=session)

    proxy = sm.proxy_log_events(sub.name, session)
    assert re.fullmatch(r'/net/openvpn/v3/log/proxy/[0-9a-f]{8}l[0-9a-f]{4}l[0-9a-f]{4}'
                        r'l[0-9a-f]{4}l[0-9a-f]{12}', proxy), proxy
    props = sm.call(t.LOG_NAME, proxy, t.PROPS, 'GetAll', 's', [LOG_IFACE])
    assert props == {'log_level': 6, 'session_path': session, 'target': sub.name}, props

    backend.send_log(GROUP_BACKENDPROC, INFO, 'connecting to server', token='tok-1')
    backend.send_status(2, 6, '')
    backend.send_log(GROUP_BACKENDPROC, DEBUG, 'a debug line', token='tok-1')
    backend.send_status(2, 7, 'connected')
    backend.send_log(GROUP_BACKENDPROC, WARN, 'a (uus) log line', signature='uus')
    other_backend.send_log(GROUP_BACKENDPROC, INFO, 'other session')
    other_backend.send_status(2, 9, 'other session')
    other_backend.emit(session, t.SESSIONS_NAME, 'StatusChange', 'uus', [3, 29, 'not its own'])
    sm.emit(session, t.SESSIONS_NAME, 'StatusChange', 'uus', [3, 28, 'Session closed'])
    sm.emit(session, t.SESSIONS_NAME, 'Log', 'uus', [3, INFO, 'session manager line'])
    sub.wait_received(6)
    sub.settle(1.0)
    expected = [
        ('Log', [GROUP_BACKENDPROC, INFO, 'connecting to server']),
        ('StatusChange', [2, 6, '']),
        ('Log', [GROUP_BACKENDPROC, DEBUG, 'a debug line']),
        ('StatusChange', [2, 7, 'connected']),
        ('Log', [GROUP_BACKENDPROC, WARN, 'a (uus) log line']),
        ('StatusChange', [3, 28, 'Session closed']),
    ]
    check_forwarded(sub.get_received(), owner, session, expected)


# and nothing else with the backends interface reached the subscriber
def test_nothing_else_with_backends_interface_reaches_subscriber():
    check_forwarded(sub.get_all_backend(), owner, session, expected)
    sub.clear()


# the proxy's log_level filters forwarded Log (not StatusChange)
def test_proxy_log_level_filters_log_not_status_change():
    sm.call(t.LOG_NAME, proxy, t.PROPS, 'Set', 'ssv', [LOG_IFACE, 'log_level', dbus.UInt32(3)])
    assert sm.get(proxy, 'log_level') == 3
    backend.send_log(GROUP_BACKENDPROC, DEBUG, 'filtered debug')
    backend.send_log(GROUP_BACKENDPROC, VERB1, 'filtered verb1')
    backend.send_log(GROUP_BACKENDPROC, INFO, 'info passes')
    backend.send_status(2, 8, 'disconnecting')
    sm.call(t.LOG_NAME, proxy, t.PROPS, 'Set', 'ssv', [LOG_IFACE, 'log_level', dbus.UInt32(0)])
    backend.send_log(GROUP_BACKENDPROC, ERROR, 'filtered error')
    backend.send_log(GROUP_BACKENDPROC, CRIT, 'crit always passes')
    sub.wait_received(3)
    sub.settle(1.0)
    check_forwarded(sub.get_received(), owner, session, [
        ('Log', [GROUP_BACKENDPROC, INFO, 'info passes']),
        ('StatusChange', [2, 8, 'disconnecting']),
        ('Log', [GROUP_BACKENDPROC, CRIT, 'crit always passes']),
    ])
    t.expect_error(lambda: sm.call(t.LOG_NAME, proxy, t.PROPS, 'Set', 'ssv',
                                   [LOG_IFACE, 'log_level', dbus.UInt32(7)]),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'log level')
    assert sm.get(proxy, 'log_level') == 0
    sub.clear()


# Remove(): the object goes and nothing more is forwarded
def test_remove_deletes_the_proxy_and_stops_forwarding():
    sm.call(t.LOG_NAME, proxy, LOG_IFACE, 'Remove', '', [])
    backend.send_log(GROUP_BACKENDPROC, CRIT, 'after remove')
    backend.send_status(2, 16, 'after remove')
    sub.settle(1.5)
    assert sub.get_all_backend() == [], sub.get_all_backend()
    t.expect_error(lambda: sm.call(t.LOG_NAME, proxy, t.PROPS, 'GetAll', 's', [LOG_IFACE]),
                   'org.freedesktop.DBus.Error.UnknownMethod', 'does not exist')


# the backend itself is still attached and logging works
def test_backend_still_attached_and_logging_works():
    assert t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'num_attached') == 4


t.main()
