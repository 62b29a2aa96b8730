#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Starts that overlap: five NewTunnel calls at once (four profiles, one of
them twice) each get their own backend, session and SESS_CREATED before
their reply; the repeated profile gets the duplicate error; all can be
disconnected."""

import ovpn3test as t
import sesstest as s


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_parallel_new_tunnels_one_session_per_profile():
    cfgs = [s.import_profile(a, 'autologin-par%d' % i) for i in range(4)]
    replies, seen = t.run_as(a, s.parallel_new_tunnels, cfgs + [cfgs[0]], fresh=True)
    paths = [r for r in replies if isinstance(r, str)]
    errors = [r for r in replies if not isinstance(r, str)]
    assert len(paths) == 4 and len(set(paths)) == 4, replies
    assert len(errors) == 1 and errors[0][0] == s.ERR_GDBUSPP and \
        'already running' in errors[0][1], errors
    for p in paths:
        assert [p, s.SESS_CREATED] in seen, (p, seen)
    pids = {s.session_get(a, p, 'backend_pid') for p in paths}
    assert len(pids) == 4, pids
    assert sorted(s.session_call(a, t.SESSIONS_PATH, 'FetchAvailableSessions')) == sorted(paths)
    for p, cfg in zip(replies, cfgs):
        if isinstance(p, str):
            assert s.session_get(a, p, 'config_path') == cfg
    for p in paths:
        s.session_call(a, p, 'Connect')
    for p in paths:
        s.wait_status(a, p, 2, 7)
    for p in paths:
        s.session_call(a, p, 'Disconnect')
    for p in paths:
        events.wait_for(p, s.SESS_DESTROYED)
    t.wait_until(lambda: s.backend_processes() == [], what='every backend to exit')


t.main()
