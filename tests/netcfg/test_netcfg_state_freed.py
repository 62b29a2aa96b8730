# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing per session stays in netcfg once its device is gone (issue 14 item 6,
bench/soak): after the last device went, netcfg writes a debug line with what it still
holds (G_MESSAGES_DEBUG, set by tests/netcfg/meson.build): creators it watches, shared
routes outside the tunnel, cached callers' credentials and cached LookupBackend answers.
Two sessions in a row, each a device with an address, a host route to the server
through the uplink and a default route through the tunnel, whose creator is then
killed: no creator or route is left, and the second leaves exactly what the first
left."""

import re

import dbus

import ovpn3test as t
import netcfgtest as n

LINE = re.compile(r'No device left: (\d+) creators, (\d+) uplink routes, (\d+) callers known, '
                  r'(\d+) backends known')

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
t.cleanup(uplink.close)


def lines():
    return [tuple(int(x) for x in m) for m in LINE.findall(t.service_log())]


def devices():
    return t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList')


def one_session():
    assert devices() == []   # (this test's connection is one known caller throughout)
    before = len(lines())
    be = n.Backend()
    p = be.create('ovpn3q', layer=3)
    be.call(p, 'AddIPAddress', '10.9.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(p, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(p, 'reroute_ipv4', True)
    be.call(p, 'Establish')
    assert n.route_get(n.SERVER_V4)['dev'] == n.UPLINK_DEV
    assert not lines()[before:], 'reported while a device was left'
    be.kill()
    t.wait_until(lambda: len(lines()) > before, what='the no-device-left line')
    assert devices() == []
    return lines()[-1]


def test_first_session_leaves_no_creator_and_no_route():
    global first
    first = one_session()
    print('first session over: %d creators, %d uplink routes, %d callers known, '
          '%d backends known' % first)
    assert first[0] == 0 and first[1] == 0 and first[2] == 1 and first[3] == 0, first


def test_second_session_leaves_the_same():
    second = one_session()
    assert second == first, (second, first)


t.main()
