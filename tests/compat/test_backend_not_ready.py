#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 'Backend VPN process is not ready' (tests/compat/README.md): calls on
a session whose backend client is being replaced (automatic-restart after a
crash). openvpn2 (find(...) > 1) and openvpn3-autoload (find(...) > -1)
wait and call Ready again when str(exception) contains 'Backend VPN process
is not ready'; anything else ends them. When the new backend is up, Ready
succeeds again. The session manager answers this itself: the backend is
the stand-in tests/sessions/fake_client.py."""

import os
import signal

import ovpn3test as t
import compat as c
import sesstest as s

TEXT = 'Backend VPN process is not ready'


t.require_devbus()
a = t.USER_A
bus = t.system_bus()


def test_calls_during_the_restart_back_off_say_backend_not_ready():
    cfg = s.import_profile(a, 'autologin-compat-restart')
    t.call_as(a, t.CONFIG_NAME, cfg, c.CONFIG_IFACE, 'SetOverride', 'automatic-restart',
              t.dbus.String('on-failure'), signature='sv')
    path = s.start_session(a, cfg)
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)
    # a crash, then the calls during the back-off (3 s, then 6 s: a slow
    # machine that misses the first window gets the next one)
    for attempt in range(2):
        pid = s.session_get(a, path, 'backend_pid')
        os.kill(pid, signal.SIGKILL)
        t.wait_until(lambda: pid not in s.backend_processes(), what='the backend to die')

        def in_backoff():
            # polled as root from this process: cheap
            try:
                t.call(bus, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Ready')
            except t.CallError as e:
                return e.name == 'net.openvpn.gdbuspp'
            return False
        t.wait_until(in_backoff, what='the restart back-off')
        texts = []
        for method in ('Ready', 'Connect'):      # as the session's owner, like openvpn2
            try:
                texts.append(c.python_error(a, t.SESSIONS_NAME, path, c.SESSIONS_IFACE,
                                            method).text)
            except AssertionError:               # the call succeeded: restart already over
                break
        t.wait_until(lambda: s.session_get(a, path, 'backend_pid') not in (pid, 0), 30,
                     'the new backend client')
        s.wait_status(a, path, 2, 7)
        if len(texts) == 2:
            break
    assert len(texts) == 2, 'both back-off windows missed: %r' % texts
    for text in texts:
        assert text.find(TEXT) > 1, text
    c.python_call(a, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Ready')
    s.session_call(a, path, 'Disconnect')


t.main()
