# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg serves only backend clients of live sessions, as the session
manager says (LookupBackend; docs/architecture.md §6 and docs/security.md §5), and counts devices
per session
owner: at most 8 per owner (root exempt) and 64 in all, with LimitsExceeded
naming the limit. A stand-in session manager (netcfgtest.sessions()) says
who is whose backend."""

import pwd

import dbus

import ovpn3test as t
import netcfgtest as n

ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
LIMITS = 'org.freedesktop.DBus.Error.LimitsExceeded'
NOT_BACKEND = 'only the backend client of a live VPN session'
PER_USER, TOTAL = 8, 64

t.require_devbus()
bus = t.system_bus()
n.ensure_netcfg(bus)
sm = n.sessions()


def devices():
    return t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList')


# ---- a process of the service user with no session: nothing that changes the network
stranger = n.Backend(session=False)
e = n.expect_error(stranger.call, n.NETCFG_PATH, 'CreateVirtualInterface', 'ovpn3x', signature='s',
                   name=ACCESS_DENIED)
assert NOT_BACKEND in e.message, e.message
# …reading and undoing its own (nothing) stay possible
assert stranger.call(n.NETCFG_PATH, 'DcoAvailable') is False
stranger.call(n.NETCFG_PATH, 'Cleanup')
assert devices() == []
stranger.stop()

# ---- a backend: serves it while its session lives
be = n.Backend()
path = be.create('ovpn3b', layer=0)
be.call(path, 'AddIPAddress', '10.9.0.2', dbus.UInt32(24), '', False, signature='susb')
be.set(path, 'mtu', dbus.UInt16(1400))
# its session ends (SESS_DESTROYED): no more changes, no new device
be.end_session()
for method, args, sig in (('AddIPAddress', ('10.9.0.3', dbus.UInt32(24), '', False), 'susb'),
                          ('AddDNS', (dbus.Array(['10.9.0.1'], signature='s'),), 'as'),
                          ('Establish', (), '')):
    e = n.expect_error(be.call, path, method, *args, signature=sig, name=ACCESS_DENIED)
    assert NOT_BACKEND in e.message, (method, e.message)
n.expect_error(be.set, path, 'mtu', dbus.UInt16(1300), name=ACCESS_DENIED)
n.expect_error(be.call, n.NETCFG_PATH, 'CreateVirtualInterface', 'ovpn3b', signature='s',
               name=ACCESS_DENIED)
# …but it may still read its device and undo it
assert be.get(path, 'mtu') == 1400
be.call(path, 'Destroy')
assert devices() == []
be.stop()

# ---- per session owner: 8 devices, over several sessions of that owner
uid_a = pwd.getpwnam(t.USER_A).pw_uid
uid_b = pwd.getpwnam(t.USER_B).pw_uid
a1 = n.Backend(owner=uid_a)
a2 = n.Backend(owner=uid_a)
a_paths = [a1.create('ovpn3a', layer=0) for _ in range(PER_USER - 3)]
a_paths += [a2.create('ovpn3a', layer=0) for _ in range(3)]
for who in (a1, a2):
    e = n.expect_error(who.call, n.NETCFG_PATH, 'CreateVirtualInterface', 'ovpn3a',
                       signature='s', name=LIMITS)
    assert 'UID %d' % uid_a in e.message and 'per-user limit' in e.message, e.message
    assert str(PER_USER) in e.message, e.message
assert len(devices()) == PER_USER
# another owner is not affected
b = n.Backend(owner=uid_b)
b_path = b.create('ovpn3c', layer=0)
# a device destroyed is a device free again
a2.call(a_paths.pop(), 'Destroy')
a_paths.append(a1.create('ovpn3a', layer=0))

# ---- root's sessions: no per-user limit; the total applies to everyone
r = n.Backend(owner=0)
r_paths = [r.create('ovpn3r', layer=0) for _ in range(TOTAL - len(devices()))]
assert len(r_paths) > PER_USER and len(devices()) == TOTAL
for who, prefix in ((r, 'ovpn3r'), (b, 'ovpn3c')):
    e = n.expect_error(who.call, n.NETCFG_PATH, 'CreateVirtualInterface', prefix, signature='s',
                       name=LIMITS)
    assert 'all users together' in e.message and str(TOTAL) in e.message, e.message
# a backend that leaves the bus takes its devices along; the quota frees up
r.kill()
t.wait_until(lambda: len(devices()) == PER_USER + 1, what="root's devices to go")
b.create('ovpn3c', layer=0)
for who in (a1, a2, b):
    who.call(n.NETCFG_PATH, 'Cleanup')
    who.stop()
t.wait_until(lambda: devices() == [], what='every device gone')
sm.close()
print('ok')
