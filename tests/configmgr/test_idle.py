#!/usr/bin/python3
"""Idle exit (run with OVPN3_IDLE_EXIT=2): configmgr exits when idle and
only persistent profiles exist, and stays while a non-persistent one is
held; persistent profiles come back on the next call."""
import time

import ovpn3test as t
from cfgtest import BUS, import_profile, mgr_call, obj_call

t.require_devbus()
bus = t.system_bus()


def test_exits_when_idle_with_only_persistent_profiles():
    global persistent
    persistent = import_profile(bus, 'stays', persistent=True)
    t.wait_name_gone(bus, BUS, timeout=t.scaled(2))


def test_stays_while_non_persistent_held_and_restores_persistent():
    temp = import_profile(bus, 'held', persistent=False)
    time.sleep(5)
    assert t.name_has_owner(bus, BUS), 'exited while a non-persistent profile was held'
    obj_call(bus, temp, 'Remove')
    t.wait_name_gone(bus, BUS, timeout=t.scaled(2))
    assert mgr_call(bus, 'FetchAvailableConfigs') == [persistent]


t.main()
