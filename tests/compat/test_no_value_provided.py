#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 'No value provided for' (tests/compat/README.md): an empty answer to
a credentials prompt. `openvpn3 session-start` calls UserInputProvide with
what was typed; when GDBus++'s GetRawError() contains 'No value provided
for' it says "Empty input not allowed" and goes on, anything else aborts
the start. Real backend client (the queue is its)."""


import ovpn3test as t
import compat as c


t.require_devbus()


tmp = c.temp_dir()


def test_empty_credential_answer_refused_and_the_slot_stays_open():
    _, path = c.start_session(t.USER_A, 'compat-empty', c.real_profile(tmp))
    for value in ('', '\x01\x02'):      # nothing left after control characters go
        g = c.gdbuspp_error(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE,
                            'UserInputProvide', 'uuus', (1, 1, 0, value))
        assert 'No value provided for' in g.raw, g
    # the slot is still open: the CLI asks again
    assert c.gdbuspp_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE,
                          'UserInputQueueCheck', 'uu', (1, 1)) == [[0, 1]]
    c.python_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')


t.main()
