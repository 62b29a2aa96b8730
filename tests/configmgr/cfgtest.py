# Shared bits of the configuration-manager integration tests.
import os

import dbus

import ovpn3test as t

BUS = 'net.openvpn.v3.configuration'
IFACE = 'net.openvpn.v3.configuration'
MGR = '/net/openvpn/v3/configuration'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
GDBUSPP = 'net.openvpn.gdbuspp'

PROFILE = open(os.path.join(os.environ['OVPN3_SOURCEDIR'], 'tests', 'data', 'profiles',
                            'basic.ovpn')).read()


def mgr_call(bus, method, *args, signature=None):
    return t.call(bus, BUS, MGR, IFACE, method, *args, signature=signature)


def obj_call(bus, path, method, *args, signature=None):
    return t.call(bus, BUS, path, IFACE, method, *args, signature=signature)


def import_profile(bus, name='test', text=PROFILE, single_use=False, persistent=False):
    return mgr_call(bus, 'Import', name, text, single_use, persistent, signature='ssbb')


def get(bus, path, prop):
    return t.get_property(bus, BUS, path, IFACE, prop)


def set_(bus, path, prop, value):
    return t.set_property(bus, BUS, path, IFACE, prop, value)


def expect_error(fn, name=None, message=None):
    """Run fn(); it must raise CallError (with that name / message substring)."""
    try:
        fn()
    except t.CallError as e:
        if name is not None:
            assert e.name == name, 'expected %s, got %s: %s' % (name, e.name, e.message)
        if message is not None:
            assert message in e.message, 'expected %r in %r' % (message, e.message)
        return e
    raise AssertionError('expected a D-Bus error (%s %r), the call succeeded' % (name, message))


def uid_of(user):
    import pwd
    return pwd.getpwnam(user).pw_uid


A = 'ovpn3-test-a'
B = 'ovpn3-test-b'


def as_user(user, fn, *args):
    return t.run_as(user, fn, *args)


def boolean(v):
    return dbus.Boolean(v)
