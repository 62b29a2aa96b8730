# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg itself is killed (SIGKILL) while backends (stand-ins confirmed by
the stand-in session manager) have established devices with addresses,
routes through and outside the tunnel and resolv.conf DNS. Its next start
(activated by the next call) adopts the devices whose creator — unique bus
name, PID and start time (/proc/PID/stat field 22), all in the device
record — is still alive and still on the bus, and removes only the rest
(docs/architecture.md §6 "Its own state, and cleanup"):

1. two live creators: both devices stay as they were (addresses, routes,
   resolv.conf), listed, at the same path with the same owner; one creator
   re-establishes its device (a reconnect) and then Destroys it, which
   removes everything of it; the other one is SIGKILLed, and netcfg, which
   watches its name again, removes its device;
2. the creator is gone before netcfg restarts: the device is removed at
   start;
3. records changed here (root's files) as a reused PID would leave them
   (the recorded start time differs), naming a live PID that is not the
   unique name's, of an older netcfg without a start time, or with an
   address AddIPAddress refuses: all four devices are removed at start,
   though their creators are on the bus.

At the end the namespace and /etc/resolv.conf are as before."""

import json
import os
import signal

import dbus

import ovpn3test as t
import netcfgtest as n
import netcfgstore as s

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
original = b'# original\nnameserver 192.0.2.53\nsearch home.example\n'
with open('/etc/resolv.conf', 'wb') as f:
    f.write(original)
before = n.dump()


def read_resolv():
    with open('/etc/resolv.conf', 'rb') as f:
        return f.read()


def establish(be, tunnel_addr, dns):
    path = be.create('ovpn3a', layer=3)
    name = be.get(path, 'device_name')
    be.call(path, 'AddIPAddress', tunnel_addr, dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(path, 'reroute_ipv4', True)
    be.call(path, 'AddNetworks', dbus.Array([
        ('10.20.0.0', dbus.UInt32(16), dbus.Int32(-1), False, False),
        ('192.0.2.0', dbus.UInt32(24), dbus.Int32(-1), False, True)], signature='(suibb)'),
        signature='a(suibb)')
    be.call(path, 'AddDNS', dbus.Array([dns], signature='s'), signature='as')
    be.set(path, 'dns_scope', 'tunnel')
    be.call(path, 'Establish')
    return path, name


def snapshot(name):
    """What the kernel has of a device: index, addresses, routes through it."""
    return (n.ipj('link', 'show', 'dev', name)[0]['ifindex'], n.addrs_of(name),
            n.routes_of(name, '-4'))


def start_time(pid):
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[19])


def record():
    payload = s.load(s.DEVICES)
    return {d['name']: d for d in json.loads(payload)['devices']} if payload else {}


def listed():
    return [str(p) for p in t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList')]


def restart_netcfg():
    n.stop_netcfg(bus, signal.SIGKILL)
    n.ensure_netcfg(bus)


def uplink_routes():
    return [r for r in n.routes_of(n.UPLINK_DEV, '-4') if r[2] == 'static']


def test_the_record_names_each_creator_with_pid_and_start_time():
    global a, b, pa, na, pb, nb, kept, written
    a, b = n.Backend(), n.Backend()
    pa, na = establish(a, '10.8.0.2', '10.8.0.53')
    pb, nb = establish(b, '10.9.0.2', '10.8.0.54')
    for be, name in ((a, na), (b, nb)):
        entry = record()[name]
        got = (entry['creator'], entry['creator_pid'], entry['creator_start'])
        want = (be.unique_name, be.pid, start_time(be.pid))
        assert got == want, (got, want)
    kept = {name: snapshot(name) for name in (na, nb)}
    written = read_resolv()
    assert b'10.8.0.53' in written and b'10.8.0.54' in written, written


def test_after_sigkill_the_devices_of_live_creators_are_adopted():
    global routes_out
    routes_out = uplink_routes()
    assert (n.SERVER_V4, n.UPLINK_GW4, 'static') in routes_out, routes_out
    restart_netcfg()
    for name in (na, nb):
        assert snapshot(name) == kept[name], (name, snapshot(name), kept[name])
    assert uplink_routes() == routes_out, uplink_routes()
    assert read_resolv() == written, read_resolv()
    assert sorted(listed()) == sorted([pa, pb]), listed()
    assert sorted(record()) == sorted([na, nb]), record()
    assert s.backup_original() == original
    # the same creator goes on using it: properties, at the same path
    assert a.get(pa, 'device_name') == na
    assert a.get(pa, 'owner') == t.uid_of(t.service_user())
    assert a.get(pa, 'reroute_ipv4') is True
    assert a.get(pa, 'dns_scope') == 'tunnel'


def test_an_adopted_device_is_the_creators_alone():
    other = n.Backend()
    t.expect_error(lambda: other.call(pa, 'Destroy'), 'org.freedesktop.DBus.Error.AccessDenied')
    other.stop()
    assert n.link_exists(na)


def test_the_creator_re_establishes_its_adopted_device():
    a.call(pa, 'AddIPAddress', '10.8.1.2', dbus.UInt32(24), '', False, signature='susb')
    a.call(pa, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    a.call(pa, 'AddDNS', dbus.Array(['10.8.0.55'], signature='s'), signature='as')
    a.call(pa, 'Establish')
    assert n.addrs_of(na) == [('inet', '10.8.1.2', 24)], n.addrs_of(na)
    # the recorded routes through the tunnel were undone: 10.20.0.0/16 was not sent again
    assert '10.20.0.0/16' not in [r[0] for r in n.routes_of(na)], n.routes_of(na)
    assert n.route_get('10.20.1.1')['dev'] == nb
    assert n.route_get('203.0.113.99')['dev'] == na     # the newest redirect-gateway
    text = read_resolv()
    assert b'10.8.0.55' in text and b'10.8.0.53' not in text and b'10.8.0.54' in text, text


def test_destroy_by_the_same_creator_removes_everything_of_it():
    a.call(pa, 'Destroy')
    assert not n.link_exists(na)
    assert pa not in listed()
    assert sorted(record()) == [nb], record()
    # the shared routes outside the tunnel stay for the other device
    assert (n.SERVER_V4, n.UPLINK_GW4, 'static') in uplink_routes()
    text = read_resolv()
    assert b'10.8.0.55' not in text and b'10.8.0.54' in text, text
    a.stop()


def test_the_adopted_creators_name_is_watched_again():
    b.kill()
    t.wait_until(lambda: not n.link_exists(nb), what='device of the killed creator removed')
    t.wait_until(lambda: listed() == [], what='no device listed')
    assert n.dump() == before, 'namespace differs after the last adopted device went'
    assert read_resolv() == original
    assert record() == {}


def test_a_creator_gone_before_the_restart_loses_its_device():
    c = n.Backend()
    pc, nc = establish(c, '10.8.0.2', '10.8.0.53')
    n.stop_netcfg(bus, signal.SIGKILL)
    c.kill()
    assert n.link_exists(nc)
    n.ensure_netcfg(bus)
    t.wait_until(lambda: not n.link_exists(nc), what='leftover device removed')
    assert listed() == []
    assert n.dump() == before, 'namespace differs after recovery'
    assert read_resolv() == original
    assert record() == {}


def rewrite_record(change):
    """As a reused PID (or an older netcfg) would leave it: the record
    changed by change(entries), written as the newest intact copy."""
    entries = json.loads(s.load(s.DEVICES))['devices']
    change(entries)
    generations = []
    for f in s.files(s.DEVICES):
        with open(os.path.join(s.STATE_DIR, f), 'rb') as fh:
            got = s.decode(s.DEVICES, fh.read())
        generations.append(got[0] if got else 0)
    data = s.encode(s.DEVICES, max(generations) + 1, s.state_payload(entries))
    for f in s.files(s.DEVICES):
        with open(os.path.join(s.STATE_DIR, f), 'r+b') as fh:
            fh.write(data)
            fh.truncate()


def test_a_reused_pid_a_foreign_pid_no_start_time_or_a_bad_member_is_not_adopted():
    bes = [n.Backend() for _ in range(4)]
    names = [establish(be, '10.%d.0.2' % (8 + i), '10.8.0.%d' % (53 + i))[1]
             for i, be in enumerate(bes)]
    n.stop_netcfg(bus, signal.SIGKILL)
    me = os.getpid()

    def change(entries):
        by_name = {entry['name']: entry for entry in entries}
        # another process now has the creator's PID (a different start time)
        by_name[names[0]]['creator_start'] += 1
        # a PID (alive, with its own start time) that is not the unique name's
        by_name[names[1]].update(creator_pid=me, creator_start=start_time(me),
                                 path='%s/%d_%s' % (n.NETCFG_PATH, me, names[1]))
        # a record of an older netcfg
        del by_name[names[2]]['creator_start']
        # a member the method that set it would refuse
        by_name[names[3]]['addresses'] = [{'addr': '127.0.0.1', 'prefix': 8}]

    rewrite_record(change)
    n.ensure_netcfg(bus)
    t.wait_until(lambda: not any(n.link_exists(name) for name in names),
                 what='the four devices removed at start')
    # though every creator is still on the bus
    assert all(t.name_has_owner(bus, be.unique_name) for be in bes)
    assert listed() == []
    assert n.dump() == before, 'namespace differs after recovery'
    assert read_resolv() == original
    assert record() == {}
    for be in bes:
        be.stop()


def test_orderly_stop_at_the_end():
    n.stop_netcfg(bus, signal.SIGTERM)
    assert n.dump() == before
    assert read_resolv() == original
    uplink.close()


t.main()
