# Fixtures of the configuration-manager integration tests (the shared helpers
# -- run_as, expect_error, Signals, the runner -- are in tests/lib/ovpn3test.py).
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


A = 'ovpn3-test-a'
B = 'ovpn3-test-b'


def boolean(v):
    return dbus.Boolean(v)
