# SPDX-License-Identifier: GPL-2.0-or-later
"""Two backend clients at once (two profiles, two sessions): each gets its own
netcfg tun device, both pass traffic, and each Disconnect removes only its own."""

import subprocess

import ovpn3test as t
from clientlab import CONNECTED, DONE, PASSWORD, SERVER_TUN_IP, USERNAME, Lab, sh


def ping_via(dev):
    return subprocess.run(['ping', '-n', '-q', '-c', '1', '-W', '3', '-I', dev, SERVER_TUN_IP],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


lab = None
backends = []
devs = []


# Both sessions to one server: a route pushed to both would collide in the
# kernel (netcfg refuses the second Establish with "Object exists"), so
# this server pushes none.
def test_server_and_services_start():
    global lab
    lab = Lab(server_extra=['--duplicate-cn'], push_route=False)
    t.cleanup(lab.close)


def test_two_sessions_connect_with_a_device_each():
    global devs
    for _ in range(2):
        be, _ = lab.new_session()
        be.walk_queue({'username': USERNAME, 'password': PASSWORD})
        be.call('Ready')
        backends.append((be, len(be.statuses())))
    for be, _ in backends:
        be.call('Connect')
    for be, mark in backends:
        be.wait_status(CONNECTED, after=mark, timeout=60)
    devs = [be.prop('device_name') for be, _ in backends]
    assert len(set(devs)) == 2 and all(d.startswith('ovpn3t') for d in devs), devs
    for dev in devs:
        assert ping_via(dev), 'no traffic through ' + dev


def test_first_disconnect_leaves_the_second_session_working():
    first = backends[0][0]
    mark = len(first.statuses())
    first.call('Disconnect')
    first.wait_status(DONE, after=mark)
    assert first.wait_exit(20) == 0
    links = sh('ip', '-o', 'link', 'show')
    assert devs[0] + ':' not in links and devs[1] + ':' in links, links
    assert ping_via(devs[1]), 'the second session lost its traffic'


def test_second_disconnect_leaves_nothing_behind():
    second = backends[1][0]
    mark = len(second.statuses())
    second.call('Disconnect')
    second.wait_status(DONE, after=mark)
    assert second.wait_exit(20) == 0
    lab.assert_clean(second)
    lab.assert_no_secret_logged(PASSWORD)


t.main()
