#!/usr/bin/python3
"""20 cold activations in a row, each with a method call as the very first
contact (objects are exported before the name is owned)."""
import signal

import ovpn3test as t
from cfgtest import BUS, IFACE, import_profile, mgr_call

t.require_devbus()
bus = t.system_bus()


def test_twenty_cold_activations_answer_the_first_call():
    persistent = import_profile(bus, 'cold', persistent=True)
    for i in range(20):
        t.kill_service(bus, BUS, signal.SIGTERM)
        assert not t.name_has_owner(bus, BUS)
        if i % 2 == 0:
            # first contact: a manager method
            assert persistent in mgr_call(bus, 'FetchAvailableConfigs'), i
        else:
            # first contact: a property read on a persistent profile object
            assert t.get_property(bus, BUS, persistent, IFACE, 'name') == 'cold', i


t.main()
