# SPDX-License-Identifier: GPL-2.0-or-later
"""Refusals, each with a clear error and the namespace unchanged: another
user; a process that is not the creator; bad IPs; prefix 33 / 129; 10 000
routes; a 300-character domain; embedded NUL or newline; default-route
and forbidden routes; bad layer / MTU / scope / DNSSEC values."""

import dbus

import ovpn3test as t
import netcfgtest as n

ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
be = n.Backend()
path = be.create('ovpn3x', layer=3)
name = be.get(path, 'device_name')
before = n.dump()
with open('/etc/resolv.conf', 'rb') as f:
    resolv_before = f.read()


# ---- another user: the bus policy refuses, and so would the code
def test_other_user_refused_by_policy_and_code():
    for user in (t.USER_A, t.USER_B):
        t.expect_error(lambda: t.call_as(user, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'CreateVirtualInterface', 'evil', signature='s'),
                       ACCESS_DENIED)
        t.expect_error(lambda: t.call_as(user, n.NETCFG, path, n.NETCFG, 'Destroy'), ACCESS_DENIED)
        t.expect_error(lambda: t.call_as(user, n.NETCFG, path, n.NETCFG, 'Establish'), ACCESS_DENIED)
    other_user = n.Backend(t.USER_A)
    t.expect_error(lambda: other_user.call(path, 'AddDNS', dbus.Array(['10.0.0.1'], signature='s'), 'as'),
                   ACCESS_DENIED)
    t.expect_error(lambda: other_user.set(path, 'mtu', dbus.UInt16(1280)), ACCESS_DENIED)
    other_user.stop()


# ---- the service user, but not the process that created the device
def test_service_user_not_the_creator_refused():
    global other
    other = n.Backend()
    for method, args, sig in (('Establish', (), ''), ('Destroy', (), ''),
                              ('AddIPAddress', ('10.1.0.2', dbus.UInt32(24), '', False), 'susb'),
                              ('AddDNSSearch', (dbus.Array(['x.example'], signature='s'),), 'as')):
        e = t.expect_error(lambda: other.call(path, method, *args, signature=sig), ACCESS_DENIED)
        assert 'only the process that created this device' in e.message, e
    t.expect_error(lambda: other.set(path, 'reroute_ipv4', True), ACCESS_DENIED)


def refused(method, *args, signature='', contains=None, name=INVALID_ARGS):
    return t.expect_error(lambda: be.call(path, method, *args, signature=signature), name, contains)


# Cleanup from another process removes only its own devices (none)
def test_cleanup_from_another_process_removes_only_its_own():
    other.call(n.NETCFG_PATH, 'Cleanup')
    assert n.link_exists(name)
    other.stop()


def nets(*items):
    return dbus.Array([(a, dbus.UInt32(p), dbus.Int32(-1), ':' in a, ex) for a, p, ex in items],
                      signature='(suibb)')


