#!/usr/bin/python3
"""Access rules with two non-root users, the session manager and another
process of the service user (docs/dbus-api.md §3.1, docs/security.md §5), and the polkit action
net.openvpn.v3.manage-others (allowed / denied)."""
import dbus

import ovpn3sessions
import ovpn3test as t
from cfgtest import A, ACCESS_DENIED, B, BUS, IFACE, MGR, PROFILE

t.require_devbus()
root = t.system_bus()
t.polkit_deny_all()
uid_a, uid_b = t.uid_of(A), t.uid_of(B)


def imp(bus, name, persistent=False):
    return t.call(bus, BUS, MGR, IFACE, 'Import', name, PROFILE, False, persistent,
                  signature='ssbb')


def lst(bus):
    return t.call(bus, BUS, MGR, IFACE, 'FetchAvailableConfigs')


def test_a_imports_and_owns_a_profile():
    global path
    path = t.run_as(A, imp, 'a-profile', True)
    assert t.get_property(root, BUS, path, IFACE, 'owner') == uid_a


# B: cannot list, look up, read, fetch, change or remove A's profile
def test_b_cannot_list_look_up_read_fetch_change_or_remove_it():
    assert path not in t.run_as(B, lst)
    assert t.run_as(B, lambda bus: t.call(bus, BUS, MGR, IFACE, 'LookupConfigName', 'a-profile',
                                            signature='s')) == []
    for method in ('Fetch', 'FetchJSON', 'Validate', 'Remove', 'Seal'):
        e = t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, method), ACCESS_DENIED)
        assert e.message == 'Access to the configuration profile is denied.', e.message
    t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, 'AddTag', 'x', signature='s'), ACCESS_DENIED)
    t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, 'AccessGrant', uid_b, signature='u'),
                   ACCESS_DENIED)
    t.expect_error(lambda: t.run_as(B, lambda bus: t.get_property(bus, BUS, path, IFACE, 'name')),
                   ACCESS_DENIED)
    e = t.expect_error(lambda: t.run_as(B, lambda bus: t.set_property(bus, BUS, path, IFACE, 'name',
                                                                         'stolen')), ACCESS_DENIED)
    assert e.message == 'Configuration can only be modified by the profile owner', e.message


# owner is public; GetAll gives B nothing else
def test_owner_is_public_getall_gives_b_nothing_else():
    assert t.run_as(B, lambda bus: t.get_property(bus, BUS, path, IFACE, 'owner')) == uid_a
    assert set(t.run_as(B, lambda bus: t.call(bus, BUS, path, t.PROPS, 'GetAll', IFACE,
                                                signature='s'))) == {'owner'}
    assert t.get_property(root, BUS, path, IFACE, 'name') == 'a-profile'


# the session manager (the service user owning net.openvpn.v3.sessions) may
# read and Fetch, and read acl/public_access (it decides NewTunnel with them)
def test_session_manager_may_read_and_fetch():
    global sm
    sm = ovpn3sessions.SessionsStandIn()
    assert 'remote' in sm.call(BUS, path, IFACE, 'Fetch')
    assert 'remote' in sm.call(BUS, path, IFACE, 'FetchJSON')
    assert sm.call(BUS, path, t.PROPS, 'Get', IFACE, 'name', signature='ss') == 'a-profile'
    assert sm.call(BUS, path, t.PROPS, 'Get', IFACE, 'acl', signature='ss') == []
    assert sm.call(BUS, path, t.PROPS, 'Get', IFACE, 'public_access', signature='ss') is False
    t.expect_error(lambda: sm.call(BUS, path, t.PROPS, 'Get', IFACE, 'single_use', signature='ss'),
                   ACCESS_DENIED)


