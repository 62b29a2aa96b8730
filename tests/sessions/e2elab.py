# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks of the end-to-end session tests that nothing of a session is left,
and the openvpn processes of the backend clients. The server lab (PKI,
second network namespace, openvpn 2.6 server driven through its management
socket) and a session against it are tests/lib/ovpn3server.py."""

import os

import ovpn3server as lab
import ovpn3test as t
import sesstest as s


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
            return os.path.basename(os.path.dirname(argv[argv.index('--management') + 1]))
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


def openvpn_of(backend_pid):
    """PID of the openvpn a backend client started."""
    for pid in openvpn_clients():
        with open('/proc/%d/stat' % pid) as f:
            if int(f.read().rsplit(')', 1)[1].split()[1]) == backend_pid:
                return pid
    return None
