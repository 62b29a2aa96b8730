#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ProxyLogEvents and log proxy objects (docs/dbus-api.md §3.3): who may create them,
argument errors, who may use them (the target's UID or the session manager
that created them), and their life: Remove(), the target leaving the bus,
and forwarding that survives a backend restart on the same session path."""

import xml.etree.ElementTree as ET

import dbus

import ovpn3test as t
from logactor import (ACCESS_DENIED, INVALID_ARGS, LOG_ERROR, LOG_IFACE, Actor, FakeBackend,
                      FakeSessionManager, log_owner, session_path)

GONE = 'org.freedesktop.DBus.Error.UnknownMethod'


def proxies(actor):
    """Proxy objects, from the child nodes GLib lists (Introspect on
    proxy paths is open to the service user only)."""
    try:
        xml = actor.call(t.LOG_NAME, '/net/openvpn/v3/log/proxy',
                         'org.freedesktop.DBus.Introspectable', 'Introspect', '', [])
    except t.CallError:
        return []
    return ['/net/openvpn/v3/log/proxy/' + n.get('name') for n in ET.fromstring(xml).findall('node')]


t.require_devbus()


def _cleanup():
    for actor in actors:
        actor.close()


bus = t.system_bus()
owner = log_owner(bus)
session = session_path()
actors = []
t.cleanup(_cleanup)


def test_session_manager_backend_and_subscriber_start():
    global backend, sm, sub
    sm = FakeSessionManager()
    actors.append(sm)
    backend = FakeBackend(session, sm=sm)
    actors.append(backend)
    sub = Actor(t.USER_A)
    actors.append(sub)


# who may create a proxy
def test_only_the_session_manager_may_create_a_proxy():
    global stranger
    stranger = Actor(t.service_user())   # service user, but not the session manager
    actors.append(stranger)
    t.expect_error(lambda: stranger.log_call('ProxyLogEvents', sub.name, session,
                                             signature='so'), ACCESS_DENIED, 'session manager')
    t.expect_error(lambda: backend.log_call('ProxyLogEvents', sub.name, session,
                                            signature='so'), ACCESS_DENIED)
    for user in (t.USER_A, t.USER_B):
        t.expect_error(lambda: t.call_as(user, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                         'ProxyLogEvents', sub.name, session,
                                         signature='so'), ACCESS_DENIED)


# argument errors
def test_argument_errors_refused():
    t.expect_error(lambda: sm.proxy_log_events(sub.name, session_path()), LOG_ERROR,
                   'No session available')
    t.expect_error(lambda: sm.proxy_log_events('net.openvpn.v3.foo', session), INVALID_ARGS)
    t.expect_error(lambda: sm.proxy_log_events(':1.99999', session), INVALID_ARGS)
    assert proxies(sm) == []


def test_same_target_and_session_give_the_same_proxy():
    global proxy
    proxy = sm.proxy_log_events(sub.name, session)
    # asking again for the same target and session gives the same object
    assert sm.proxy_log_events(sub.name, session) == proxy
    assert proxies(sm) == [proxy]


# who may use it: the session manager that made it …
def test_only_session_manager_and_target_uid_may_use_it():
    assert sm.get(proxy, 'target') == sub.name
    # … not another service-user process, not root, not other users
    t.expect_error(lambda: stranger.get(proxy, 'log_level'), ACCESS_DENIED)
    t.expect_error(lambda: stranger.call(t.LOG_NAME, proxy, t.PROPS, 'Set', 'ssv',
                                         [LOG_IFACE, 'log_level', dbus.UInt32(1)]),
                   ACCESS_DENIED)
    t.expect_error(lambda: stranger.log_call('Remove', path=proxy), ACCESS_DENIED)
    t.expect_error(lambda: t.call(bus, t.LOG_NAME, proxy, LOG_IFACE, 'Remove'), ACCESS_DENIED)
    t.expect_error(lambda: t.call_as(t.USER_B, t.LOG_NAME, proxy, LOG_IFACE, 'Remove'),
                   ACCESS_DENIED)
    assert stranger.call(t.LOG_NAME, proxy, t.PROPS, 'GetAll', 's', [LOG_IFACE]) == {}
    assert sm.get(proxy, 'log_level') == 6
    assert proxies(sm) == [proxy]

    # … and the target's UID (here a service-user subscriber that is not
    # the session manager; ordinary users are kept out by the D-Bus policy)
    svc_sub = Actor(t.service_user())
    actors.append(svc_sub)
    svc_proxy = sm.proxy_log_events(svc_sub.name, session)
    assert svc_proxy != proxy
    assert svc_sub.get(svc_proxy, 'session_path') == session
    svc_sub.call(t.LOG_NAME, svc_proxy, t.PROPS, 'Set', 'ssv',
                 [LOG_IFACE, 'log_level', dbus.UInt32(2)])
    assert sm.get(svc_proxy, 'log_level') == 2
    svc_sub.log_call('Remove', path=svc_proxy)
    t.wait_until(lambda: svc_proxy not in proxies(sm), what='removed proxy to go')
    t.expect_error(lambda: svc_sub.log_call('Remove', path=svc_proxy), GONE)


# the proxy goes when its target leaves the bus
def test_proxy_goes_when_its_target_leaves_the_bus():
    sub.subscribe(bus_name=t.LOG_NAME, dbus_interface='net.openvpn.v3.backends', path=session)
    backend.send_status(2, 7, 'connected')
    assert len(sub.wait_received(1)) == 1
    sub.close()
    t.wait_until(lambda: proxies(sm) == [], what='proxy of a vanished target to go')


# forwarding follows the session path, not the backend process:
# a restarted backend on the same session keeps feeding the proxy
def test_forwarding_follows_the_session_path_not_the_backend():
    sub2 = Actor(t.USER_A)
    actors.append(sub2)
    sub2.subscribe(bus_name=t.LOG_NAME, dbus_interface='net.openvpn.v3.backends',
                   path=session)
    proxy2 = sm.proxy_log_events(sub2.name, session)
    backend.close()
    t.wait_until(lambda: t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                        'num_attached') == 0, what='backend to detach')
    assert proxies(sm) == [proxy2]
    restarted = FakeBackend(session, sm=sm)
    actors.append(restarted)
    restarted.send_status(2, 12, 'reconnecting')
    got = sub2.wait_received(1)
    assert [(r['member'], r['args'], r['sender'], r['path']) for r in got] == [
        ('StatusChange', [2, 12, 'reconnecting'], owner, session)], got
    sm.log_call('Remove', path=proxy2)
    t.wait_until(lambda: proxies(sm) == [], what='proxy to be removed')


t.main()
