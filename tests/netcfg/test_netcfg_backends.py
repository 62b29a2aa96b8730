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
def test_service_user_without_session_cannot_change_the_network():
    global stranger
    stranger = n.Backend(session=False)
    e = t.expect_error(lambda: stranger.call(n.NETCFG_PATH, 'CreateVirtualInterface', 'ovpn3x', signature='s'),
                       ACCESS_DENIED)
    assert NOT_BACKEND in e.message, e.message


# …reading and undoing its own (nothing) stay possible
def test_it_may_still_read_and_clean_up_its_own():
    assert stranger.call(n.NETCFG_PATH, 'DcoAvailable') is False
    stranger.call(n.NETCFG_PATH, 'Cleanup')
    assert devices() == []
    stranger.stop()


# ---- a backend: serves it while its session lives
def test_backend_is_served_while_its_session_lives():
    global be, path
    be = n.Backend()
    path = be.create('ovpn3b', layer=0)
    be.call(path, 'AddIPAddress', '10.9.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.set(path, 'mtu', dbus.UInt16(1400))


# its session ends (SESS_DESTROYED): no more changes, no new device
def test_ended_session_allows_no_more_changes():
    be.end_session()
    for method, args, sig in (('AddIPAddress', ('10.9.0.3', dbus.UInt32(24), '', False), 'susb'),
                              ('AddDNS', (dbus.Array(['10.9.0.1'], signature='s'),), 'as'),
                              ('Establish', (), '')):
        e = t.expect_error(lambda: be.call(path, method, *args, signature=sig), ACCESS_DENIED)
        assert NOT_BACKEND in e.message, (method, e.message)
    t.expect_error(lambda: be.set(path, 'mtu', dbus.UInt16(1300)), ACCESS_DENIED)
    t.expect_error(lambda: be.call(n.NETCFG_PATH, 'CreateVirtualInterface', 'ovpn3b', signature='s'),
                   ACCESS_DENIED)


# …but it may still read its device and undo it
def test_ended_session_may_still_read_and_destroy_its_device():
    assert be.get(path, 'mtu') == 1400
    be.call(path, 'Destroy')
    assert devices() == []
    be.stop()


# ---- per session owner: 8 devices, over several sessions of that owner
def test_eight_devices_per_session_owner_over_several_sessions():
    global a1, a2, a_paths, uid_b
    uid_a = pwd.getpwnam(t.USER_A).pw_uid
    uid_b = pwd.getpwnam(t.USER_B).pw_uid
    a1 = n.Backend(owner=uid_a)
    a2 = n.Backend(owner=uid_a)
    a_paths = [a1.create('ovpn3a', layer=0) for _ in range(PER_USER - 3)]
    a_paths += [a2.create('ovpn3a', layer=0) for _ in range(3)]
    for who in (a1, a2):
        e = t.expect_error(lambda: who.call(n.NETCFG_PATH, 'CreateVirtualInterface', 'ovpn3a', signature='s'),
                           LIMITS)
        assert 'UID %d' % uid_a in e.message and 'per-user limit' in e.message, e.message
        assert str(PER_USER) in e.message, e.message
    assert len(devices()) == PER_USER


# another owner is not affected
def test_another_owner_is_not_affected_destroyed_device_frees_quota():
    global b
    b = n.Backend(owner=uid_b)
    b_path = b.create('ovpn3c', layer=0)
    # a device destroyed is a device free again
    a2.call(a_paths.pop(), 'Destroy')
    a_paths.append(a1.create('ovpn3a', layer=0))


# ---- root's sessions: no per-user limit; the total applies to everyone
def test_root_has_no_per_user_limit_total_applies():
    global r
    r = n.Backend(owner=0)
    r_paths = [r.create('ovpn3r', layer=0) for _ in range(TOTAL - len(devices()))]
    assert len(r_paths) > PER_USER and len(devices()) == TOTAL
    for who, prefix in ((r, 'ovpn3r'), (b, 'ovpn3c')):
        e = t.expect_error(lambda: who.call(n.NETCFG_PATH, 'CreateVirtualInterface', prefix, signature='s'),
                           LIMITS)
        assert 'all users together' in e.message and str(TOTAL) in e.message, e.message


# a backend that leaves the bus takes its devices along; the quota frees up
def test_backend_leaving_the_bus_takes_its_devices_along():
    r.kill()
    t.wait_until(lambda: len(devices()) == PER_USER + 1, what="root's devices to go")
    b.create('ovpn3c', layer=0)
    for who in (a1, a2, b):
        who.call(n.NETCFG_PATH, 'Cleanup')
        who.stop()
    t.wait_until(lambda: devices() == [], what='every device gone')
    sm.close()


t.main()
