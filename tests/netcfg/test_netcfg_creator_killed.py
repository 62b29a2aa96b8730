# SPDX-License-Identifier: GPL-2.0-or-later
"""SIGKILL of the process that created a device: netcfg removes its
devices, their routes (also those through the uplink) and DNS within 1 s
(tested with the 10x ceiling; the measured time is printed)."""

import time

import dbus

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
with open('/etc/resolv.conf', 'rb') as f:
    resolv_before = f.read()
before = n.dump()


def test_creates_tun_and_tap_and_establishes_routes_and_dns():
    global be, names, tap
    be = n.Backend()
    paths = [be.create('ovpn3k', layer=3), be.create('ovpn3k', layer=2)]
    names = [be.get(p, 'device_name') for p in paths]
    assert names == ['ovpn3k0', 'ovpn3k1'], names
    # layer 2 made a tap: opening it as a tun fails, as a tap works
    wrong = n.TunOpener(names[1])
    assert wrong.result.startswith('error'), wrong.result
    wrong.stop()
    tap = n.TunOpener(names[1], tap=True)
    assert tap.result == 'opened', tap.result
    p = paths[0]
    be.call(p, 'AddIPAddress', '10.9.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(p, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(p, 'reroute_ipv4', True)
    be.call(p, 'AddNetworks', dbus.Array([('192.0.2.0', dbus.UInt32(24), dbus.Int32(-1), False, True)],
                                         signature='(suibb)'), signature='a(suibb)')
    be.call(p, 'AddDNS', dbus.Array(['10.9.0.1'], signature='s'), signature='as')
    be.call(p, 'Establish')
    assert n.route_get(n.SERVER_V4)['dev'] == n.UPLINK_DEV
    assert n.route_get('203.0.113.99')['dev'] == 'ovpn3k0'
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() != resolv_before


def all_gone():
    return (not any(n.link_exists(x) for x in names)
            and n.routes_of(n.UPLINK_DEV, '-4') == sorted([
                ('default', n.UPLINK_GW4, None), ('198.51.100.0/24', None, 'kernel')]))


def test_creator_sigkill_removes_devices_routes_and_dns_within_1s():
    start = time.monotonic()
    be.kill()




    t.wait_until(all_gone, timeout=t.scaled(1), what='devices and routes removed')
    elapsed = time.monotonic() - start
    t.wait_until(lambda: open('/etc/resolv.conf', 'rb').read() == resolv_before,
                 timeout=t.scaled(1) - elapsed, what='resolv.conf restored')
    elapsed_all = time.monotonic() - start
    print('cleanup after SIGKILL of the creator: devices+routes %.3f s, everything %.3f s'
          % (elapsed, elapsed_all))
    assert n.dump() == before
    assert t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList') == []
    tap.stop()
    uplink.close()


t.main()
