#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Manager properties (docs/dbus-api.md §3.3): every property readable by everyone with
its type and default; the rw ones settable by root and the service user
only, log_level limited to 0–6, PropertiesChanged on success; Introspect
and Ping."""

import xml.etree.ElementTree as ET

import dbus

import ovpn3test as t
from logactor import ACCESS_DENIED, INVALID_ARGS, LOG_IFACE, log_owner, manager_prop

DEFAULTS = {
    'version': 'v27',
    'log_method': 'journald',
    'config_file': '/var/lib/ovpn3/log-service.json',
    'num_attached': 0,
    'log_level': 3,
    'log_dbus_details': False,
    'log_prefix_logtag': True,
    'timestamp': True,
    'log_destination': 'journald',
}
TYPES = {'version': 's', 'log_method': 's', 'config_file': 's', 'num_attached': 'u',
         'log_level': 'u', 'log_dbus_details': 'b', 'log_prefix_logtag': 'b', 'timestamp': 'b',
         'log_destination': 's', 'implementation': 's'}


def set_prop(bus, prop, value):
    return t.set_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, prop, value)


t.require_devbus()
bus = t.system_bus()


def test_everyone_reads_every_property_with_defaults():
    log_owner(bus)

    # everyone can read everything
    for user in (None, t.USER_A, t.USER_B):
        if user is None:
            props = t.call(bus, t.LOG_NAME, t.LOG_PATH, t.PROPS, 'GetAll', LOG_IFACE,
                           signature='s')
        else:
            props = t.call_as(user, t.LOG_NAME, t.LOG_PATH, t.PROPS, 'GetAll', LOG_IFACE,
                              signature='s')
        assert set(props) == set(TYPES), props
        for key, value in DEFAULTS.items():
            assert props[key] == value, (user, key, props[key])
        assert props['implementation'].startswith('ovpn3 '), props
    for prop in TYPES:
        assert t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, t.PROPS, 'Get', LOG_IFACE, prop,
                         signature='ss') == manager_prop(bus, prop)


# wire types, as declared in the introspection
def test_wire_types_match_the_introspection():
    raw = bus.call_blocking(t.LOG_NAME, t.LOG_PATH, t.PROPS, 'GetAll', 's', (LOG_IFACE,))
    for key, value in raw.items():
        sig = {dbus.String: 's', dbus.UInt32: 'u', dbus.Boolean: 'b'}[type(value)]
        assert sig == TYPES[key], (key, type(value))
    xml = t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, 'org.freedesktop.DBus.Introspectable',
                    'Introspect')
    iface = [i for i in ET.fromstring(xml).findall('interface') if i.get('name') == LOG_IFACE][0]
    assert {p.get('name'): p.get('type') for p in iface.findall('property')} == TYPES
    assert {m.get('name') for m in iface.findall('method')} == {
        'Attach', 'AssignSession', 'Detach', 'GetSubscriberList', 'ProxyLogEvents'}
    t.call_as(t.USER_A, t.LOG_NAME, t.LOG_PATH, 'org.freedesktop.DBus.Peer', 'Ping')


# root sets; PropertiesChanged is broadcast
def test_root_sets_and_properties_changed_is_broadcast():
    global changed
    changed = t.Signals(bus, signal_name='PropertiesChanged', dbus_interface=t.PROPS,
                        path=t.LOG_PATH)
    set_prop(bus, 'log_level', dbus.UInt32(5))
    assert manager_prop(bus, 'log_level') == 5
    changed.wait(1)
    assert changed.received[0]['args'] == [LOG_IFACE, {'log_level': 5}, []], changed.received
    for prop in ('log_dbus_details', 'log_prefix_logtag', 'timestamp'):
        before = manager_prop(bus, prop)
        set_prop(bus, prop, dbus.Boolean(not before))
        assert manager_prop(bus, prop) == (not before), prop
    changed.wait(4)


# the service user may set too
def test_service_user_may_set_too():
    t.run_as(t.service_user(), lambda b: t.set_property(b, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                                           'log_level', dbus.UInt32(6)))
    assert manager_prop(bus, 'log_level') == 6
    # where the records go is root's choice (docs/compatibility.md §4)
    t.expect_error(lambda: t.run_as(t.service_user(), lambda b: t.set_property(
        b, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'log_destination', 'stderr')), ACCESS_DENIED)
    assert manager_prop(bus, 'log_destination') == 'journald'


# range and type checks change nothing
def test_range_and_type_checks_change_nothing():
    for bad in (7, 100, 2 ** 32 - 1):
        t.expect_error(lambda: set_prop(bus, 'log_level', dbus.UInt32(bad)), INVALID_ARGS,
                       'log level')
    t.expect_error(lambda: set_prop(bus, 'log_level', dbus.String('3')), INVALID_ARGS)
    t.expect_error(lambda: set_prop(bus, 'timestamp', dbus.UInt32(1)), INVALID_ARGS)
    assert manager_prop(bus, 'log_level') == 6
    for prop, value in (('version', dbus.String('v1')), ('num_attached', dbus.UInt32(3)),
                        ('log_method', dbus.String('file')),
                        ('config_file', dbus.String('/tmp/x'))):
        # (GDBus checks the access flag before the service sees the call)
        t.expect_error(lambda: set_prop(bus, prop, value), INVALID_ARGS, 'not writable')
    t.expect_error(lambda: set_prop(bus, 'no_such_property', dbus.UInt32(1)), INVALID_ARGS)
    assert manager_prop(bus, 'version') == 'v27'


# ordinary users may not set anything
def test_ordinary_users_may_not_set_anything():
    for user in (t.USER_A, t.USER_B):
        t.expect_error(lambda: t.run_as(user, lambda b: t.set_property(
            b, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'log_level', dbus.UInt32(1))), ACCESS_DENIED)
    assert manager_prop(bus, 'log_level') == 6
    changed.settle(0.5)
    assert len(changed.received) == 5, changed.received   # only the successful Sets


t.main()
