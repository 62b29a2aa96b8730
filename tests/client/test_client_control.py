# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client: Pause / Resume / Restart, a server client-kill (reconnect,
credentials answered again from memory), statistics, and a server HALT
(CONN_FAILED, the client exits and cleans up)."""

import time

import ovpn3test as t
from clientlab import (CONNECTED, DONE, FAILED, PAUSED, PAUSING, RECONNECTING, RESUMING,
                       PASSWORD, USERNAME, Lab)


def connect(lab):
    be, _ = lab.new_session()
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    return be


def pause_resume_restart(lab):
    be = connect(lab)
    t.expect_error(lambda: be.call('Resume'), 'net.openvpn.v3.error.client',
                   'Connection is not paused')

    mark = len(be.statuses())
    be.call('Pause', 'lunch break', signature='s')
    be.wait_status(PAUSING, after=mark)
    assert be.statuses()[mark][2] == 'Reason: lunch break', be.statuses()[mark:]
    be.wait_status(PAUSED, after=mark, timeout=30)
    t.expect_error(lambda: be.call('Pause', 'again', signature='s'), 'net.openvpn.v3.error.client',
                   'Connection is already paused')
    # paused means paused: no reconnect while we wait
    time.sleep(3)
    assert CONNECTED not in [s[1] for s in be.statuses()[mark:]]

    mark = len(be.statuses())
    be.call('Resume')
    be.wait_status(RESUMING, after=mark)
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert lab.ping_server(), 'no traffic after Resume'

    mark = len(be.statuses())
    be.call('Restart')
    be.wait_status(RECONNECTING, after=mark)
    assert be.statuses()[mark] == (2, RECONNECTING, ''), be.statuses()[mark:]
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert lab.ping_server(), 'no traffic after Restart'

    # the server kicks us: openvpn reconnects (and may ask for the password again)
    mark = len(be.statuses())
    lab.server.kill_last('RESTART')
    _, reason = be.wait_status(RECONNECTING, after=mark, timeout=30)
    assert reason == 'server-pushed-connection-reset', reason
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert lab.ping_server(), 'no traffic after the server kick'

    stats = be.prop('statistics')
    assert stats.get('N_PAUSE') == 1, stats
    assert stats.get('N_RECONNECT', 0) >= 3, stats

    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def server_halt(lab):
    be = connect(lab)
    mark = len(be.statuses())
    lab.server.kill_last('HALT')
    _, reason = be.wait_status(FAILED, after=mark, timeout=30)
    assert reason == 'Client disconnected by server', reason
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


lab = None


def test_server_and_services_start():
    global lab
    lab = Lab()
    t.cleanup(lab.close)


def test_pause_resume_restart():
    pause_resume_restart(lab)


def test_server_halt():
    server_halt(lab)


def test_no_secret_logged():
    lab.assert_no_secret_logged(PASSWORD)


t.main()
