# SPDX-License-Identifier: GPL-2.0-or-later
"""Idle exit (run with OVPN3_IDLE_EXIT=2; the default is 300 s): netcfg
stays while a device exists, however quiet, and exits once none is left."""

import time

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()


def test_exits_when_idle():
    pid = n.ensure_netcfg(bus)
    t.wait_name_gone(bus, n.NETCFG, timeout=t.scaled(2))


def test_stays_while_holding_a_device_exits_after_destroy():
    be = n.Backend()
    path = be.create('ovpn3i', layer=3)
    time.sleep(5)
    assert t.name_has_owner(bus, n.NETCFG), 'netcfg exited while holding a device'
    name = be.get(path, 'device_name')
    assert n.link_exists(name)
    be.call(path, 'Destroy')
    start = time.monotonic()
    t.wait_name_gone(bus, n.NETCFG, timeout=t.scaled(2))
    print('idle exit %.1f s after the last device went' % (time.monotonic() - start))
    assert not n.link_exists(name)
    be.stop()


t.main()
