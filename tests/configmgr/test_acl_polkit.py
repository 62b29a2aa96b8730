#!/usr/bin/python3
"""Authorization is decided once, from the profile's access table (docs/security.md §4):
polkit net.openvpn.v3.manage-others is asked only for a caller the profile's
own rule does not admit. An acl-list member reading, fetching and validating
a shared profile, and writing the properties the acl list may write, causes
no polkit check (before, every caller but the owner and the service user was
sent to polkit); a stranger is, with the caller's interactive flag; the
service user never is."""
import dbus

import ovpn3sessions
import ovpn3test as t
from cfgtest import A, ACCESS_DENIED, B, BUS, IFACE, MGR, PROFILE
from ovpn3polkit import PolkitCalls

MANAGE_OTHERS = 'net.openvpn.v3.manage-others'

t.require_devbus()
t.polkit_deny_all()
uid_b = t.uid_of(B)
polkit = PolkitCalls()


def imp(bus, name):
    return t.call(bus, BUS, MGR, IFACE, 'Import', name, PROFILE, False, False, signature='ssbb')


def test_a_imports_shared_and_private_profiles():
    global private, shared
    shared = t.run_as(A, imp, 'shared')
    private = t.run_as(A, imp, 'private')
    t.call_as(A, BUS, shared, IFACE, 'AccessGrant', uid_b, signature='u')


# B is on the acl list of `shared`: everything the list may do, no polkit
def test_acl_member_reads_and_writes_without_polkit():
    mark = polkit.mark()
    t.call_as(B, BUS, shared, IFACE, 'Validate')
    assert 'remote' in t.call_as(B, BUS, shared, IFACE, 'Fetch')
    assert 'remote' in t.call_as(B, BUS, shared, IFACE, 'FetchJSON')
    props = t.run_as(B, lambda bus: t.call(bus, BUS, shared, t.PROPS, 'GetAll', IFACE,
                                             signature='s'))
    assert props['name'] == 'shared' and props['acl'] == [uid_b], props
    assert t.run_as(B, lambda bus: t.get_property(bus, BUS, shared, IFACE, 'single_use')) is False
    t.run_as(B, lambda bus: t.set_property(bus, BUS, shared, IFACE, 'transfer_owner_session',
                                             dbus.Boolean(True)))
    assert polkit.calls(mark) == [], polkit.calls(mark)


# what only the owner may do: refused after asking polkit (B is no admin)
def test_owner_only_actions_ask_polkit_then_refuse():
    mark = polkit.mark()
    e = t.expect_error(lambda: t.call_as(B, BUS, shared, IFACE, 'AddTag', 'x', signature='s'),
                       ACCESS_DENIED)
    assert e.message == 'Access to the configuration profile is denied.', e.message
    assert [c[0] for c in polkit.calls(mark)] == [MANAGE_OTHERS], polkit.calls(mark)


# a stranger to `private`: polkit is asked once per call, then refused
def test_stranger_is_checked_once_per_call():
    mark = polkit.mark()
    t.expect_error(lambda: t.call_as(B, BUS, private, IFACE, 'Validate'), ACCESS_DENIED)
    assert [c[0] for c in polkit.calls(mark)] == [MANAGE_OTHERS], polkit.calls(mark)


# the service user is never sent to polkit (it acts for nobody)
def test_service_user_is_never_sent_to_polkit():
    sm = ovpn3sessions.SessionsStandIn()
    mark = polkit.mark()
    assert 'remote' in sm.call(BUS, private, IFACE, 'Fetch')
    t.expect_error(lambda: sm.call(BUS, private, IFACE, 'AddTag', 'y', signature='s'), ACCESS_DENIED)
    assert polkit.calls(mark) == [], polkit.calls(mark)

    polkit.stop()


t.main()
