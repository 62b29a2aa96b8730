#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 6, first acceptance item, with the real backend client and a real
openvpn 2.6 server in a second network namespace: the whole call sequence of
`openvpn3 session-start` (docs/dbus-api.md §9.3) made by a Python client as an ordinary
user reaches CONN_CONNECTED, traffic passes the tunnel, then Disconnect ->
SESS_DESTROYED and nothing is left: no process, tun, route, DNS entry,
socket file or runtime directory. Then two sessions on two profiles at
once, each with its own tun, both passing traffic; and a SIGKILLed backend
client force-closes its session and netcfg cleans up.

The server lab (PKI, namespace, openvpn server) is tests/lib/ovpn3server.py
(shared with the client tests); its fake session manager is not used here."""

import os
import pwd
import shutil
import signal
import subprocess

import ovpn3test as t
import sesstest as s
from e2elab import assert_clean, runtime_dir_of
import ovpn3server as lab


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_server_lab_is_up():
    global srv, text
    # one client certificate for both sessions
    srv = lab.ServerLab('ovpn3-sessions-e2e-', extra=['--duplicate-cn'])
    t.cleanup(srv.close)
    text = lab.profile_text(srv.pki)


# 1. session-start, traffic, Disconnect, nothing left
def test_session_start_passes_traffic_and_disconnect_leaves_nothing():
    path, elapsed, seen, info = t.run_as(a, s.cli_session_start, 'e2e', text,
                                         lab.USERNAME, lab.PASSWORD, timeout=120, fresh=True)
    print('NewTunnel -> CONN_CONNECTED in %.2f s; statuses %s' % (elapsed, seen))
    assert tuple(info['connected_to']) == ('udp', lab.SERVER_IP, 1194), info
    assert info['device_name'].startswith('ovpn3t'), info
    assert info['session_name'], info
    assert lab.ping(info['device_name']), 'no traffic through the tunnel'
    stats = t.wait_until(lambda: (s.session_get(a, path, 'statistics') or {}).get('BYTES_IN')
                         and s.session_get(a, path, 'statistics'), 20, 'statistics')
    assert stats['BYTES_IN'] > 0 and stats['BYTES_OUT'] > 0, stats
    assert s.session_call(a, t.SESSIONS_PATH, 'LookupInterface', info['device_name'],
                          signature='s') == path
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    assert s.object_gone(bus, path)
    assert_clean(srv.resolv_before)


# 2. two sessions on two profiles at once
def test_two_sessions_on_two_profiles_at_once():
    global d1, d2, p1, p2
    p1 = t.run_as(a, s.cli_session_start, 'e2e-one', text, lab.USERNAME, lab.PASSWORD,
                  timeout=120, fresh=True)
    # same server: the second profile ignores the pushed route the first
    # one already installed (netcfg refuses a duplicate route)
    text2 = lab.profile_text(srv.pki, extra='pull-filter ignore "route "')
    p2 = t.run_as(a, s.cli_session_start, 'e2e-two', text2, lab.USERNAME, lab.PASSWORD,
                  timeout=120, fresh=True)
    d1, d2 = p1[3]['device_name'], p2[3]['device_name']
    assert d1 != d2 and d1.startswith('ovpn3t') and d2.startswith('ovpn3t'), (d1, d2)
    ok1, ok2 = lab.ping(d1), lab.ping(d2)
    assert ok1 and ok2, ('both tunnels pass traffic', ok1, ok2, lab.sh('ip', '-br', 'addr'))
    devs = s.session_call(a, t.SESSIONS_PATH, 'FetchManagedInterfaces')
    assert sorted(devs) == sorted([d1, d2]), devs


# 3. a SIGKILLed backend client: force-closed, netcfg cleans up
def test_sigkilled_backend_is_force_closed_and_netcfg_cleans_up():
    global killed_dir
    pid = p1[3]['backend_pid']
    killed_dir = runtime_dir_of(pid)
    assert killed_dir and killed_dir.startswith('client-'), killed_dir
    os.kill(pid, signal.SIGKILL)
    events.wait_for(p1[0], s.SESS_DESTROYED)
    t.wait_until(lambda: d1 not in lab.sh('ip', '-o', 'link', 'show'), 20,
                 'netcfg to remove the killed session\'s tun')
    assert lab.ping(d2), 'the other session still passes traffic'
    s.session_call(a, p2[0], 'Disconnect')
    events.wait_for(p2[0], s.SESS_DESTROYED)


# a killed client may leave its private directory behind (it is
# removed once openvpn has connected, so it depends on timing); the
# next backend client sweeps directories of clients that no longer
# exist
def test_next_backend_sweeps_directories_of_dead_clients():
    print('killed client left its directory:',
          os.path.isdir('/run/ovpn3/' + killed_dir))
    dead = subprocess.Popen(['true'])
    dead.wait()
    stale = '/run/ovpn3/client-%d-STALE1' % dead.pid
    alive = '/run/ovpn3/client-%d-ALIVE1' % os.getpid()
    svc = pwd.getpwnam(t.service_user())
    for d in (stale, alive):
        os.mkdir(d, 0o700)
        open(d + '/profile.ovpn', 'w').close()
        os.chown(d + '/profile.ovpn', svc.pw_uid, svc.pw_gid)
        os.chown(d, svc.pw_uid, svc.pw_gid)
    os.mkfifo(stale + '/mgmt')
    os.chown(stale + '/mgmt', svc.pw_uid, svc.pw_gid)
    p3 = t.run_as(a, s.cli_session_start, 'e2e-three', text, lab.USERNAME, lab.PASSWORD,
                  timeout=120, fresh=True)
    assert not os.path.exists('/run/ovpn3/' + killed_dir), killed_dir
    assert not os.path.exists(stale), 'stale directory not swept'
    assert os.path.isdir(alive), 'directory of a live process was removed'
    shutil.rmtree(alive)
    s.session_call(a, p3[0], 'Disconnect')
    events.wait_for(p3[0], s.SESS_DESTROYED)
    assert_clean(srv.resolv_before)


t.main()