# ---- bad IPs and prefixes
def test_bad_ips_and_prefixes_refused():
    refused('AddIPAddress', '10.8.0.256', dbus.UInt32(24), '', False, signature='susb',
            contains="Invalid IPv4 address '10.8.0.256'")
    refused('AddIPAddress', '10.8.0.2 ', dbus.UInt32(24), '', False, signature='susb',
            contains='Invalid IPv4 address')
    refused('AddIPAddress', 'fd00::2', dbus.UInt32(64), '', False, signature='susb',
            contains='Invalid IPv4 address')
    refused('AddIPAddress', 'fd00::zz', dbus.UInt32(64), '', True, signature='susb',
            contains='Invalid IPv6 address')
    refused('AddIPAddress', '10.8.0.2', dbus.UInt32(33), '', False, signature='susb',
            contains='prefix size 33')
    refused('AddIPAddress', 'fd00::2', dbus.UInt32(129), '', True, signature='susb',
            contains='prefix size 129')
    refused('AddIPAddress', '127.0.0.2', dbus.UInt32(8), '', False, signature='susb',
            contains='Refusing IPv4 tunnel address')
    refused('AddIPAddress', '10.8.0.2', dbus.UInt32(24), 'gw', False, signature='susb',
            contains="Invalid IPv4 address 'gw'")
    refused('SetRemoteAddress', '0.0.0.0', False, signature='sb', contains='Refusing VPN server')
    refused('AddDNS', dbus.Array(['10.8.0.1', '10.8.0.1; rm -rf /'], signature='s'), signature='as',
            contains='Invalid IPv4 address')
    refused('AddDNS', dbus.Array(['ns.example.com'], signature='s'), signature='as',
            contains='Invalid IPv4 address')
    refused('AddDNS', dbus.Array(['0.0.0.0'], signature='s'), signature='as',
            contains='Refusing DNS server')
    refused('AddDNS', dbus.Array(['ff02::1'], signature='s'), signature='as',
            contains='Refusing DNS server')




    refused('AddNetworks', nets(('10.20.0.0', 16, False), ('10.21.0.0', 33, False)),
            signature='a(suibb)', contains='prefix size 33')
    refused('AddNetworks', nets(('fd00:20::', 129, False)), signature='a(suibb)',
            contains='prefix size 129')
    refused('AddNetworks', nets(('0.0.0.0', 0, False)), signature='a(suibb)',
            contains='default route')
    refused('AddNetworks', nets(('128.0.0.0', 1, False)), signature='a(suibb)',
            contains='default route')
    refused('AddNetworks', nets(('10.20.0.1', 16, False)), signature='a(suibb)',
            contains='host bits')
    refused('AddNetworks', nets(('224.0.0.0', 4, False)), signature='a(suibb)', contains='multicast')
    refused('AddNetworks', nets(('127.0.0.0', 8, False)), signature='a(suibb)', contains='loopback')
    # one policy with the backend client (docs/architecture.md §6): a route that merely
    # overlaps loopback is refused like one inside it
    refused('AddNetworks', nets(('126.0.0.0', 7, False)), signature='a(suibb)', contains='loopback')
    refused('AddNetworks', nets(('64.0.0.0', 2, False)), signature='a(suibb)', contains='loopback')
    many = dbus.Array([('10.%d.%d.0' % (i // 256, i % 256), dbus.UInt32(24), dbus.Int32(-1), False,
                        False) for i in range(10000)], signature='(suibb)')
    refused('AddNetworks', many, signature='a(suibb)', contains='Too many routes')


# ---- domains
def test_bad_domains_refused():
    refused('AddDNSSearch', dbus.Array(['a' * 300], signature='s'), signature='as',
            contains='Invalid DNS search domain')
    refused('AddDNSSearch', dbus.Array(['corp.example.com\nnameserver 6.6.6.6'], signature='s'),
            signature='as', contains='Invalid DNS search domain')
    e = refused('AddDNSSearch', dbus.Array(['ok.example', 'bad domain'], signature='s'),
                signature='as', contains='Invalid DNS search domain')
    refused('AddDNSSearch', dbus.Array(['x\x01y.example'], signature='s'), signature='as',
            contains='Invalid DNS search domain')
    # a trailing dot is refused, as by the backend client (docs/architecture.md §6)
    refused('AddDNSSearch', dbus.Array(['example.com.'], signature='s'), signature='as',
            contains='Invalid DNS search domain')
    # the routing-only prefix "~" takes a valid domain after it, once
    for bad in ('~', '~~x.example', '~.', '~bad domain'):
        refused('AddDNSSearch', dbus.Array([bad], signature='s'), signature='as',
                contains='Invalid DNS search domain')
    refused('AddDNSSearch', dbus.Array(['d%d.example' % i for i in range(65)], signature='s'),
            signature='as', contains='Too many DNS search domains')
    refused('AddDNS', dbus.Array(['10.0.%d.%d' % (i // 256, i % 256) for i in range(100000)],
                                 signature='s'), signature='as', contains='Too many DNS servers')


# an embedded NUL cannot even be sent: D-Bus strings have none
def test_embedded_nul_cannot_be_sent():
    try:
        be.call(path, 'AddDNSSearch', dbus.Array(['corp\x00.example'], signature='s'),
                signature='as')
        raise AssertionError('a string with an embedded NUL was sent')
    except AssertionError as err:
        assert 'helper failed' in str(err) or 'NUL' in str(err), err


# ---- properties and modes
def test_bad_properties_and_modes_refused():
    t.expect_error(lambda: be.set(path, 'layer', dbus.UInt32(2)), message='already set')
    t.expect_error(lambda: be.set(path, 'mtu', dbus.UInt16(500)), message='Invalid MTU 500')
    t.expect_error(lambda: be.set(path, 'dns_scope', 'everywhere'), message="Invalid DNS scope")
    refused('SetDNSSEC', 'maybe', signature='s', contains="Invalid DNSSEC mode 'maybe'")
    refused('SetDNSTransport', 'doh', signature='s', contains='Invalid DNS transport')
    t.expect_error(lambda: be.call(n.NETCFG_PATH, 'CreateVirtualInterface', 'bad-name', signature='s'),
                   INVALID_ARGS, 'Invalid device name')
    t.expect_error(lambda: be.call(n.NETCFG_PATH, 'CreateVirtualInterface', 'x' * 13, signature='s'),
                   INVALID_ARGS, 'Invalid device name')
    t.expect_error(lambda: be.call(n.NETCFG_PATH, 'NotificationSubscribe', dbus.UInt32(4096), signature='u'),
                   INVALID_ARGS)


# ---- the tunnel address must not be the VPN server's (caught at Establish
# when SetRemoteAddress comes last)
def test_tunnel_address_equal_to_the_server_refused_at_establish():
    path_b = be.create('ovpn3y', layer=3)
    be.call(path_b, 'AddIPAddress', '10.66.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path_b, 'SetRemoteAddress', '10.66.0.2', False, signature='sb')
    t.expect_error(lambda: be.call(path_b, 'Establish'),
                   'net.openvpn.v3.netcfg.device.error', "is the VPN server's address")
    assert n.addrs_of(be.get(path_b, 'device_name')) == []
    be.call(path_b, 'Destroy')


# ---- nothing was staged or applied by any of it
def test_nothing_was_staged_or_applied():
    assert be.get(path, 'dns_search_domains') == []
    assert be.get(path, 'dns_name_servers') == []
    assert be.get(path, 'mtu') == 1500
    assert be.get(path, 'dns_scope') == 'global'
    assert n.dump() == before, 'the namespace changed'
    be.call(path, 'Establish')
    assert n.addrs_of(name) == [], n.addrs_of(name)
    assert n.routes_of(name, '-4') == [], n.routes_of(name, '-4')
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before

    be.call(n.NETCFG_PATH, 'Cleanup')
    t.wait_until(lambda: not n.link_exists(name), what='Cleanup removed the device')
    be.stop()
    uplink.close()


t.main()
