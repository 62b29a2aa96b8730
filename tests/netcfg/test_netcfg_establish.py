# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg vertical slice: CreateVirtualInterface -> layer (persistent tun
owned by the service user, opened by name without capabilities) ->
addresses, routes, an exclude route, DNS -> Establish: addresses and routes
read back exactly -> Destroy: the full dump equals the one from before."""

import dbus

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
with open('/etc/resolv.conf', 'rb') as f:
    resolv_before = f.read()
before = n.dump()


def test_create_gives_a_tun_of_the_requested_name():
    global be, name, path
    be = n.Backend()
    path = be.create('ovpn3t', layer=3)
    assert path.startswith(n.NETCFG_PATH + '/'), path
    name = be.get(path, 'device_name')
    assert path.endswith('_' + name), (path, name)
    assert name == 'ovpn3t0', name
    assert be.get(path, 'layer') == 3
    assert be.get(path, 'owner') == n.pwd.getpwnam(t.service_user()).pw_uid
    assert n.link_exists(name)
    assert n.ipj('-d', 'link', 'show', name)[0]['linkinfo']['info_kind'] == 'tun'


# openvpn's part: the service user, no capabilities, opens it by name
def test_openvpn_opens_it_by_name_without_capabilities():
    global opener
    opener = n.TunOpener(name)
    assert opener.result == 'opened', opener.result
    assert n.cap_eff(opener.pid) == 0, n.cap_eff(opener.pid)


# a second CreateVirtualInterface gets the next free index
def test_second_create_gets_the_next_index_settings_are_staged():
    path2 = be.create('ovpn3t', layer=0)
    assert be.get(path2, 'device_name') == 'ovpn3t1'
    assert not n.link_exists('ovpn3t1'), 'no kernel device before the layer is set'
    be.call(path2, 'Destroy')

    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '10.8.0.1', False,
            signature='susb')
    be.call(path, 'AddIPAddress', 'fd00:8::2', dbus.UInt32(64), '', True, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.call(path, 'AddNetworks', dbus.Array([
        ('10.20.0.0', dbus.UInt32(16), dbus.Int32(-1), False, False),
        ('10.30.1.0', dbus.UInt32(24), dbus.Int32(50), False, False),
        ('fd00:20::', dbus.UInt32(48), dbus.Int32(-1), True, False),
        ('192.0.2.0', dbus.UInt32(24), dbus.Int32(-1), False, True),     # exclude
        # covers the VPN server more specifically than the uplink: ignored
        ('203.0.113.0', dbus.UInt32(24), dbus.Int32(-1), False, False),
    ], signature='(suibb)'), signature='a(suibb)')
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.1', 'fd00:8::1'], signature='s'), signature='as')
    be.call(path, 'AddDNSSearch', dbus.Array(['corp.example.com'], signature='s'), signature='as')
    be.set(path, 'mtu', dbus.UInt16(1400))
    be.set(path, 'txqueuelen', dbus.UInt16(200))
    assert be.get(path, 'dns_name_servers') == ['10.8.0.1', 'fd00:8::1']
    assert be.get(path, 'dns_search_domains') == ['corp.example.com']
    props = be.getall(path)
    for key in ('device_name', 'mtu', 'layer', 'txqueuelen', 'reroute_ipv4', 'reroute_ipv6', 'owner',
                'acl', 'dns_scope', 'dns_name_servers', 'dns_search_domains', 'dnssec_mode'):
        assert key in props, key


# nothing is applied before Establish
def test_establish_applies_addresses_routes_and_mtu():
    assert n.addrs_of(name) == [], n.addrs_of(name)

    be.call(path, 'Establish')

    link = n.ipj('link', 'show', name)[0]
    assert link['mtu'] == 1400, link
    assert link['txqlen'] == 200, link
    assert 'UP' in link['flags'], link
    assert n.addrs_of(name) == [('inet', '10.8.0.2', 24), ('inet6', 'fd00:8::2', 64)], \
        n.addrs_of(name)
    assert n.routes_of(name, '-4') == [('10.20.0.0/16', None, 'static'),
                                       ('10.30.1.0/24', None, 'static'),
                                       ('10.8.0.0/24', None, 'kernel')], n.routes_of(name, '-4')
    r = [x for x in n.ipj('-4', 'route', 'show', 'table', 'main') if x['dst'] == '10.30.1.0/24'][0]
    assert r.get('metric') == 50, r
    r6 = [x[0] for x in n.routes_of(name, '-6') if x[2] == 'static']
    assert r6 == ['fd00:20::/48'], n.routes_of(name, '-6')


# the exclude route leaves through the uplink's gateway
def test_exclude_route_leaves_through_the_uplink():
    assert n.routes_of(n.UPLINK_DEV, '-4') == sorted([
        ('default', n.UPLINK_GW4, None), ('198.51.100.0/24', None, 'kernel'),
        ('192.0.2.0/24', n.UPLINK_GW4, 'static')]), n.routes_of(n.UPLINK_DEV, '-4')
    assert n.route_get('10.20.1.1')['dev'] == name
    assert n.route_get('192.0.2.7')['dev'] == n.UPLINK_DEV
    assert n.route_get(n.SERVER_V4)['dev'] == n.UPLINK_DEV


# no redirect-gateway here: the default route stays on the uplink
def test_default_route_stays_on_the_uplink():
    assert n.route_get('203.0.113.99')['dev'] == n.UPLINK_DEV


# resolv.conf fallback (no systemd-resolved on this bus)
def test_resolv_conf_fallback_without_resolved():
    with open('/etc/resolv.conf') as f:
        text = f.read()
    assert 'nameserver 10.8.0.1\nnameserver fd00:8::1\n' in text, text
    assert 'search corp.example.com' in text, text


# Establish again (e.g. after a reconnect) gives the same result
def test_establish_again_gives_the_same_result():
    be.call(path, 'Establish')
    assert n.addrs_of(name) == [('inet', '10.8.0.2', 24), ('inet6', 'fd00:8::2', 64)]
    assert len(n.routes_of(name, '-4')) == 3


# a new set after Establish replaces the old one
def test_new_set_replaces_the_old_destroy_restores_everything():
    be.call(path, 'AddIPAddress', '10.8.1.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'AddDNS', dbus.Array(['10.8.1.1'], signature='s'), signature='as')
    assert be.get(path, 'dns_name_servers') == ['10.8.1.1']
    be.call(path, 'Establish')
    assert n.addrs_of(name) == [('inet', '10.8.1.2', 24)], n.addrs_of(name)
    assert n.routes_of(name, '-4') == [('10.8.1.0/24', None, 'kernel')], n.routes_of(name, '-4')
    assert n.routes_of(n.UPLINK_DEV, '-4') == sorted([
        ('default', n.UPLINK_GW4, None), ('198.51.100.0/24', None, 'kernel')])
    with open('/etc/resolv.conf') as f:
        text = f.read()
    assert 'nameserver 10.8.1.1\n' in text and '10.8.0.1' not in text, text

    opener.stop()
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    after = n.dump()
    assert after == before, 'namespace differs after Destroy:\n%r\n%r' % (before, after)
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before
    t.wait_until(lambda: t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList') == [],
                 what='empty device list')
    be.stop()
    uplink.close()


t.main()
