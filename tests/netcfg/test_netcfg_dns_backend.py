# SPDX-License-Identifier: GPL-2.0-or-later
"""The administrator's DNS backend pin, netcfg's `dns_backend` (docs/compatibility.md §4):
with systemd-resolved on the bus (a python-dbusmock stand-in), `resolv-conf` sends the
next Establish's DNS to /etc/resolv.conf and nothing to resolved, `auto` to resolved
again; the pin survives a restart of netcfg and a "reboot" (/run wiped: it is kept in
netcfg's persistent directory, /var/lib/ovpn3-netcfg); a damaged record there is ignored
with a warning (auto); without that directory the pin is kept in /run until the reboot,
and a pin kept in /run (then, or by an older netcfg) is taken over at the next start; a
bad value and a writer who is not root are refused, and nothing changes."""

import os
import pwd
import signal

import dbus

import ovpn3test as t
import netcfgtest as n
import netcfgstore as store

ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
SETTINGS = 'netcfg-settings'
PERSISTENT_DIR = '/var/lib/ovpn3-netcfg'   # devbus: a fresh tmpfs, root 0700
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


def restart_netcfg(between):
    """netcfg stopped, between() run, netcfg activated again."""
    global be
    be.stop()
    n.stop_netcfg(bus, signal.SIGTERM)
    between()
    n.ensure_netcfg(bus)
    be = n.Backend()


def wipe_run():
    for name in os.listdir(store.STATE_DIR):
        os.unlink(os.path.join(store.STATE_DIR, name))


# a reboot empties /run: the pin is in the persistent directory, root's
def test_pin_survives_a_reboot():
    st = os.stat(PERSISTENT_DIR)
    assert (st.st_uid, st.st_mode & 0o7777) == (0, 0o700), st
    assert store.load(SETTINGS, PERSISTENT_DIR) == b'dns_backend=resolv-conf\n'
    restart_netcfg(wipe_run)
    assert pin() == 'resolv-conf'
    assert not store.load(SETTINGS)     # /run holds no copy of it


# both copies damaged: a warning, auto, and netcfg carries on
def test_damaged_record_is_ignored():
    def damage():
        for name in store.files(SETTINGS):
            with open(os.path.join(PERSISTENT_DIR, name), 'wb') as f:
                f.write(b'ovpn3-netcfg-store 1 netcfg-settings 9 23 0000\ndns_backend=resolved\n')
    log_before = len(t.service_log())
    restart_netcfg(damage)
    assert pin() == 'auto'
    said = t.service_log()[log_before:]
    assert 'stored DNS backend ignored' in said and 'no intact copy' in said, said
    set_pin('resolv-conf')     # written over the damaged copies
    assert store.load(SETTINGS, PERSISTENT_DIR) == b'dns_backend=resolv-conf\n'


# the persistent directory refused (not root's): the pin is kept in /run until the reboot,
# as older versions kept it; once the directory is usable again that newer pin moves there
def test_without_the_persistent_directory_the_pin_lasts_until_reboot_then_moves():
    uid = pwd.getpwnam(t.service_user()).pw_uid
    log_before = len(t.service_log())
    restart_netcfg(lambda: os.chown(PERSISTENT_DIR, uid, -1))
    said = t.service_log()[log_before:]
    assert 'belongs to uid %d' % uid in said and 'settings last until the next reboot' in said, \
        said
    set_pin('resolved')
    assert pin() == 'resolved'
    assert store.load(SETTINGS) == b'dns_backend=resolved\n'
    assert store.load(SETTINGS, PERSISTENT_DIR) == b'dns_backend=resolv-conf\n'
    restart_netcfg(lambda: os.chown(PERSISTENT_DIR, 0, -1))
    assert pin() == 'resolved'
    assert store.load(SETTINGS, PERSISTENT_DIR) == b'dns_backend=resolved\n'
    assert not store.load(SETTINGS)        # nor any longer there


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
