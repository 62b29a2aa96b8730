#!/usr/bin/python3
"""SIGKILL of configmgr during a burst of persistent imports loses no profile
whose Import returned."""
import os
import signal

import dbus

import ovpn3test as t
from cfgtest import BUS, IFACE, MGR, PROFILE, mgr_call

t.require_devbus()
bus = t.system_bus()


def ok(path):
    returned.append(str(path))


def err(e):
    failed.append(e)


def test_kill_during_import_burst_answers_every_call():
    global failed, returned
    mgr_call(bus, 'FetchAvailableConfigs')   # activate
    # the bus allows 128 pending replies per connection: several connections, so
    # that the burst outlasts the 20 replies the kill waits for even when the
    # service is fast (a warm, idle machine answered 100 before the kill came)
    CONNECTIONS, PER_CONNECTION = 4, 100
    N = CONNECTIONS * PER_CONNECTION
    returned, failed = [], []
    pid = t.name_pid(bus, BUS)






    proxies = [dbus.bus.BusConnection(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])
               .get_object(BUS, MGR, introspect=False) for _ in range(CONNECTIONS)]
    for i in range(PER_CONNECTION):
        for c, proxy in enumerate(proxies):
            proxy.Import('burst-%d-%d' % (c, i), PROFILE, False, True, dbus_interface=IFACE,
                         signature='ssbb', reply_handler=ok, error_handler=err, timeout=t.CEILING)

    t.wait_until(lambda: len(returned) >= 20, what='20 imports to return')
    os.kill(pid, signal.SIGKILL)
    t.wait_until(lambda: len(returned) + len(failed) == N, what='every Import to be answered')
    assert failed, 'the kill came too late to test anything'
    print('%d imports returned before SIGKILL, %d failed' % (len(returned), len(failed)))


# the restarted service has every profile whose Import returned
def test_restarted_service_has_every_returned_profile():
    t.wait_name_gone(bus, BUS)
    paths = set(mgr_call(bus, 'FetchAvailableConfigs'))
    missing = [p for p in returned if p not in paths]
    assert not missing, 'lost %d profiles: %s' % (len(missing), missing[:3])
    for p in returned[:5] + returned[-5:]:
        assert t.get_property(bus, BUS, p, IFACE, 'name').startswith('burst-')


# no temp files of interrupted writes are left
def test_no_temp_files_of_interrupted_writes_left():
    for name in os.listdir('/var/lib/ovpn3/configs'):
        assert name.endswith('.json') or name.startswith('.'), name


t.main()
