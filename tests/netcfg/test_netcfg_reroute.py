# SPDX-License-Identifier: GPL-2.0-or-later
"""redirect-gateway (reroute_ipv4 / reroute_ipv6): 0.0.0.0/1 + 128.0.0.0/1
and ::/1 + 8000::/1 through the tun, a host route to the VPN server through
the previous gateway; traffic beyond the uplink really enters the tun;
everything restored after Destroy."""

import ipaddress

import dbus

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
before = n.dump()
FAR4 = '203.0.113.99'
FAR6 = '2001:db8:203::99'


def test_redirect_gateway_installs_half_routes_in_both_families():
    global be, name, opener, path
    be = n.Backend()
    path = be.create('ovpn3r', layer=3)
    name = be.get(path, 'device_name')
    opener = n.TunOpener(name)
    assert opener.result == 'opened', opener.result

    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '10.8.0.1', False, signature='susb')
    be.call(path, 'AddIPAddress', 'fd00:8::2', dbus.UInt32(64), 'fd00:8::1', True, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V6, True, signature='sb')
    be.set(path, 'reroute_ipv4', True)
    be.set(path, 'reroute_ipv6', True)
    assert be.get(path, 'reroute_ipv4') is True
    be.call(path, 'Establish')

    assert n.routes_of(name, '-4') == [('0.0.0.0/1', None, 'static'), ('10.8.0.0/24', None, 'kernel'),
                                       ('128.0.0.0/1', None, 'static')], n.routes_of(name, '-4')
    static6 = sorted(r[0] for r in n.routes_of(name, '-6') if r[2] == 'static')
    assert static6 == ['8000::/1', '::/1'], n.routes_of(name, '-6')


# the server's host routes go through the old gateways
def test_server_host_routes_go_through_the_old_gateways():
    assert (n.SERVER_V4, n.UPLINK_GW4, 'static') in n.routes_of(n.UPLINK_DEV, '-4'), \
        n.routes_of(n.UPLINK_DEV, '-4')
    assert (n.SERVER_V6, n.UPLINK_GW6, 'static') in n.routes_of(n.UPLINK_DEV, '-6'), \
        n.routes_of(n.UPLINK_DEV, '-6')
    for server, gw in ((n.SERVER_V4, n.UPLINK_GW4), (n.SERVER_V6, n.UPLINK_GW6)):
        r = n.route_get(server)
        assert r['dev'] == n.UPLINK_DEV and r['gateway'] == gw, r
    for far in (FAR4, FAR6):
        assert n.route_get(far)['dev'] == name, n.route_get(far)


# and a packet beyond the uplink really goes into the tunnel
def test_packet_beyond_the_uplink_goes_into_the_tunnel():
    for far, version in ((FAR4, 4), (FAR6, 6)):
        n.send_udp(far)
        for _ in range(20):
            pkt = opener.read_packet(5)
            assert pkt is not None, 'no packet for %s in the tun' % far
            if pkt[0] >> 4 != version:
                continue            # e.g. an IPv6 router solicitation
            dst = ipaddress.ip_address(pkt[16:20] if version == 4 else pkt[24:40])
            if str(dst) == far:
                break
        else:
            raise AssertionError('the datagram to %s never reached the tun' % far)

    opener.stop()
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    assert n.route_get(FAR4)['dev'] == n.UPLINK_DEV
    after = n.dump()
    assert after == before, 'namespace differs after Destroy:\n%r\n%r' % (before, after)


# a host route to the server that exists already (another session, the
# admin) is used as it is and left in place afterwards
def test_existing_server_host_route_used_and_left_in_place():
    global before, name, path
    n.ip('route', 'add', n.SERVER_V4, 'via', n.UPLINK_GW4, 'dev', n.UPLINK_DEV)
    before = n.dump()
    path = be.create('ovpn3r', layer=3)
    name = be.get(path, 'device_name')
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(path, 'reroute_ipv4', True)
    be.call(path, 'Establish')
    assert n.route_get(n.SERVER_V4)['dev'] == n.UPLINK_DEV
    assert n.route_get(FAR4)['dev'] == name
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    assert n.dump() == before
    be.stop()
    uplink.close()


t.main()
