# SPDX-License-Identifier: GPL-2.0-or-later
"""NotificationSubscribe / NetworkChange: unicast signals to matching
subscribers with upstream's details keys; SubscriberList (root only);
Unsubscribe; manager properties."""

import dbus

import ovpn3test as t
import netcfgtest as n

CH = {'DEVICE_ADDED': 1, 'DEVICE_REMOVED': 2, 'IPADDR_ADDED': 4, 'IPADDR_REMOVED': 8,
      'ROUTE_ADDED': 16, 'ROUTE_REMOVED': 32, 'ROUTE_EXCLUDED': 64, 'DNS_SERVER_ADDED': 128,
      'DNS_SERVER_REMOVED': 256, 'DNS_SEARCH_ADDED': 512, 'DNS_SEARCH_REMOVED': 1024}

t.require_devbus()
n.ensure_netcfg(t.system_bus())
uplink = n.Uplink()
all_bus = t.system_bus()
route_bus = t.system_bus()
t.call(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'NotificationSubscribe', dbus.UInt32(2047),
       signature='u')
t.call(route_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'NotificationSubscribe',
       dbus.UInt32(CH['ROUTE_ADDED'] | CH['ROUTE_EXCLUDED']), signature='u')
subs = dict(t.call(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'NotificationSubscriberList'))
assert subs == {all_bus.get_unique_name(): 2047,
                route_bus.get_unique_name(): CH['ROUTE_ADDED'] | CH['ROUTE_EXCLUDED']}, subs
all_sig = t.Signals(all_bus, signal_name='NetworkChange', dbus_interface=n.NETCFG)
route_sig = t.Signals(route_bus, signal_name='NetworkChange', dbus_interface=n.NETCFG)


def test_manager_properties_and_log_level():
    for prop, want in (('version', 'v27'), ('config_file', ''), ('global_dns_servers', []),
                       ('global_dns_search', [])):
        assert t.get_property(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, prop) == want, prop
    assert t.call(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList') == []
    t.set_property(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'log_level', dbus.UInt32(5))
    assert t.get_property(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'log_level') == 5
    t.expect_error(lambda: t.set_property(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'log_level', dbus.UInt32(7)),
                   message='Invalid log level 7')
    assert t.get_property(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'log_level') == 5


def test_device_changes_notify_the_subscriber_of_everything():
    global be
    be = n.Backend()
    assert be.call(n.NETCFG_PATH, 'DcoAvailable') is False
    t.expect_error(lambda: be.call(n.NETCFG_PATH, 'NotificationSubscriberList'),
                   'org.freedesktop.DBus.Error.AccessDenied')
    path = be.create('ovpn3n', layer=3)
    name = be.get(path, 'device_name')
    assert t.call(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList') == [path]
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'AddNetworks', dbus.Array([
        ('10.20.0.0', dbus.UInt32(16), dbus.Int32(-1), False, False),
        ('192.0.2.0', dbus.UInt32(24), dbus.Int32(-1), False, True)], signature='(suibb)'),
        signature='a(suibb)')
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.53'], signature='s'), signature='as')
    be.call(path, 'AddDNSSearch', dbus.Array(['corp.example.com'], signature='s'), signature='as')
    be.call(path, 'Establish')
    be.call(path, 'Destroy')

    got = all_sig.wait(12)
    types = [s['args'][0] for s in got]
    assert types == [CH['DEVICE_ADDED'], CH['IPADDR_ADDED'], CH['ROUTE_EXCLUDED'], CH['ROUTE_ADDED'],
                     CH['DNS_SERVER_ADDED'], CH['DNS_SEARCH_ADDED'],
                     CH['DNS_SERVER_REMOVED'], CH['DNS_SEARCH_REMOVED'], CH['ROUTE_REMOVED'],
                     CH['ROUTE_REMOVED'], CH['IPADDR_REMOVED'], CH['DEVICE_REMOVED']], types
    for s in got:
        assert s['path'] == path and s['args'][1] == name, s
    details = {s['args'][0]: s['args'][2] for s in got}
    assert details[CH['IPADDR_ADDED']] == {'ip_version': '4', 'ip_address': '10.8.0.2',
                                           'prefix': '24', 'prefix_size': '24'}
    assert details[CH['ROUTE_ADDED']] == {'ip_version': '4', 'subnet': '10.20.0.0', 'prefix': '16',
                                          'prefix_size': '16', 'gateway': ''}
    assert details[CH['ROUTE_EXCLUDED']]['gateway'] == n.UPLINK_GW4
    assert 'gateway' not in details[CH['ROUTE_REMOVED']]
    assert details[CH['DNS_SERVER_ADDED']] == {'dns_server': '10.8.0.53'}
    assert details[CH['DNS_SEARCH_ADDED']] == {'search_domain': 'corp.example.com'}


# the route-only subscriber got only route additions
def test_route_only_subscriber_got_only_route_additions():
    route_got = route_sig.wait(2)
    route_sig.settle(0.5)
    assert [s['args'][0] for s in route_sig.received] == [CH['ROUTE_EXCLUDED'], CH['ROUTE_ADDED']], \
        route_sig.received


# unsubscribe: self with "", root may name another subscriber
def test_unsubscribe_self_or_root_names_another():
    t.call(route_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'NotificationUnsubscribe', '',
           signature='s')
    t.call(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'NotificationUnsubscribe',
           all_bus.get_unique_name(), signature='s')
    assert t.call(all_bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'NotificationSubscriberList') == []
    be.stop()
    uplink.close()


t.main()
