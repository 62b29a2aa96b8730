#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 15, item 5: DNS as an openvpn 2.6 server pushes it, with the real
backend client and a real openvpn 2.6 server (tests/lib/ovpn3server.py), and
systemd-resolved played by python-dbusmock (it records the calls netcfg makes).

The server pushes, beside the lab's own `dhcp-option DNS` and `DOMAIN`, the 2.6
form `dns server 1 address … resolve-domains … dnssec optional transport DoT`
and `dhcp-option DOMAIN-ROUTE`: the resolve-domains and DOMAIN-ROUTE names
become routing-only domains of the tunnel's link (split DNS: looked up through
the tunnel's servers, never searched), DNSSEC and DNS over TLS are set on the
link; what resolved cannot do (a second server's `transport DoH`) is refused
with a message in the session's log. (openvpn 2.6's exclude-domains, gone from
2.6.14's client, is refused too: tests/unit/test-net-policy.c.) Disconnect reverts the link and leaves
nothing."""

import os
import socket
import sys

import ovpn3test as t
import sesstest as s
from e2elab import assert_clean
import ovpn3server as lab

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'netcfg'))
import netcfgtest as n  # noqa: E402  (the resolved stand-in, shared with tests/netcfg)

PUSHED = ['--push', 'dns server 1 address 10.213.0.54',
          '--push', 'dns server 1 resolve-domains corp.test Lab.Test',
          '--push', 'dns server 1 dnssec optional',
          '--push', 'dns server 1 transport DoT',
          '--push', 'dns server 2 address 10.213.0.55',
          '--push', 'dns server 2 transport DoH',
          '--push', 'dhcp-option DOMAIN-ROUTE route.test']

t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A
journal = t.Journal()


def test_server_lab_and_resolved_are_up():
    global srv, text, resolved
    srv = lab.ServerLab('ovpn3-sessions-splitdns-', extra=PUSHED)
    t.cleanup(srv.close)
    resolved = n.Resolved(bus)
    t.cleanup(resolved.close)
    text = lab.profile_text(srv.pki)
    # the owner may set the host's DNS (global scope, netcfg's default)
    t.polkit_allow('net.openvpn.v3.session.start-host-wide')


def link_calls(ifindex, method):
    return [args[1] for m, args in resolved.calls() if m == method and args[0] == ifindex]


def test_pushed_split_dns_reaches_the_resolver():
    global path, ifindex
    path, _, _, info = t.run_as(a, s.cli_session_start, 'splitdns', text, lab.USERNAME,
                                lab.PASSWORD, timeout=120, fresh=True)
    dev = info['device_name']
    ifindex = socket.if_nametoindex(dev)
    domains = t.wait_until(lambda: link_calls(ifindex, 'SetLinkDomains'), 20,
                           'SetLinkDomains for the tunnel')[-1]
    print('SetLinkDomains:', domains)
    got = {str(d): bool(r) for d, r in domains}
    # the lab's DOMAIN is searched (global scope: the default), the rest routing-only
    assert got.get('example.test') is False, got
    for routing in ('corp.test', 'lab.test', 'route.test'):
        assert got.get(routing) is True, (routing, got)
    servers = link_calls(ifindex, 'SetLinkDNS')[-1]
    shown = sorted(socket.inet_ntop(int(f), bytes(b)) for f, b in servers)
    print('SetLinkDNS:', shown)
    # openvpn 2.6 drops the lab's dhcp-option DNS when --dns servers are pushed
    assert shown == ['10.213.0.54', '10.213.0.55'], shown
    assert link_calls(ifindex, 'SetLinkDNSSEC') == ['allow-downgrade'], resolved.calls()
    assert link_calls(ifindex, 'SetLinkDNSOverTLS') == ['yes'], resolved.calls()
    assert lab.read('/etc/resolv.conf') == srv.resolv_before
    assert lab.ping(dev), 'no traffic through the tunnel'


def test_what_resolved_cannot_do_is_said_in_the_log():
    want = 'Ignoring DNS transport DoH of DNS server 2: systemd-resolved has no DNS over HTTPS'
    found = t.wait_until(lambda: [e['MESSAGE'] for e in journal.entries()
                                  if want in e.get('MESSAGE', '')], 10,
                         'the DoH refusal in the journal')
    print('logged:', found[0])


def test_disconnect_reverts_the_link_and_leaves_nothing():
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    t.wait_until(lambda: ('RevertLink', [ifindex]) in resolved.calls(), 20, 'RevertLink')
    assert_clean(srv.resolv_before)


t.main()
