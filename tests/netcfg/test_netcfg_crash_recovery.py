# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg itself is killed (SIGKILL) while a device with addresses, routes
through the uplink (server host route, exclude route) and resolv.conf DNS
is established, and its creator is killed too: the next start removes the
leftovers from its state file and restores /etc/resolv.conf from the
backup (the devices of live creators are adopted: test_netcfg_adopt.py). An orderly stop (SIGTERM)
removes everything before netcfg exits. The state (device record,
resolv.conf backup) is root's files in root's directory (netcfg-store.h),
read here as root; test_netcfg_state_protected.py is about who else may."""

import os
import signal

import dbus

import ovpn3test as t
import netcfgtest as n
import netcfgstore as s

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
# a recognisable original, written through the bind mount devbus set up
original = b'# original\nnameserver 192.0.2.53\nsearch home.example\noptions edns0\n'
with open('/etc/resolv.conf', 'wb') as f:
    f.write(original)
before = n.dump()
state_dir = s.STATE_DIR


def test_established_split_dns_state_is_root_only_0600():
    global be, name
    be = n.Backend()
    path = be.create('ovpn3c', layer=3)
    name = be.get(path, 'device_name')
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(path, 'reroute_ipv4', True)
    be.call(path, 'AddNetworks', dbus.Array([('192.0.2.0', dbus.UInt32(24), dbus.Int32(-1), False,
                                              True)], signature='(suibb)'), signature='a(suibb)')
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.53'], signature='s'), signature='as')
    be.call(path, 'AddDNSSearch', dbus.Array(['corp.example.com'], signature='s'), signature='as')
    be.set(path, 'dns_scope', 'tunnel')
    be.call(path, 'Establish')
    with open('/etc/resolv.conf', 'rb') as f:
        text = f.read().decode()
    # split scope in resolv.conf mode: the VPN's server first, the original after it
    assert text.index('nameserver 10.8.0.53') < text.index('nameserver 192.0.2.53'), text
    assert 'search corp.example.com home.example' in text, text
    assert s.devices() == [name], s.devices()
    assert s.backup_original() == original, s.backup_original()
    st = os.stat(state_dir)
    assert (st.st_uid, st.st_mode & 0o7777) == (0, 0o700), (st.st_uid, oct(st.st_mode))
    for f in s.all_files():
        st = os.stat(os.path.join(state_dir, f))
        assert (st.st_uid, st.st_mode & 0o7777) == (0, 0o600), (f, st.st_uid, oct(st.st_mode))


def test_sigkill_leaves_device_route_and_dns_behind():
    n.stop_netcfg(bus, signal.SIGKILL)
    # its creator goes too (a live creator's device is adopted: test_netcfg_adopt.py)
    be.kill()
    # the leftovers are there now
    assert n.link_exists(name)
    assert (n.SERVER_V4, n.UPLINK_GW4, 'static') in n.routes_of(n.UPLINK_DEV, '-4')
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() != original


# the next start cleans up (activated by the next call)
def test_next_start_cleans_up_the_leftovers():
    n.ensure_netcfg(bus)
    t.wait_until(lambda: not n.link_exists(name), what='leftover device removed')
    assert n.dump() == before, 'namespace differs after recovery'
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == original
    assert s.backup_original() is None
    assert s.devices() == []


# an orderly stop (SIGTERM) removes everything at once
def test_orderly_sigterm_removes_everything_at_once():
    global name, be
    be = n.Backend()
    path = be.create('ovpn3c', layer=3)
    name = be.get(path, 'device_name')
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(path, 'reroute_ipv4', True)
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.53'], signature='s'), signature='as')
    be.call(path, 'Establish')
    assert n.route_get('203.0.113.99')['dev'] == name
    n.stop_netcfg(bus, signal.SIGTERM)
    assert not n.link_exists(name)
    assert n.dump() == before, 'namespace differs after SIGTERM'
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == original
    assert s.devices() == []
    be.stop()
    uplink.close()


t.main()
