# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client restart back-off (docs/architecture.md §5): when the server goes away,
openvpn's restart holds ask for 1, 1, 1, 1, 2, 4 … seconds and the backend
waits that long before `hold release` — releasing at once makes a reconnect
storm. Also: Disconnect during the back-off ends the session cleanly."""

import time

import ovpn3test as t
from clientlab import CONNECTED, DONE, RECONNECTING, PASSWORD, USERNAME, Lab, profile_text


lab = None
be = None


def test_server_and_services_start():
    global lab
    lab = Lab(server_extra=['--proto', 'tcp-server'])
    t.cleanup(lab.close)


def test_connect_over_tcp():
    global be
    text = profile_text(lab.pki).replace('proto udp', 'proto tcp-client')
    text = text.replace('connect-retry 1 1\n', '')
    be, _ = lab.new_session(text)
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)


def test_restart_holds_back_off_without_a_server():
    mark = len(be.statuses())
    lab.server.proc.kill()
    lab.server.proc.wait()
    be.wait_status(RECONNECTING, after=mark, timeout=30)
    time.sleep(10)
    reconnects = [s for s in be.statuses()[mark:] if s[1] == RECONNECTING]
    # 1+1+1+1+2+4 s of back-off: about 6 attempts in 10 s, not thousands
    assert 3 <= len(reconnects) <= 12, reconnects
    print('%d reconnect attempts in 10 s without a server: %r' % (len(reconnects), reconnects))


def test_disconnect_during_back_off_ends_cleanly():
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark, timeout=30)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)
    lab.assert_no_secret_logged(PASSWORD)


t.main()
