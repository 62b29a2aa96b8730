#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Profiles with options that touch the host beyond their own tunnel (design
§4: lport < 1024, mark, bind-dev, lladdr, a bridged tap …) start only for a
caller authorised for net.openvpn.v3.profile.privileged-options; root is
authorised without asking; a plain `dev tap` is not privileged."""

import ovpn3test as t
import sesstest as s

ACTION = 'net.openvpn.v3.profile.privileged-options'


def test():
    bus = t.system_bus()
    events = s.Events(bus)
    a = t.USER_A
    t.polkit_deny_all()

    privileged = s.import_profile(a, 'low-port', s.PROFILE.replace('nobind\n', 'lport 443\n'))
    marked = s.import_profile(a, 'marked', s.PROFILE + 'mark 42\n')
    tap = s.import_profile(a, 'plain-tap', s.PROFILE.replace('dev tun', 'dev tap'))

    # refused, with the reason and what to ask for; nothing is started
    before = t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                    'FetchAvailableSessions')
    for cfg, what in ((privileged, 'lport 443'), (marked, 'mark')):
        e = s.expect_error(lambda: s.start_session(a, cfg), s.ACCESS_DENIED, ACTION)
        assert what in e.message, e.message
    assert t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                  'FetchAvailableSessions') == before
    assert not s.backend_processes(), 'a backend was started for a refused profile'

    # a plain tap profile needs nothing
    path = s.start_session(a, tap)
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)

    # authorised: it starts
    t.polkit_allow(ACTION)
    path = s.start_session(a, privileged)
    t.polkit_deny_all()
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)

    # root is authorised without asking polkit
    path = s.new_tunnel_ordered(bus, marked)[0]
    events.wait_for(path, s.SESS_CREATED)
    t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


if __name__ == '__main__':
    s.main(test)
