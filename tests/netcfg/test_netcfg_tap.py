# SPDX-License-Identifier: GPL-2.0-or-later
"""layer 2 (tap): the device is a tap owned by the service user, openvpn
opens it by name as a tap; routes go through the pushed gateway when it
lies inside the tunnel's subnet, and without one otherwise."""

import dbus

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
before = n.dump()


def test_layer_2_gives_a_tap_with_gateway_routes():
    be = n.Backend()
    path = be.create('ovpn3tap', layer=2)
    name = be.get(path, 'device_name')
    info = n.ipj('-d', 'link', 'show', name)[0]
    assert info['linkinfo']['info_kind'] == 'tun' and info['link_type'] == 'ether', info
    opener = n.TunOpener(name, tap=True)
    assert opener.result == 'opened', opener.result

    be.call(path, 'AddIPAddress', '10.9.0.2', dbus.UInt32(24), '10.9.0.1', False, signature='susb')
    be.call(path, 'AddIPAddress', 'fd00:9::2', dbus.UInt32(64), 'fd00:99::1', True,
            signature='susb')   # gateway outside the subnet: ignored
    be.call(path, 'AddNetworks', dbus.Array([
        ('10.40.0.0', dbus.UInt32(16), dbus.Int32(-1), False, False),
        ('fd00:40::', dbus.UInt32(48), dbus.Int32(-1), True, False)], signature='(suibb)'),
        signature='a(suibb)')
    be.call(path, 'Establish')
    assert ('10.40.0.0/16', '10.9.0.1', 'static') in n.routes_of(name, '-4'), n.routes_of(name, '-4')
    assert ('fd00:40::/48', None, 'static') in n.routes_of(name, '-6'), n.routes_of(name, '-6')
    assert n.route_get('10.40.1.1')['dev'] == name

    opener.stop()
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    assert n.dump() == before
    be.stop()
    uplink.close()


t.main()
