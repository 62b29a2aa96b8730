#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 12, item 6 (b): what the server pushes, with the real backend client
and a real openvpn 2.6 server (tests/lib/ovpn3server.py) that pushes
`redirect-gateway def1 ipv6`, IPv6 (server-ipv6), DNS (server and domain) and
a plain route.

- Owner not authorised for net.openvpn.v3.session.start-host-wide (the polkit
  stand-in denies it; asked without interaction at NewTunnel): the tunnel
  works (ping, the pushed route), but no default route pieces are installed
  (no 0.0.0.0/1 + 128.0.0.0/1, no ::/1 + 8000::/1, none of the IPv6 pieces
  openvpn lists for redirect-gateway ipv6), the netcfg device does not
  reroute, the DNS settings (global scope: netcfg's default) are not applied;
  each is logged once (a reconnect does not log again) and said in the
  message of StatusChange(2, 7 CONN_CONNECTED).
- Authorised: the same server's redirect-gateway and DNS are honoured.
- Only the session manager may set the backend's host_wide."""

import json
import subprocess

import ovpn3test as t
import sesstest as s
from e2elab import assert_clean
import ovpn3server as lab

ACTION = 'net.openvpn.v3.session.start-host-wide'
PUSHED = ['--server-ipv6', 'fd00:213::/64', '--push', 'redirect-gateway def1 ipv6']
HALVES4 = {'0.0.0.0/1', '128.0.0.0/1'}
HALVES6 = {'::/1', '8000::/1'}
PIECES6 = {'::/3', '2000::/4', '3000::/4', 'fc00::/7'}


def routes_on(dev, family):
    out = subprocess.run(['ip', '-j', family, 'route', 'show', 'dev', dev], text=True,
                         stdout=subprocess.PIPE, check=True).stdout
    return {r['dst'] if '/' in r['dst'] or r['dst'] == 'default' else r['dst'] + '/32'
            for r in json.loads(out or '[]')}


def backend_messages(journal, what):
    return [e for e in journal if what in e.get('MESSAGE', '')]


def connect(user, name, text):
    path, _, seen, info = t.run_as(user, s.cli_session_start, name, text, lab.USERNAME,
                                   lab.PASSWORD, timeout=120, fresh=True)
    connected = [st for st in seen if tuple(st[:2]) == (2, 7)]
    return path, info['device_name'], connected[-1][2], info


def set_host_wide_as(user, pid):
    return t.run_as(user, lambda b: t.set_property(
        b, 'net.openvpn.v3.backends.be%d' % pid, '/net/openvpn/v3/backends/session',
        s.BACKENDS_IFACE, 'host_wide', t.dbus.Boolean(True)))


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A
journal = t.Journal()
records = []


def test_server_lab_is_up():
    global srv, text
    srv = lab.ServerLab('ovpn3-sessions-hostwide-', extra=PUSHED)
    t.cleanup(srv.close)
    text = lab.profile_text(srv.pki)
    t.polkit_deny_all()
    # the log service journals StatusChange from level 4 (VERB1) on
    t.set_property(bus, t.LOG_NAME, t.LOG_PATH, t.LOG_NAME, 'log_level', t.dbus.UInt32(4))


# 1. not authorised: pushed redirect-gateway and global DNS ignored, the rest works
def test_not_authorised_pushed_reroute_and_global_dns_ignored():
    global dev, info, path
    path, dev, message, info = connect(a, 'hw-denied', text)
    print('CONN_CONNECTED message:', message)
    assert 'redirect-gateway was ignored' in message, message
    assert 'DNS settings were ignored' in message, message
    r4, r6 = routes_on(dev, '-4'), routes_on(dev, '-6')
    print('routes on %s: %s %s' % (dev, sorted(r4), sorted(r6)))
    assert not (r4 & HALVES4) and 'default' not in r4, r4
    assert not (r6 & (HALVES6 | PIECES6)) and 'default' not in r6, r6
    assert lab.PUSHED_NET + '/16' in r4, r4
    assert any(x.startswith('fd00:213::') for x in r6), r6
    devpath = t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'device_path')
    for prop in ('reroute_ipv4', 'reroute_ipv6'):
        assert t.get_property(bus, t.NETCFG_NAME, devpath, t.NETCFG_NAME, prop) is False
    assert lab.read('/etc/resolv.conf') == srv.resolv_before, lab.read('/etc/resolv.conf')
    assert lab.ping(dev), 'no traffic through the tunnel'


# only the session manager sets host_wide: not the owner, not another service process
def test_only_the_session_manager_sets_host_wide():
    pid = info['backend_pid']
    for who in (a, t.service_user()):
        t.expect_error(lambda: set_host_wide_as(who, pid), s.ACCESS_DENIED)


def connected_records():
    records.extend(journal.entries())
    return [e for e in records if 'major=2 minor=7' in e.get('MESSAGE', '')]


# a reconnect gets the same PUSH_REPLY: not logged again
def test_reconnect_with_same_push_reply_not_logged_again():
    before = len(t.wait_until(connected_records, 10, 'CONN_CONNECTED in the journal'))
    s.session_call(a, path, 'Restart')
    t.wait_until(lambda: len(connected_records()) > before, 60,
                 'CONN_CONNECTED after the restart')
    assert s.session_get(a, path, 'status')[2] == '', s.session_get(a, path, 'status')
    # (the backend's Log and StatusChange reach the journal in the order it sent them:
    # anything logged for the new PUSH_REPLY is there before CONN_CONNECTED)
    for what in ("Ignoring the server's redirect-gateway (IPv4 and IPv6)",
                 "Ignoring the server's DNS settings"):
        found = backend_messages(records, what)
        assert len(found) == 1, (what, [e['MESSAGE'] for e in found])
        print('logged once:', found[0]['MESSAGE'])
    status = [e['MESSAGE'] for e in connected_records()
              if 'redirect-gateway was ignored' in e['MESSAGE']]
    assert status, 'no StatusChange with the notice in the journal'
    print('status record:', status[0])
    assert not (routes_on(dev, '-4') & HALVES4), routes_on(dev, '-4')
    assert lab.ping(dev), 'no traffic after the reconnect'
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    assert_clean(srv.resolv_before)


# 2. authorised: honoured
def test_authorised_pushed_reroute_and_dns_honoured():
    global dev, info, path
    t.polkit_allow(ACTION)
    path, dev, message, info = connect(a, 'hw-allowed', text)
    t.polkit_deny_all()
    assert message == '', message
    r4, r6 = routes_on(dev, '-4'), routes_on(dev, '-6')
    print('routes on %s: %s %s' % (dev, sorted(r4), sorted(r6)))
    assert HALVES4 <= r4 and HALVES6 <= r6, (r4, r6)
    assert '10.213.0.53' in lab.read('/etc/resolv.conf'), lab.read('/etc/resolv.conf')
    assert lab.ping(dev)
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    assert_clean(srv.resolv_before)


t.main()
