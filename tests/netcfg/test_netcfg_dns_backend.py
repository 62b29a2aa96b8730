# SPDX-License-Identifier: GPL-2.0-or-later
"""The administrator's DNS backend pin, netcfg's `dns_backend` (docs/compatibility.md §4):
with systemd-resolved on the bus (a python-dbusmock stand-in), `resolv-conf` sends the
next Establish's DNS to /etc/resolv.conf and nothing to resolved, `auto` to resolved
again; the pin survives a restart of netcfg (kept in its store); a bad value and a
writer who is not root are refused, and nothing changes."""

import signal

import dbus

import ovpn3test as t
import netcfgtest as n

ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'

t.require_devbus()
bus = t.system_bus()
be = n.Backend()     # first: its stand-in session manager owns net.openvpn.v3.sessions
uplink = n.Uplink()
with open('/etc/resolv.conf', 'rb') as f:
    resolv_before = f.read()
resolved = n.Resolved(bus)


def pin():
    return t.get_property(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'dns_backend')


def set_pin(value):
    t.set_property(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'dns_backend', value)


def connect():
    """A device with full-tunnel DNS, established; returns (path, name)."""
    path = be.create('ovpn3p', layer=3)
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.53'], signature='s'), signature='as')
    be.set(path, 'dns_scope', 'global')
    be.call(path, 'Establish')
    return path, be.get(path, 'device_name')


def disconnect(path, name):
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')


def set_link_calls():
    return [c for c in resolved.calls() if c[0].startswith('SetLink')]


def test_default_is_auto_and_bad_values_are_refused():
    assert pin() == 'auto'
    t.expect_error(lambda: set_pin('systemd'), INVALID_ARGS, 'auto, resolved or resolv-conf')
    e = t.expect_error(lambda: t.run_as(
        t.service_user(), lambda b: t.set_property(b, n.NETCFG, n.NETCFG_PATH, n.NETCFG,
                                                   'dns_backend', 'resolv-conf')))
    assert e.name == ACCESS_DENIED, e
    assert pin() == 'auto'


# pinned to resolv.conf: resolved, though on the bus, gets nothing
def test_resolv_conf_pin_writes_resolv_conf_while_resolved_runs():
    set_pin('resolv-conf')
    assert pin() == 'resolv-conf'
    resolved.clear()
    path, name = connect()
    with open('/etc/resolv.conf') as f:
        text = f.read()
    assert 'nameserver 10.8.0.53\n' in text, text
    assert set_link_calls() == [], resolved.calls()
    disconnect(path, name)
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before


# kept in netcfg's store: a restarted netcfg has it
def test_pin_survives_a_netcfg_restart():
    global be
    be.stop()
    n.stop_netcfg(bus, signal.SIGTERM)
    n.ensure_netcfg(bus)
    assert pin() == 'resolv-conf'
    be = n.Backend()


# back to auto: resolved gets the DNS, resolv.conf stays
def test_auto_uses_resolved_again():
    set_pin('auto')
    resolved.clear()
    path, name = connect()
    assert [c[0] for c in set_link_calls()][:1] == ['SetLinkDNS'], resolved.calls()
    with open('/etc/resolv.conf', 'rb') as f:
        assert f.read() == resolv_before
    disconnect(path, name)
    be.stop()
    resolved.close()
    uplink.close()


t.main()
