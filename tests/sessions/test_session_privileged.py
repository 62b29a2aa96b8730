#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Profiles with options that touch the host beyond their own tunnel
(docs/architecture.md §4: bind-dev, a device name …) start only for a caller authorised for
net.openvpn.v3.profile.privileged-options; root is authorised without
asking; a plain `dev tap` is not privileged. Options openvpn cannot honour
without capabilities (docs/architecture.md §3: lport < 1024, mark, lladdr, nice < 0,
mlock) are refused whoever asks, with the reason; lport >= 1024 needs
nothing."""

import ovpn3test as t
import sesstest as s

ACTION = 'net.openvpn.v3.profile.privileged-options'
NOT_SUPPORTED = 'org.freedesktop.DBus.Error.NotSupported'


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A
t.polkit_deny_all()


def test_import_profiles_with_privileged_options():
    global bound, high, locked, low, marked, tap
    bound = s.import_profile(a, 'bind-dev', s.PROFILE + 'bind-dev lo\n')
    tap = s.import_profile(a, 'plain-tap', s.PROFILE.replace('dev tun', 'dev tap'))
    high = s.import_profile(a, 'high-port', s.PROFILE.replace('nobind\n', 'lport 40000\n'))
    low = s.import_profile(a, 'low-port', s.PROFILE.replace('nobind\n', 'lport 80\n'))
    marked = s.import_profile(a, 'marked', s.PROFILE + 'mark 42\n')
    locked = s.import_profile(a, 'mlock', s.PROFILE + 'mlock\n')


# refused, with the reason and what to ask for; nothing is started
def test_privileged_options_refused_with_reason_nothing_started():
    global before
    before = t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                    'FetchAvailableSessions')
    e = t.expect_error(lambda: s.start_session(a, bound), s.ACCESS_DENIED, ACTION)
    assert 'bind-dev lo' in e.message, e.message


# what the engine cannot do: refused even when authorised, and for root
def test_what_the_engine_cannot_do_refused_even_for_root():
    t.polkit_allow(ACTION)
    for cfg, what in ((low, 'lport 80 (binding a local port below 1024 needs a capability)'),
                      (marked, 'mark 42 (setting SO_MARK needs a capability'),
                      (locked, 'mlock (openvpn exits')):
        e = t.expect_error(lambda: s.start_session(a, cfg), NOT_SUPPORTED, what)
        assert 'openvpn runs without privileges' in e.message, e.message
        print('refused:', e.message)
    t.polkit_deny_all()
    e = t.expect_error(lambda: s.new_tunnel_ordered(bus, marked), NOT_SUPPORTED, 'mark 42')
    assert t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                  'FetchAvailableSessions') == before
    assert not s.backend_processes(), 'a backend was started for a refused profile'


# a plain tap profile and a local port above 1023 need nothing
def test_plain_tap_and_high_lport_need_nothing():
    for cfg in (tap, high):
        path = s.start_session(a, cfg)
        s.session_call(a, path, 'Disconnect')
        events.wait_for(path, s.SESS_DESTROYED)


# authorised: it starts
def test_authorised_it_starts():
    t.polkit_allow(ACTION)
    path = s.start_session(a, bound)
    t.polkit_deny_all()
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


# root is authorised without asking polkit
def test_root_authorised_without_polkit():
    path = s.new_tunnel_ordered(bus, bound)[0]
    events.wait_for(path, s.SESS_CREATED)
    t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


t.main()
