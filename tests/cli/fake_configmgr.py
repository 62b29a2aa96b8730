#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in configuration manager without FetchConfigsProperties (an ovpn3 service before it,
or upstream's): FetchAvailableConfigs, LookupConfigName, SearchByTag, SearchByOwner and
Properties.GetAll of the profiles in a JSON file, as test_list_properties captured them from the
real service. Run as the service user: fake_configmgr.py FILE; prints "ready" once it owns the
name, and serves until stdin closes."""

import json
import os
import sys
import threading

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = IFACE = 'net.openvpn.v3.configuration'
PATH = '/net/openvpn/v3/configuration'
TYPES = {'owner': dbus.UInt32, 'acl': lambda v: dbus.Array(v, signature='u'),
         'import_timestamp': dbus.UInt64, 'last_used_timestamp': dbus.UInt64,
         'used_count': dbus.UInt32, 'name': dbus.String,
         'tags': lambda v: dbus.Array(v, signature='s'),
         'overrides': lambda v: dbus.Dictionary(v, signature='sv')}


def typed(props):
    return dbus.Dictionary({k: TYPES.get(k, dbus.Boolean)(v) for k, v in props.items()},
                           signature='sv')


class Profile(dbus.service.Object):
    def __init__(self, bus, path, props):
        super().__init__(bus, path)
        self.props = props

    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature='s', out_signature='a{sv}')
    def GetAll(self, iface):
        return typed(self.props)


class Manager(dbus.service.Object):
    def __init__(self, bus, profiles):
        super().__init__(bus, PATH)
        self.profiles = profiles

    def paths(self, keep):
        return dbus.Array(sorted(p for p, v in self.profiles.items() if keep(v)), signature='o')

    @dbus.service.method(IFACE, in_signature='', out_signature='ao')
    def FetchAvailableConfigs(self):
        return self.paths(lambda v: True)

    @dbus.service.method(IFACE, in_signature='s', out_signature='ao')
    def LookupConfigName(self, name):
        return self.paths(lambda v: v.get('name') == name)

    @dbus.service.method(IFACE, in_signature='s', out_signature='ao')
    def SearchByTag(self, tag):
        return self.paths(lambda v: tag in v.get('tags', []))

    @dbus.service.method(IFACE, in_signature='s', out_signature='ao')
    def SearchByOwner(self, owner):
        return self.paths(lambda v: v.get('owner') == int(owner))


def main():
    with open(sys.argv[1]) as f:
        profiles = json.load(f)
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.SystemBus()
    objects = [Manager(bus, profiles)] + [Profile(bus, p, v) for p, v in profiles.items()]
    name = dbus.service.BusName(NAME, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    threading.Thread(target=lambda: (sys.stdin.read(), GLib.idle_add(loop.quit)),
                     daemon=True).start()
    print('ready', flush=True)
    loop.run()
    del name, objects
    os._exit(0)


if __name__ == '__main__':
    main()
