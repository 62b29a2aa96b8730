# SPDX-License-Identifier: GPL-2.0-or-later
"""DNS through systemd-resolved (a python-dbusmock stand-in that records
calls): full-tunnel DNS (dns_scope global: search domains + "~.", default
route) and split DNS (dns_scope tunnel: routing-only domains, no default
route), routing-only "~" domains in both, DNSSEC / DNS-over-TLS, RevertLink on Destroy; resolv.conf is not
touched while resolved is on the bus; a slow resolved does not block
netcfg."""

import socket
import time

import dbus

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
with open('/etc/resolv.conf', 'rb') as f:
    resolv_before = f.read()
resolved = n.Resolved(bus)


def dns_tuple(addr):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    return (fam, list(socket.inet_pton(fam, addr)))


def setup(be, scope):
    path = be.create('ovpn3d', layer=3)
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.53', 'fd00:8::53'], signature='s'),
            signature='as')
    # "~name": routing-only (a 2.6 server's `dns server N resolve-domains` or
    # `dhcp-option DOMAIN-ROUTE`): routed to the tunnel in both scopes, never searched
    be.call(path, 'AddDNSSearch', dbus.Array(['corp.example.com', 'Lab.Example.org',
                                              '~Split.Example.net'],
                                             signature='s'), signature='as')
    be.set(path, 'dns_scope', scope)
    return path


be = n.Backend()


# ---- full tunnel
def test_full_tunnel_dns_through_resolved():
    global ifindex, name
    resolved.clear()
    path = setup(be, 'global')
    be.call(path, 'SetDNSSEC', 'optional', signature='s')
    be.call(path, 'SetDNSTransport', 'dot', signature='s')
    assert be.get(path, 'dnssec_mode') == 'optional'
    be.call(path, 'Establish')
    name = be.get(path, 'device_name')
    ifindex = n.ipj('link', 'show', name)[0]['ifindex']
    calls = resolved.calls()
    assert calls == [
        ('SetLinkDNS', [ifindex, [dns_tuple('10.8.0.53'), dns_tuple('fd00:8::53')]]),
        ('SetLinkDomains', [ifindex, [('corp.example.com', False), ('lab.example.org', False),
                                      ('split.example.net', True), ('.', True)]]),
        ('SetLinkDefaultRoute', [ifindex, True]),
        ('SetLinkDNSSEC', [ifindex, 'allow-downgrade']),
        ('SetLinkDNSOverTLS', [ifindex, 'yes']),
    ], calls
    assert t.get_property(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'global_dns_servers') == \
        ['10.8.0.53', 'fd00:8::53']
    assert t.get_property(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'global_dns_search') == \
        ['corp.example.com', 'lab.example.org']
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before
    resolved.clear()
    be.call(path, 'Destroy')
    t.wait_until(lambda: resolved.calls() == [('RevertLink', [ifindex])], what='RevertLink')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')


# ---- split DNS
def test_split_dns_through_resolved():
    global ifindex, name
    resolved.clear()
    path = setup(be, 'tunnel')
    be.call(path, 'Establish')
    name = be.get(path, 'device_name')
    ifindex = n.ipj('link', 'show', name)[0]['ifindex']
    calls = resolved.calls()
    assert calls == [
        ('SetLinkDNS', [ifindex, [dns_tuple('10.8.0.53'), dns_tuple('fd00:8::53')]]),
        ('SetLinkDomains', [ifindex, [('corp.example.com', True), ('lab.example.org', True),
                                      ('split.example.net', True)]]),
        ('SetLinkDefaultRoute', [ifindex, False]),
    ], calls
    assert t.get_property(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'global_dns_servers') == []


# ---- the creator goes away: RevertLink too
def test_creator_gone_reverts_the_link():
    resolved.clear()
    be.kill()
    t.wait_until(lambda: resolved.calls() == [('RevertLink', [ifindex])], timeout=t.scaled(1),
                 what='RevertLink after the creator vanished')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before
    resolved.close()


# ---- a slow resolved never blocks netcfg: others are served meanwhile
def test_slow_resolved_never_blocks_netcfg():
    global be, resolved
    resolved = n.Resolved(bus, delay=3)
    be = n.Backend()
    path = setup(be, 'global')
    be.call_start(path, 'Establish')
    time.sleep(0.3)
    start = time.monotonic()
    assert t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList') == [path]
    assert time.monotonic() - start < 1, 'netcfg blocked while waiting for resolved'
    be.call_finish(timeout=t.CEILING)
    assert [c[0] for c in resolved.calls()][:3] == ['SetLinkDNS', 'SetLinkDomains',
                                                     'SetLinkDefaultRoute']
    be.call(path, 'Destroy')
    be.stop()
    resolved.close()
    uplink.close()


t.main()
