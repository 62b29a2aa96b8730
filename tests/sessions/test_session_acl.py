#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Session ACL (docs/dbus-api.md §3.2, docs/security.md §4): another user can neither see,
control nor read a session; AccessGrant lets them, AccessRevoke stops
them; owner-only members stay owner-only; public_access opens methods but
not property reads; root and manage-others holders see everything; a
profile that is not yours cannot be started."""

import ovpn3test as t
import sesstest as s

METHODS = [('Ready', ()), ('Connect', ()), ('Pause', ('x',)), ('Resume', ()), ('Restart', ()),
           ('UserInputQueueGetTypeGroup', ()), ('Disconnect', ())]
PROPS = ['owner', 'acl', 'status', 'config_name', 'backend_pid', 'statistics', 'device_name',
         'log_verbosity']


def sig(args):
    return 's' if args else None


def b_cannot(path):
    b = t.USER_B
    assert path not in t.call_as(b, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                                 'FetchAvailableSessions')
    assert t.call_as(b, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                     'LookupConfigName', 'shared-acl', signature='s') == []
    for method, args in METHODS:
        t.expect_error(lambda: s.session_call(b, path, method, *args, signature=sig(args)),
                       s.ACCESS_DENIED)
    t.expect_error(lambda: s.session_call(b, path, 'LogForward', True, signature='b'),
                   s.ACCESS_DENIED)
    for prop in PROPS:
        t.expect_error(lambda: s.session_get(b, path, prop), s.ACCESS_DENIED)
    assert t.run_as(b, lambda bus: t.call(bus, t.SESSIONS_NAME, path, t.PROPS, 'GetAll',
                                          s.SESSIONS_IFACE, signature='s')) == {}
    t.expect_error(lambda: t.run_as(b, lambda bus: t.set_property(
        bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'log_verbosity', t.dbus.UInt32(1))),
        s.ACCESS_DENIED)


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a, b = t.USER_A, t.USER_B
uid_b = t.uid_of(b)


def test_owner_starts_a_session():
    global cfg, path
    cfg = s.import_profile(a, 'shared-acl')
    path = s.start_session(a, cfg)


# B: not visible, not controllable, not readable; cannot start A's profile
def test_b_cannot_see_control_read_or_start_it():
    b_cannot(path)
    t.expect_error(lambda: s.start_session(b, cfg), s.ACCESS_DENIED)
    t.expect_error(lambda: s.session_call(b, path, 'AccessGrant', uid_b, signature='u'),
                   s.ACCESS_DENIED)
    # the session is untouched
    assert tuple(s.session_get(a, path, 'status'))[:2] == (2, 4)


# AccessGrant of (uid_t) -1 or of a uid that names no user: refused, nothing changes
def test_access_grant_of_invalid_or_unknown_uid_refused():
    unknown = t.unused_uid()
    for uid in (4294967295, unknown):
        e = t.expect_error(lambda: s.session_call(a, path, 'AccessGrant', t.dbus.UInt32(uid),
                                                  signature='u'),
                           'org.freedesktop.DBus.Error.InvalidArgs', 'UID %d' % uid)
        print('AccessGrant(%d) on a session refused: %s' % (uid, e.message))
        assert s.session_get(a, path, 'acl') == []


# AccessGrant lets B see, read and control it
def test_access_grant_lets_b_see_read_and_control():
    s.session_call(a, path, 'AccessGrant', uid_b, signature='u')
    t.expect_error(lambda: s.session_call(a, path, 'AccessGrant', uid_b, signature='u'),
                   s.ERR_GDBUSPP, 'UID already granted access')
    assert s.session_get(a, path, 'acl') == [uid_b]
    assert path in t.call_as(b, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                             'FetchAvailableSessions')
    assert s.session_get(b, path, 'owner') == t.uid_of(a)
    t.expect_error(lambda: s.session_call(b, path, 'Ready'), s.ERR_READY,
                   'Missing user credentials')
    s.provide_credentials(b, path)
    s.session_call(b, path, 'Ready')


# owner-only members stay owner-only; LogForward is restricted by default
def test_owner_only_members_stay_owner_only():
    t.expect_error(lambda: s.session_call(b, path, 'AccessRevoke', uid_b, signature='u'),
                   s.ACCESS_DENIED)
    t.expect_error(lambda: s.session_call(b, path, 'LogForward', True, signature='b'),
                   s.ACCESS_DENIED)
    t.expect_error(lambda: t.run_as(b, lambda bus: t.set_property(
        bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'public_access', t.dbus.Boolean(True))),
        s.ACCESS_DENIED)
    t.run_as(b, lambda bus: t.set_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE,
                                           'log_verbosity', t.dbus.UInt32(4)))


# AccessRevoke: back to nothing
def test_access_revoke_takes_it_back():
    s.session_call(a, path, 'AccessRevoke', uid_b, signature='u')
    t.expect_error(lambda: s.session_call(a, path, 'AccessRevoke', uid_b, signature='u'),
                   s.ERR_GDBUSPP, 'UID not granted access')
    b_cannot(path)


# public_access: methods yes, property reads no (docs/dbus-api.md §3.2)
def test_public_access_allows_methods_not_property_reads():
    t.run_as(a, lambda bus: t.set_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE,
                                           'public_access', t.dbus.Boolean(True)))
    assert path in t.call_as(b, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                             'FetchAvailableSessions')
    s.session_call(b, path, 'Ready')
    t.expect_error(lambda: s.session_get(b, path, 'status'), s.ACCESS_DENIED)
    t.run_as(a, lambda bus: t.set_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE,
                                           'public_access', t.dbus.Boolean(False)))
    b_cannot(path)


# root sees and reads everything (uid 0 is authorised without asking)
def test_root_sees_and_reads_everything():
    assert path in t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                          'FetchAvailableSessions')
    assert t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'owner') == t.uid_of(a)


# manage-others (polkit) lets B in
def test_manage_others_lets_b_in():
    t.polkit_allow('net.openvpn.v3.manage-others')
    assert path in t.call_as(b, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                             'FetchAvailableSessions')
    assert s.session_get(b, path, 'owner') == t.uid_of(a)
    t.polkit_deny_all()
    b_cannot(path)

    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


t.main()
