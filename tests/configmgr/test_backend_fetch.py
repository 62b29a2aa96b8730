#!/usr/bin/python3
"""A real backend (the service user owning net.openvpn.v3.backends.be<pid>)
fetching a profile counts as a use; a single-use profile goes away after it.
The service user without such a name, or anyone else, does not count."""
import os

import ovpn3test as t
from cfgtest import BUS, IFACE, get, import_profile, mgr_call, obj_call

t.require_devbus()
bus = t.system_bus()
svc = t.service_user()
events = t.Signals(bus, signal_name='ConfigurationManagerEvent', dbus_interface=IFACE)


def backend_fetch(b, path, own_name=True):
    if own_name:
        b.request_name('net.openvpn.v3.backends.be%d' % os.getpid())
    return t.call(b, BUS, path, IFACE, 'Fetch')


path = import_profile(bus, 'used', persistent=True)
assert get(bus, path, 'used_count') == 0 and get(bus, path, 'last_used_timestamp') == 0

# plain reads do not count
obj_call(bus, path, 'Fetch')
t.run_as(svc, backend_fetch, path, False)
assert get(bus, path, 'used_count') == 0

# a backend's Fetch does
assert 'remote' in t.run_as(svc, backend_fetch, path)
t.wait_until(lambda: get(bus, path, 'used_count') == 1, what='used_count 1')
assert get(bus, path, 'last_used_timestamp') >= get(bus, path, 'import_timestamp')
t.run_as(svc, backend_fetch, path)
t.wait_until(lambda: get(bus, path, 'used_count') == 2, what='used_count 2')

# single use: removed after the backend fetched it (CFG_DESTROYED)
su = import_profile(bus, 'once', single_use=True)
assert 'remote' in t.run_as(svc, backend_fetch, su)
t.wait_until(lambda: [su, 2, 0] in [e['args'] for e in events.received],
             what='CFG_DESTROYED of the single-use profile')
assert su not in mgr_call(bus, 'FetchAvailableConfigs')
print('ok')
