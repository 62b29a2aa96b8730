#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Attach, Detach and GetSubscriberList (docs/dbus-api.md §3.3) with their errors and
access rules; num_attached; records go when the attached name leaves."""

import ovpn3test as t
from logactor import (ACCESS_DENIED, INVALID_ARGS, LOG_ERROR, LOG_IFACE, Actor, log_owner,
                      manager_prop)

CONFIG_IFACE = 'net.openvpn.v3.configuration'
SESSIONS_IFACE = 'net.openvpn.v3.sessions'


t.require_devbus()


def _cleanup():
    for actor in actors:
        actor.close()


bus = t.system_bus()


def test_service_user_attaches_each_interface_once():
    global actors, svc
    log_owner(bus)
    assert manager_prop(bus, 'num_attached') == 0
    actors = []
    t.cleanup(_cleanup)

    svc = Actor(t.service_user())
    actors.append(svc)
    svc.log_call('Attach', CONFIG_IFACE, signature='s')
    assert manager_prop(bus, 'num_attached') == 1
    t.expect_error(lambda: svc.log_call('Attach', CONFIG_IFACE, signature='s'),
                   LOG_ERROR, 'Already attached')
    assert manager_prop(bus, 'num_attached') == 1
    svc.log_call('Attach', SESSIONS_IFACE, signature='s')
    assert manager_prop(bus, 'num_attached') == 2
    t.expect_error(lambda: svc.log_call('Attach', 'not an interface', signature='s'),
                   INVALID_ARGS)


def subscribers():
    return t.call(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'GetSubscriberList')


# a Log signal tells the service the object path the records come from
def test_log_signal_records_its_object_path_in_subscriber_list():
    svc.emit(t.CONFIG_PATH, CONFIG_IFACE, 'Log', 'uus', [2, 4, 'hello'])

    t.wait_until(lambda: any(s[3] == t.CONFIG_PATH for s in subscribers()),
                 what='object path in the subscriber list')
    subs = subscribers()
    assert len(subs) == 2, subs
    by_iface = {s[2]: s for s in subs}
    assert set(by_iface) == {CONFIG_IFACE, SESSIONS_IFACE}, subs
    for s in subs:
        assert s[0].isdigit(), s
        assert s[1] == svc.name, s
    assert by_iface[CONFIG_IFACE][3] == t.CONFIG_PATH, subs
    assert by_iface[SESSIONS_IFACE][3] == '', subs
    assert by_iface[CONFIG_IFACE][0] != by_iface[SESSIONS_IFACE][0], subs


# the service user may list too; an ordinary user may not
def test_service_user_may_list_subscribers_ordinary_user_may_not():
    assert len(svc.log_call('GetSubscriberList')) == 2
    t.expect_error(lambda: t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                     'GetSubscriberList'), ACCESS_DENIED)


# Detach
def test_detach_of_unattached_interface_refused():
    t.expect_error(lambda: svc.log_call('Detach', 'net.openvpn.v3.netcfg', signature='s'),
                   LOG_ERROR, 'Not attached')
    svc.log_call('Detach', SESSIONS_IFACE, signature='s')
    assert manager_prop(bus, 'num_attached') == 1
    t.expect_error(lambda: svc.log_call('Detach', SESSIONS_IFACE, signature='s'),
                   LOG_ERROR, 'Not attached')
    assert [s[2] for s in subscribers()] == [CONFIG_IFACE]


# another service-user connection cannot detach someone else's record
def test_other_connection_cannot_detach_someone_elses_record():
    global other
    other = Actor(t.service_user())
    actors.append(other)
    t.expect_error(lambda: other.log_call('Detach', CONFIG_IFACE, signature='s'),
                   LOG_ERROR, 'Not attached')
    assert manager_prop(bus, 'num_attached') == 1


# ordinary users may not attach or detach (D-Bus policy)
def test_ordinary_users_may_not_attach_or_detach():
    for user in (t.USER_A, t.USER_B):
        t.expect_error(lambda: t.call_as(user, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'Attach',
                                         CONFIG_IFACE, signature='s'), ACCESS_DENIED)
        t.expect_error(lambda: t.call_as(user, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'Detach',
                                         CONFIG_IFACE, signature='s'), ACCESS_DENIED)
    assert manager_prop(bus, 'num_attached') == 1


# leaving the bus detaches
def test_leaving_the_bus_detaches():
    other.log_call('Attach', CONFIG_IFACE, signature='s')
    assert manager_prop(bus, 'num_attached') == 2
    svc.close()
    other.close()
    t.wait_until(lambda: manager_prop(bus, 'num_attached') == 0,
                 what='records of vanished names to go')
    assert subscribers() == []


t.main()
