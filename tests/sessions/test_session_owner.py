#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Who owns a session (docs/dbus-api.md §3.2): the caller of NewTunnel; with the
profile's transfer_owner_session the profile owner, the starter then in
the acl list and restrict_log_access false. Using another user's profile
needs manage-others (root always has it)."""

import ovpn3test as t
import sesstest as s


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a, b = t.USER_A, t.USER_B
uid_a = t.uid_of(a)


def test_import_a_profile():
    global cfg
    cfg = s.import_profile(a, 'autologin-owner')


# root starts A's profile: root owns the session, A does not see it
def test_root_starting_as_profile_owns_the_session():
    global path
    path = s.new_tunnel_ordered(bus, cfg)[0]
    events.wait_for(path, s.SESS_CREATED)
    assert t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'owner') == 0
    assert path not in t.call_as(a, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                                 'FetchAvailableSessions')
    t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


# B may use it only with manage-others
def test_b_may_use_it_only_with_manage_others():
    global path
    t.expect_error(lambda: s.start_session(b, cfg), s.ACCESS_DENIED,
                   'Access to the configuration profile is denied.')
    t.polkit_allow('net.openvpn.v3.manage-others')
    path = s.start_session(b, cfg)
    t.polkit_deny_all()
    assert s.session_get(b, path, 'owner') == t.uid_of(b)
    s.session_call(b, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


# transfer_owner_session: the profile owner owns what root starts
def test_transfer_owner_session_gives_it_to_the_profile_owner():
    global path
    t.run_as(a, lambda bb: t.set_property(bb, t.CONFIG_NAME, cfg, s.CONFIG_IFACE,
                                          'transfer_owner_session', t.dbus.Boolean(True)))
    path = s.new_tunnel_ordered(bus, cfg)[0]
    assert t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'owner') == uid_a
    assert t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'acl') == [0]
    assert t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE,
                          'restrict_log_access') is False
    assert path in t.call_as(a, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                             'FetchAvailableSessions')
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)


# the owner's own NewTunnel is a duplicate now
def test_owners_own_new_tunnel_is_a_duplicate():
    t.expect_error(lambda: s.start_session(a, cfg), s.ERR_GDBUSPP,
                   'A session with this configuration profile is already running')
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


t.main()
