#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 12, item 7: a profile with `lport` >= 1024 is served by an engine
without capabilities. With the real backend client and a real openvpn 2.6
server (tests/lib/ovpn3server.py): a session of a profile with `lport 40000`
(no `nobind`) connects, openvpn gets no --nobind (it refuses the pair) and is
bound to UDP port 40000 under its engine uid while connected, and traffic
passes the tunnel. `lport 80` is refused at NewTunnel with the reason."""

import os

import ovpn3test as t
import sesstest as s
from e2elab import assert_clean, openvpn_of
import ovpn3server as lab

PORT = 40000
NOT_SUPPORTED = 'org.freedesktop.DBus.Error.NotSupported'


def udp_sockets(port):
    """(uid, inode) of every UDP socket bound to port, from /proc/net/udp{,6}."""
    out = []
    for name in ('/proc/net/udp', '/proc/net/udp6'):
        with open(name) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(':', 1)[1], 16) == port:
                    out.append((int(fields[7]), fields[9]))
    return out


def socket_inodes(pid):
    out = set()
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        except OSError:
            continue
        if target.startswith('socket:['):
            out.add(target[len('socket:['):-1])
    return out


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_server_lab_is_up():
    global srv, text
    srv = lab.ServerLab('ovpn3-sessions-lport-')
    t.cleanup(srv.close)
    text = lab.profile_text(srv.pki).replace('nobind\n', 'lport %d\n' % PORT)
    assert 'nobind' not in text and 'lport %d' % PORT in text


def test_lport_below_1024_refused_with_the_reason():
    low = s.import_profile(a, 'low-port', text.replace('lport %d' % PORT, 'lport 80'))
    e = t.expect_error(lambda: s.start_session(a, low), NOT_SUPPORTED,
                       'lport 80 (binding a local port below 1024 needs a capability)')
    print('lport 80:', e.message)


def test_lport_40000_binds_that_port_as_the_engine_and_passes_traffic():
    assert not udp_sockets(PORT), 'port %d is already in use' % PORT
    path, _, _, info = t.run_as(a, s.cli_session_start, 'lport', text, lab.USERNAME,
                                lab.PASSWORD, timeout=120, fresh=True)
    pid = openvpn_of(info['backend_pid'])
    assert pid is not None, 'no openvpn for the session'
    with open('/proc/%d/cmdline' % pid, 'rb') as f:
        argv = [x.decode() for x in f.read().split(b'\0')]
    assert '--nobind' not in argv, argv
    with open('/proc/%d/status' % pid) as f:
        uid = int([x for x in f if x.startswith('Uid:')][0].split()[1])
    bound = udp_sockets(PORT)
    print('openvpn pid %d uid %d; UDP sockets on port %d: %s' % (pid, uid, PORT, bound))
    assert len(bound) == 1 and bound[0][0] == uid, bound
    assert bound[0][1] in socket_inodes(pid), 'the socket on port %d is not openvpn\'s' % PORT
    assert lab.ping(info['device_name']), 'no traffic through the tunnel'
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    assert_clean(srv.resolv_before)
    assert not udp_sockets(PORT), udp_sockets(PORT)


t.main()