# any other process of the service user is a stranger (docs/security.md §5): no
# Fetch/FetchJSON, nothing beyond 'owner'
def test_other_service_user_process_is_a_stranger():
    global svc
    svc = t.service_user()
    for method in ('Fetch', 'FetchJSON'):
        e = t.expect_error(lambda: t.call_as(svc, BUS, path, IFACE, method), ACCESS_DENIED)
        assert e.message == 'Access to the configuration profile is denied.', e.message
    for prop in ('name', 'acl', 'public_access', 'overrides'):
        t.expect_error(lambda: t.run_as(svc, lambda bus: t.get_property(bus, BUS, path, IFACE, prop)),
                       ACCESS_DENIED)
    assert set(t.run_as(svc, lambda bus: t.call(bus, BUS, path, t.PROPS, 'GetAll', IFACE,
                                                  signature='s'))) == {'owner'}


# AccessGrant: B may list, read and fetch, not change owner-only things
def test_access_grant_lets_b_list_read_and_fetch_but_not_change():
    t.call_as(A, BUS, path, IFACE, 'AccessGrant', uid_b, signature='u')
    assert path in t.run_as(B, lst)
    assert 'remote' in t.call_as(B, BUS, path, IFACE, 'Fetch')
    assert t.run_as(B, lambda bus: t.get_property(bus, BUS, path, IFACE, 'name')) == 'a-profile'
    t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, 'Remove'), ACCESS_DENIED)
    t.run_as(B, lambda bus: t.set_property(bus, BUS, path, IFACE, 'dco', dbus.Boolean(True)))


# locked_down: the acl list may no longer Fetch
def test_locked_down_stops_the_acl_list_fetching():
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'locked_down', dbus.Boolean(True)))
    t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, 'Fetch'), ACCESS_DENIED)
    assert 'remote' in t.call_as(A, BUS, path, IFACE, 'Fetch')
    assert 'remote' in sm.call(BUS, path, IFACE, 'Fetch')
    t.expect_error(lambda: t.call_as(svc, BUS, path, IFACE, 'Fetch'), ACCESS_DENIED)
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'locked_down', dbus.Boolean(False)))
    t.call_as(A, BUS, path, IFACE, 'AccessRevoke', uid_b, signature='u')
    assert path not in t.run_as(B, lst)


# public_access: listed and readable, but Fetch ignores it
def test_public_access_lists_and_reads_but_fetch_ignores_it():
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'public_access', dbus.Boolean(True)))
    assert path in t.run_as(B, lst)
    assert t.run_as(B, lambda bus: t.get_property(bus, BUS, path, IFACE, 'name')) == 'a-profile'
    t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, 'Fetch'), ACCESS_DENIED)
    t.call_as(B, BUS, path, IFACE, 'Validate')
    t.run_as(A, lambda bus: t.set_property(bus, BUS, path, IFACE, 'public_access', dbus.Boolean(False)))


# manage-others allowed: B (an administrator) lists and manages A's profiles
def test_manage_others_lets_an_administrator_manage():
    t.polkit_allow('net.openvpn.v3.manage-others')
    assert path in t.run_as(B, lst)
    assert t.run_as(B, lambda bus: t.call(bus, BUS, MGR, IFACE, 'SearchByOwner', A,
                                            signature='s')) == [path]
    t.call_as(B, BUS, path, IFACE, 'AddTag', 'by-admin', signature='s')
    assert t.get_property(root, BUS, path, IFACE, 'tags') == ['by-admin']


# denied again: refused again
def test_manage_others_denied_refuses_again():
    t.polkit_deny_all()
    assert path not in t.run_as(B, lst)
    t.expect_error(lambda: t.call_as(B, BUS, path, IFACE, 'RemoveTag', 'by-admin', signature='s'),
                   ACCESS_DENIED)


# TransferOwnership is root-only (policy) — A is refused by the bus or the service
def test_transfer_ownership_is_root_only():
    t.expect_error(lambda: t.call_as(A, BUS, MGR, IFACE, 'TransferOwnership', path, uid_b,
                                     signature='ou'), ACCESS_DENIED)


# the owner removes it
def test_owner_removes_it():
    t.call_as(A, BUS, path, IFACE, 'Remove')
    assert path not in t.run_as(A, lst)
    sm.close()


t.main()
