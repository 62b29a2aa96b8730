#!/usr/bin/python3
"""Every config-object property, overrides, tags, ACL methods and sealing."""
import dbus

import ovpn3test as t
from cfgtest import BUS, GDBUSPP, IFACE, get, import_profile, obj_call, set_

t.require_devbus()
bus = t.system_bus()


def test_import_a_persistent_profile():
    global changed, path
    path = import_profile(bus, 'props', persistent=True)

    changed = t.Signals(bus, signal_name='PropertiesChanged',
                        dbus_interface='org.freedesktop.DBus.Properties', path=path)


# types of every property (docs/dbus-api.md §3.1)
def test_every_property_has_upstreams_type():
    types = {'owner': int, 'name': str, 'acl': list, 'public_access': bool, 'single_use': bool,
             'persistent': bool, 'import_timestamp': int, 'last_used_timestamp': int,
             'locked_down': bool, 'readonly': bool, 'tags': list, 'used_count': int, 'valid': bool,
             'overrides': dict, 'transfer_owner_session': bool, 'dco': bool}
    props = t.call(bus, BUS, path, t.PROPS, 'GetAll', IFACE, signature='s')
    assert set(props) == set(types), set(props) ^ set(types)
    for k, ty in types.items():
        assert isinstance(props[k], ty), (k, props[k])
    raw = bus.call_blocking(BUS, path, t.PROPS, 'Get', 'ss', (IFACE, 'import_timestamp'))
    assert isinstance(raw, dbus.UInt64), type(raw)
    raw = bus.call_blocking(BUS, path, t.PROPS, 'Get', 'ss', (IFACE, 'used_count'))
    assert isinstance(raw, dbus.UInt32), type(raw)


# writable properties + PropertiesChanged
def test_writable_properties_emit_properties_changed():
    set_(bus, path, 'name', 'renamed')
    assert get(bus, path, 'name') == 'renamed'
    sig = changed.wait(1)[0]
    assert sig['args'] == [IFACE, {'name': 'renamed'}, []], sig
    for prop in ('public_access', 'locked_down', 'transfer_owner_session', 'dco'):
        set_(bus, path, prop, dbus.Boolean(True))
        assert get(bus, path, prop) is True, prop
        set_(bus, path, prop, dbus.Boolean(False))
    t.expect_error(lambda: set_(bus, path, 'name', ''), 'org.freedesktop.DBus.Error.InvalidArgs')
    t.expect_error(lambda: set_(bus, path, 'name', dbus.UInt32(3)),
                   'org.freedesktop.DBus.Error.InvalidArgs')


# read-only properties: refused by GDBus itself, before the service
def test_read_only_properties_refused_by_gdbus():
    t.expect_error(lambda: set_(bus, path, 'owner', dbus.UInt32(3)),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'not writable')
    t.expect_error(lambda: set_(bus, path, 'valid', dbus.Boolean(False)),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'not writable')
    t.expect_error(lambda: get(bus, path, 'nosuch'), 'org.freedesktop.DBus.Error.InvalidArgs')
    t.expect_error(lambda: t.get_property(bus, BUS, path, 'net.openvpn.v3.nope', 'name'),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'No such interface')


# overrides (docs/dbus-api.md §9.2)
def test_overrides_set_and_unset():
    obj_call(bus, path, 'SetOverride', 'persist-tun', dbus.Boolean(True), signature='sv')
    obj_call(bus, path, 'SetOverride', 'dns-scope', 'tunnel', signature='sv')
    assert get(bus, path, 'overrides') == {'persist-tun': True, 'dns-scope': 'tunnel'}
    t.expect_error(lambda: obj_call(bus, path, 'SetOverride', 'nope', 'x', signature='sv'), GDBUSPP,
                   "Invalid override key 'nope'")
    t.expect_error(lambda: obj_call(bus, path, 'SetOverride', 'persist-tun', 'yes', signature='sv'),
                   GDBUSPP, "(SetOverride) Invalid override data type for 'persist-tun': s")
    t.expect_error(lambda: obj_call(bus, path, 'SetOverride', 'proto-override', 'icmp', signature='sv'),
                   'org.freedesktop.DBus.Error.InvalidArgs')
    obj_call(bus, path, 'UnsetOverride', 'dns-scope', signature='s')
    t.expect_error(lambda: obj_call(bus, path, 'UnsetOverride', 'dns-scope', signature='s'),
                   'net.openvpn.v3.error.OverrideNotSet',
                   'GDBus.Error:net.openvpn.v3.error.OverrideNotSet: '
                   "Override 'dns-scope' has not been set")
    assert get(bus, path, 'overrides') == {'persist-tun': True}


# tags
def test_tags_add_and_remove():
    obj_call(bus, path, 'AddTag', 'a', signature='s')
    obj_call(bus, path, 'AddTag', 'x' * 128, signature='s')
    t.expect_error(lambda: obj_call(bus, path, 'AddTag', 'a', signature='s'), GDBUSPP,
                   'Tag already exists')
    t.expect_error(lambda: obj_call(bus, path, 'AddTag', '', signature='s'), GDBUSPP,
                   'Tag value cannot be empty')
    t.expect_error(lambda: obj_call(bus, path, 'AddTag', 'x' * 129, signature='s'), GDBUSPP,
                   'Tag value too long')
    obj_call(bus, path, 'RemoveTag', 'a', signature='s')
    t.expect_error(lambda: obj_call(bus, path, 'RemoveTag', 'a', signature='s'), GDBUSPP,
                   'Non-existing tag')
    assert get(bus, path, 'tags') == ['x' * 128]


# AccessGrant / AccessRevoke (of an existing user: others are refused, test_refusals.py)
def test_access_grant_and_revoke():
    grantee = t.pwd.getpwnam(t.USER_B).pw_uid
    obj_call(bus, path, 'AccessGrant', grantee, signature='u')
    t.expect_error(lambda: obj_call(bus, path, 'AccessGrant', grantee, signature='u'), GDBUSPP,
                   'UID already granted access')
    assert get(bus, path, 'acl') == [grantee]
    obj_call(bus, path, 'AccessRevoke', grantee, signature='u')
    t.expect_error(lambda: obj_call(bus, path, 'AccessRevoke', grantee, signature='u'), GDBUSPP,
                   'UID not granted access')


# Seal: read-only afterwards; Remove still allowed
def test_seal_makes_read_only_and_remove_still_works():
    invalid = import_profile(bus, 'invalid', 'dev tun\n')
    t.expect_error(lambda: obj_call(bus, invalid, 'Seal'), GDBUSPP,
                   'Configuration is not currently valid')
    obj_call(bus, path, 'Seal')
    assert get(bus, path, 'readonly') is True
    for method, args, sig in (('AddTag', ('b',), 's'), ('RemoveTag', ('x' * 128,), 's'),
                              ('SetOverride', ('ipv6', 'yes'), 'sv'),
                              ('UnsetOverride', ('persist-tun',), 's'),
                              ('AccessGrant', (5,), 'u'), ('AccessRevoke', (5,), 'u'),
                              ('SetOption', ('a', 'b'), 'ss')):
        t.expect_error(lambda: obj_call(bus, path, method, *args, signature=sig), GDBUSPP,
                       'Configuration profile is sealed and read-only')
    e = t.expect_error(lambda: set_(bus, path, 'name', 'x'))
    assert 'sealed' in e.message, e.message
    assert get(bus, path, 'name') == 'renamed'
    obj_call(bus, path, 'Fetch')
    obj_call(bus, path, 'Remove')


t.main()
