#!/usr/bin/python3
"""The proxy-username and proxy-password overrides are the owner's: the
`overrides` property (Get and GetAll) leaves them out for everyone but the
owner, administrators (root, manage-others), the session manager and the
profile's backend — also for a user on the ACL, locked_down or not, and for
public_access readers. Other processes of the service user read nothing."""
import dbus

import ovpn3sessions
import ovpn3test as t
from cfgtest import A, ACCESS_DENIED, B, BUS, IFACE, MGR, PROFILE

t.require_devbus()
root = t.system_bus()
t.polkit_deny_all()
SECRET = {'proxy-username': 'alice', 'proxy-password': 'hunter2'}


def overrides(user):
    def get(bus):
        return t.get_property(bus, BUS, path, IFACE, 'overrides')
    return t.get_property(root, BUS, path, IFACE, 'overrides') if user is None \
        else t.run_as(user, get)


def overrides_by_getall(user):
    props = t.run_as(user, lambda bus: t.call(bus, BUS, path, t.PROPS, 'GetAll', IFACE,
                                                signature='s'))
    return props.get('overrides')


def test_owner_imports_with_secret_overrides():
    global full, path, public
    path = t.run_as(A, lambda bus: t.call(bus, BUS, MGR, IFACE, 'Import', 'proxied', PROFILE,
                                            False, False, signature='ssbb'))
    for key, value in SECRET.items():
        t.call_as(A, BUS, path, IFACE, 'SetOverride', key, dbus.String(value, variant_level=1),
                  signature='sv')
    t.call_as(A, BUS, path, IFACE, 'SetOverride', 'proxy-host',
              dbus.String('proxy.example', variant_level=1), signature='sv')
    full = dict(SECRET, **{'proxy-host': 'proxy.example'})
    public = {'proxy-host': 'proxy.example'}


def sm_overrides():
    return sm.call(BUS, path, t.PROPS, 'Get', IFACE, 'overrides', signature='ss')


def backend_overrides(bus, config_path):
    sm.add(bus.get_unique_name(), config_path=config_path)
    return t.get_property(bus, BUS, path, IFACE, 'overrides')


# the owner, root, the session manager and the profile's backend see everything
def test_owner_root_session_manager_and_backend_see_everything():
    global sm, svc
    assert overrides(A) == full, overrides(A)
    assert overrides_by_getall(A) == full
    assert overrides(None) == full
    sm = ovpn3sessions.SessionsStandIn()




    assert sm_overrides() == full
    assert sm.call(BUS, path, t.PROPS, 'GetAll', IFACE, signature='s')['overrides'] == full




    svc = t.service_user()
    assert t.run_as(svc, backend_overrides, path) == full


# a backend of another profile's session, or no session at all: nothing
def test_other_backends_and_no_session_see_nothing():
    t.expect_error(lambda: t.run_as(svc, backend_overrides, path + 'x'), ACCESS_DENIED)
    t.expect_error(lambda: overrides(svc), ACCESS_DENIED)


# B on the ACL: may Fetch, but the owner's proxy credentials stay hidden
def test_acl_member_fetches_without_owners_proxy_credentials():
    t.call_as(A, BUS, path, IFACE, 'AccessGrant', t.uid_of(B), signature='u')
    assert 'remote' in t.call_as(B, BUS, path, IFACE, 'Fetch')
    assert overrides(B) == public, overrides(B)
    assert overrides_by_getall(B) == public
    # …and with locked_down, where Fetch refuses B
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'locked_down',
                                             dbus.Boolean(True)))
    assert overrides(B) == public, overrides(B)
    assert overrides_by_getall(B) == public
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'locked_down',
                                             dbus.Boolean(False)))
    t.call_as(A, BUS, path, IFACE, 'AccessRevoke', t.uid_of(B), signature='u')


# public_access: B reads the profile's properties, not the credentials
def test_public_access_reads_properties_not_credentials():
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'public_access',
                                             dbus.Boolean(True)))
    assert overrides(B) == public, overrides(B)
    assert overrides_by_getall(B) == public
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'public_access',
                                             dbus.Boolean(False)))


# an administrator (manage-others) acts as the owner and sees them
def test_administrator_sees_them():
    t.polkit_allow('net.openvpn.v3.manage-others')
    assert overrides(B) == full, overrides(B)
    t.polkit_deny_all()


# the session manager still gets them for the backend; the owner removing
# one makes it disappear for everyone
def test_session_manager_still_gets_them_owner_removal_hides_them():
    t.call_as(A, BUS, path, IFACE, 'UnsetOverride', 'proxy-password', signature='s')
    assert sm_overrides() == {'proxy-username': 'alice', 'proxy-host': 'proxy.example'}
    t.call_as(A, BUS, path, IFACE, 'Remove')
    sm.close()


t.main()
