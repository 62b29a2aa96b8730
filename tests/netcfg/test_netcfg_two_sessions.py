# SPDX-License-Identifier: GPL-2.0-or-later
"""Two sessions at once, to the same server, with the same pushed routes,
the same tunnel address and redirect-gateway: both Establish; routes
through each device coexist (the newest is used); the routes outside the
tunnel (server host route, exclude route) are shared and stay until the
last session using them goes; afterwards everything is as before."""

import dbus

import ovpn3test as t
import netcfgtest as n

FAR4 = '203.0.113.99'

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
with open('/etc/resolv.conf', 'rb') as f:
    resolv_before = f.read()
before = n.dump()


def session(dns):
    be = n.Backend()
    path = be.create('ovpn3t', layer=3)
    name = be.get(path, 'device_name')
    opener = n.TunOpener(name)
    assert opener.result == 'opened'
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.call(path, 'AddNetworks', dbus.Array([
        ('10.20.0.0', dbus.UInt32(16), dbus.Int32(-1), False, False),
        ('192.0.2.0', dbus.UInt32(24), dbus.Int32(-1), False, True)], signature='(suibb)'),
        signature='a(suibb)')
    be.call(path, 'AddDNS', dbus.Array([dns], signature='s'), signature='as')
    be.set(path, 'reroute_ipv4', True)
    be.call(path, 'Establish')
    return be, path, name, opener


def test_two_identical_sessions_establish_and_share_outside_routes():
    global a, b, na, nb, oa, ob, pb
    a, pa, na, oa = session('10.8.0.53')
    b, pb, nb, ob = session('10.8.0.54')
    assert (na, nb) == ('ovpn3t0', 'ovpn3t1'), (na, nb)
    assert n.route_get('10.20.1.1')['dev'] == nb
    assert n.route_get(FAR4)['dev'] == nb
    assert n.route_get(n.SERVER_V4)['dev'] == n.UPLINK_DEV
    assert n.route_get('192.0.2.7')['dev'] == n.UPLINK_DEV
    with open('/etc/resolv.conf') as f:
        text = f.read()
    assert '10.8.0.53' in text and '10.8.0.54' in text, text


# the session that added the shared routes goes first
def test_shared_routes_stay_until_the_last_session_goes():
    a.kill()
    oa.stop()
    t.wait_until(lambda: not n.link_exists(na), timeout=t.scaled(1), what='first device removed')
    assert n.route_get('10.20.1.1')['dev'] == nb
    assert n.route_get(FAR4)['dev'] == nb
    assert n.route_get(n.SERVER_V4)['dev'] == n.UPLINK_DEV, 'the shared server route went too early'
    assert n.route_get('192.0.2.7')['dev'] == n.UPLINK_DEV
    with open('/etc/resolv.conf') as f:
        text = f.read()
    assert '10.8.0.53' not in text and '10.8.0.54' in text, text

    b.call(pb, 'Destroy')
    ob.stop()
    t.wait_until(lambda: not n.link_exists(nb), what='second device removed')
    assert n.dump() == before, 'namespace differs after both sessions'
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before
    b.stop()
    uplink.close()


t.main()
