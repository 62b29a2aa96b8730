#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 6, first acceptance item, with the real backend client and a real
openvpn 2.6 server in a second network namespace: the whole call sequence of
`openvpn3 session-start` (spec §9.3) made by a Python client as an ordinary
user reaches CONN_CONNECTED, traffic passes the tunnel, then Disconnect ->
SESS_DESTROYED and nothing is left: no process, tun, route, DNS entry,
socket file or runtime directory. Then two sessions on two profiles at
once, each with its own tun, both passing traffic; and a SIGKILLed backend
client force-closes its session and netcfg cleans up.

The server lab (PKI, namespace, openvpn server) is tests/client/clientlab.py
(the client tests' lab); its fake session manager is not used here."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

import ovpn3test as t
import sesstest as s

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'client'))
import clientlab as lab  # noqa: E402


def ping(dev=None, count=2):
    args = ['ping', '-n', '-q', '-c', str(count), '-W', '3']
    if dev:
        args += ['-I', dev]
    r = subprocess.run(args + [lab.SERVER_TUN_IP], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0


def openvpn_clients():
    out = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if argv and argv[0].endswith(b'openvpn') and b'--management-client' in argv:
            out.append(int(pid))
    return out


def runtime_dir_of(backend_pid):
    """The private directory of the openvpn a backend client started."""
    for pid in openvpn_clients():
        with open('/proc/%d/stat' % pid) as f:
            ppid = int(f.read().rsplit(')', 1)[1].split()[1])
        if ppid == backend_pid:
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                argv = [a.decode() for a in f.read().split(b'\0')]
            return os.path.basename(os.path.dirname(argv[argv.index('--config') + 1]))
    return None


def assert_clean(resolv_before, may_remain=()):
    t.wait_until(lambda: s.backend_processes() == [], 20, 'backend clients to exit')
    t.wait_until(lambda: openvpn_clients() == [], 20, 'openvpn to exit')
    t.wait_until(lambda: 'ovpn3t' not in lab.sh('ip', '-o', 'link', 'show'), 20,
                 'tun device removal')
    routes = lab.sh('ip', 'route', 'show')
    assert lab.PUSHED_NET not in routes and '10.213.0.' not in routes, routes
    t.wait_until(lambda: lab.read('/etc/resolv.conf') == resolv_before, 20,
                 'resolv.conf restored')
    leftovers = [e for e in os.listdir('/run/ovpn3') if e.startswith('client-')] \
        if os.path.isdir('/run/ovpn3') else []
    unexpected = [d for d in leftovers if d not in may_remain]
    assert not unexpected, leftovers
    for d in leftovers:
        # a SIGKILLed backend client cannot remove its runtime directory
        print('left behind by the killed backend client: /run/ovpn3/%s' % d)


def test():
    bus = t.system_bus()
    events = s.Events(bus)
    a = t.USER_A
    tmp = tempfile.mkdtemp(prefix='ovpn3-sessions-e2e-')
    server = None
    try:
        pki = tmp + '/pki'
        os.mkdir(pki)
        lab.make_pki(pki)
        resolv_before = lab.read('/etc/resolv.conf')
        server = lab.Server(tmp, pki)
        text = lab.profile_text(pki)

        # 1. session-start, traffic, Disconnect, nothing left
        path, elapsed, seen, info = s.run_fresh(a, 'cli_session_start', 'e2e', text,
                                                lab.USERNAME, lab.PASSWORD, timeout=120)
        print('NewTunnel -> CONN_CONNECTED in %.2f s; statuses %s' % (elapsed, seen))
        assert tuple(info['connected_to']) == ('udp', lab.SERVER_IP, 1194), info
        assert info['device_name'].startswith('ovpn3t'), info
        assert info['session_name'], info
        assert ping(info['device_name']), 'no traffic through the tunnel'
        stats = t.wait_until(lambda: (s.session_get(a, path, 'statistics') or {}).get('BYTES_IN')
                             and s.session_get(a, path, 'statistics'), 20, 'statistics')
        assert stats['BYTES_IN'] > 0 and stats['BYTES_OUT'] > 0, stats
        assert s.session_call(a, t.SESSIONS_PATH, 'LookupInterface', info['device_name'],
                              signature='s') == path
        s.session_call(a, path, 'Disconnect')
        events.wait_for(path, s.SESS_DESTROYED)
        assert s.object_gone(bus, path)
        assert_clean(resolv_before)

        # 2. two sessions on two profiles at once
        p1 = s.run_fresh(a, 'cli_session_start', 'e2e-one', text, lab.USERNAME, lab.PASSWORD,
                         timeout=120)
        # same server: the second profile ignores the pushed route the first
        # one already installed (netcfg refuses a duplicate route)
        text2 = lab.profile_text(pki, extra='pull-filter ignore "route "')
        p2 = s.run_fresh(a, 'cli_session_start', 'e2e-two', text2, lab.USERNAME, lab.PASSWORD,
                         timeout=120)
        d1, d2 = p1[3]['device_name'], p2[3]['device_name']
        assert d1 != d2 and d1.startswith('ovpn3t') and d2.startswith('ovpn3t'), (d1, d2)
        assert ping(d1) and ping(d2), 'both tunnels pass traffic'
        devs = s.session_call(a, t.SESSIONS_PATH, 'FetchManagedInterfaces')
        assert sorted(devs) == sorted([d1, d2]), devs

        # 3. a SIGKILLed backend client: force-closed, netcfg cleans up
        pid = p1[3]['backend_pid']
        killed_dir = runtime_dir_of(pid)
        assert killed_dir and killed_dir.startswith('client-'), killed_dir
        os.kill(pid, signal.SIGKILL)
        events.wait_for(p1[0], s.SESS_DESTROYED)
        t.wait_until(lambda: d1 not in lab.sh('ip', '-o', 'link', 'show'), 20,
                     'netcfg to remove the killed session\'s tun')
        assert ping(d2), 'the other session still passes traffic'
        s.session_call(a, p2[0], 'Disconnect')
        events.wait_for(p2[0], s.SESS_DESTROYED)
        assert_clean(resolv_before, may_remain=(killed_dir,))
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    s.main(test)
