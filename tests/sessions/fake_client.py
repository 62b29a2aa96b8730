#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in for ovpn3-service-client used by the session manager tests
(backendstart runs it through OVPN3_CLIENT_BINARY): `fake_client.py TOKEN`.

It speaks the backend client side of docs/dbus-api.md §3.4 like the real client: owns
net.openvpn.v3.backends.be<PID>, Attaches to the log service, sends
RegistrationRequest to the session manager's unique name only, checks the
token in RegistrationConfirmation, calls AssignSession, fills a user/pass
queue (docs/dbus-api.md §6), and answers Ready/Connect/Pause/Resume/Restart/Disconnect/
ForceShutdown with the StatusChange sequence of docs/dbus-api.md §7, sent to the session
manager and to the log service. No openvpn runs.

What it does is chosen by the profile's name (read from the configuration
service): 'cfg-error' -> CFG_ERROR and a failing RegistrationConfirmation;
'autologin' -> no credentials needed; 'fail-on-connect' -> Connect ends in
CONN_FAILED (and the client stays until told to shut down); 'verb5' ->
log_level 5 (as a profile's verb would); 'hang' -> reading 'statistics'
blocks the client for 12 s. OVPN3_FAKE_CLIENT_MODE=no-register
makes it never register.
"""

import os
import sys
import time

import dbus
import dbus.lowlevel
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

IFACE = 'net.openvpn.v3.backends'
PATH = '/net/openvpn/v3/backends/session'
PROPS = 'org.freedesktop.DBus.Properties'
SESSIONS = 'net.openvpn.v3.sessions'
LOG = 'net.openvpn.v3.log'
MAX_LIFETIME = 300
HANG_SECONDS = 12


class Error(dbus.DBusException):
    def __init__(self, name, text):
        super().__init__(text)
        self._dbus_error_name = name


class Backend(dbus.service.Object):
    def __init__(self, bus, token):
        self.bus = bus
        self.token = token
        self.bus_name = 'net.openvpn.v3.backends.be%d' % os.getpid()
        self.registered = False
        self.session_path = '/__unknown'
        self.config_name = ''
        self.status = (0, 0, '')
        self.slots = []            # dicts: type, group, id, name, description, hidden, value
        self.log_level = 3
        self.dco = False
        self.host_wide = False   # the session manager's start-host-wide answer
        self.connected = False
        self.paused = False
        self.sessionmgr = None     # its unique name, from registration on
        super().__init__(bus, PATH)

    # ---- helpers ---------------------------------------------------------
    def owner(self, name):
        try:
            return str(self.bus.get_name_owner(name))
        except dbus.DBusException:
            return None

    def unicast(self, dest, member, signature, args):
        if dest is None:
            return
        msg = dbus.lowlevel.SignalMessage(PATH, IFACE, member)
        msg.set_destination(dest)
        msg.append(*args, signature=signature)
        self.bus.send_message(msg)

    def send(self, member, signature, args):
        """To the log service and the session manager (docs/dbus-api.md §3.4), in that
        order, as the real client: the log service then always has a status
        before the session manager can close the session on it."""
        self.unicast(self.owner(LOG), member, signature, args)
        self.unicast(self.owner(SESSIONS), member, signature, args)

    def set_status(self, major, minor, message=''):
        self.status = (major, minor, message)
        self.send('StatusChange', 'uus', (major, minor, message))
        return False

    def log(self, message):
        self.send('Log', 'uuss', (6, 4, self.token, message))

    def check_caller(self, sender):
        # the session manager we registered with (as the real client does)
        if sender != (self.sessionmgr or self.owner(SESSIONS)):
            raise Error('org.freedesktop.DBus.Error.AccessDenied', 'Access denied')

    def pending(self):
        return [s for s in self.slots if s['value'] is None]

    def quit_soon(self):
        GLib.timeout_add(100, loop.quit)

    # ---- registration ----------------------------------------------------
    def register(self):
        sm = self.owner(SESSIONS)
        if sm is None:
            sys.stderr.write('fake_client: no session manager; waiting to be killed\n')
            return
        self.sessionmgr = sm
        self.unicast(sm, 'RegistrationRequest', 'ssi', (self.bus_name, self.token, os.getpid()))

    @dbus.service.method(IFACE, in_signature='soo', out_signature='s', sender_keyword='sender')
    def RegistrationConfirmation(self, token, session_path, config_path, sender=None):
        self.check_caller(sender)
        if self.registered:
            raise Error('net.openvpn.v3.error.be_registration',
                        'Backend service is already registered')
        if token != self.token:
            raise Error('net.openvpn.v3.error.be_registration', 'Invalid registration token')
        self.registered = True
        self.session_path = str(session_path)
        self.bus.call_blocking(LOG, '/net/openvpn/v3/log', LOG, 'AssignSession', 'os',
                               (session_path, IFACE))
        self.config_name = str(self.bus.call_blocking(
            'net.openvpn.v3.configuration', config_path, PROPS, 'Get', 'ss',
            ('net.openvpn.v3.configuration', 'name')))
        if 'verb5' in self.config_name:
            self.log_level = 5
        if 'cfg-error' in self.config_name:
            self.set_status(2, 1, "config_path=%s, eval_message='fake error'" % config_path)
            raise Error('net.openvpn.v3.error.client', 'Configuration profile is not usable')
        self.set_status(2, 2, 'config_path=%s' % config_path)
        if 'autologin' not in self.config_name:
            self.slots = [
                dict(type=1, group=1, id=0, name='username', description='Auth User name',
                     hidden=False, value=None),
                dict(type=1, group=1, id=1, name='password', description='Auth Password',
                     hidden=True, value=None),
            ]
            self.send('AttentionRequired', 'uus', (1, 1, 'Username/password credentials needed'))
            self.set_status(2, 4, 'Username/password credentials needed')
        return self.config_name

    # ---- user input queue (docs/dbus-api.md §6) --------------------------------------
    @dbus.service.method(IFACE, in_signature='', out_signature='a(uu)', sender_keyword='sender')
    def UserInputQueueGetTypeGroup(self, sender=None):
        self.check_caller(sender)
        out = []
        for s in self.pending():
            if (s['type'], s['group']) not in out:
                out.append((s['type'], s['group']))
        return dbus.Array([dbus.Struct(p, signature='uu') for p in out], signature='(uu)')

    @dbus.service.method(IFACE, in_signature='uu', out_signature='au', sender_keyword='sender')
    def UserInputQueueCheck(self, type_, group, sender=None):
        self.check_caller(sender)
        return dbus.Array([s['id'] for s in self.pending()
                           if s['type'] == type_ and s['group'] == group], signature='u')

    def find(self, type_, group, id_):
        for s in self.slots:
            if (s['type'], s['group'], s['id']) == (type_, group, id_):
                return s
        raise Error('net.openvpn.gdbuspp.request',
                    'net.openvpn.v3.invalid-input: No matching entry found in the request queue')

    @dbus.service.method(IFACE, in_signature='uuu', out_signature='uuussb',
                         sender_keyword='sender')
    def UserInputQueueFetch(self, type_, group, id_, sender=None):
        self.check_caller(sender)
        s = self.find(type_, group, id_)
        if s['value'] is not None:
            raise Error('net.openvpn.gdbuspp.request',
                        'net.openvpn.v3.error.input-already-provided: '
                        'Request ID %d has already been provided' % id_)
        return (s['type'], s['group'], s['id'], s['name'], s['description'], s['hidden'])

    @dbus.service.method(IFACE, in_signature='uuus', out_signature='', sender_keyword='sender')
    def UserInputProvide(self, type_, group, id_, value, sender=None):
        self.check_caller(sender)
        s = self.find(type_, group, id_)
        if not value:
            raise Error('net.openvpn.gdbuspp.request',
                        'net.openvpn.v3.error.invalid-input: No value provided for '
                        'RequiresSlot ID %d' % id_)
        s['value'] = str(value)

    # ---- connection control ----------------------------------------------
    @dbus.service.method(IFACE, in_signature='', out_signature='b', sender_keyword='sender')
    def Ping(self, sender=None):
        return True

    @dbus.service.method(IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def Ready(self, sender=None):
        self.check_caller(sender)
        if self.pending():
            # in upstream's message form, as the real client (tests/compat)
            raise Error('net.openvpn.v3.error.ready',
                        'GDBus.Error:net.openvpn.v3.error.ready: Missing user credentials')

    @dbus.service.method(IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def Connect(self, sender=None):
        self.check_caller(sender)
        if self.pending():
            raise Error('net.openvpn.v3.error.client', 'Required user input not provided')
        if self.connected:
            return
        self.set_status(2, 6, '')
        if 'fail-on-connect' in self.config_name:
            GLib.timeout_add(100, lambda: self.set_status(2, 10, 'fake failure') and False)
            return

        def connected():
            self.connected = True
            self.set_status(2, 7, '')
            self.log('fake: Initialization Sequence Completed')
            return False
        GLib.timeout_add(200, connected)

    @dbus.service.method(IFACE, in_signature='s', out_signature='', sender_keyword='sender')
    def Pause(self, reason, sender=None):
        self.check_caller(sender)
        if self.paused:
            raise Error('net.openvpn.v3.error.client', 'Connection is already paused')
        self.paused = True
        self.set_status(2, 13, 'Reason: %s' % reason)
        self.set_status(2, 14, '')

    @dbus.service.method(IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def Resume(self, sender=None):
        self.check_caller(sender)
        if not self.paused:
            raise Error('net.openvpn.v3.error.client', 'Connection is not paused')
        self.paused = False
        self.set_status(2, 15, '')
        self.set_status(2, 7, '')

    @dbus.service.method(IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def Restart(self, sender=None):
        self.check_caller(sender)
        self.set_status(2, 12, '')
        self.set_status(2, 7, '')

    @dbus.service.method(IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def Disconnect(self, sender=None):
        self.check_caller(sender)
        if self.connected:
            self.set_status(2, 8, '')
        self.set_status(2, 16, '')
        self.quit_soon()

    @dbus.service.method(IFACE, in_signature='', out_signature='', sender_keyword='sender')
    def ForceShutdown(self, sender=None):
        self.check_caller(sender)
        self.set_status(2, 16, '')
        self.quit_soon()

    # ---- properties ------------------------------------------------------
    def props(self):
        c = ('udp', 'vpn.example.test', '192.0.2.1', 1194) if self.connected else ('', '', '', 0)
        stats = {'BYTES_IN': 1234, 'BYTES_OUT': 567} if self.connected else {}
        return {
            'session_path': dbus.ObjectPath(self.session_path),
            'log_level': dbus.UInt32(self.log_level),
            'dco': dbus.Boolean(self.dco),
            'host_wide': dbus.Boolean(self.host_wide),
            'device_path': dbus.ObjectPath('/net/openvpn/v3/netcfg/%d_tunfake' % os.getpid()
                                           if self.connected else '/'),
            'device_name': dbus.String('tunfake%d' % (os.getpid() % 1000)
                                       if self.connected else ''),
            'session_name': dbus.String('fake-session' if self.connected else ''),
            'connection': dbus.Struct((c[0], c[1], c[2], dbus.UInt32(c[3])), signature='sssu'),
            'statistics': dbus.Dictionary(stats, signature='sx'),
            'status': dbus.Struct((dbus.UInt32(self.status[0]), dbus.UInt32(self.status[1]),
                                   self.status[2]), signature='uus'),
            'last_log_line': dbus.Dictionary({}, signature='sv'),
        }

    @dbus.service.method(PROPS, in_signature='ss', out_signature='v', sender_keyword='sender')
    def Get(self, iface, name, sender=None):
        if name == 'statistics' and 'hang' in self.config_name:
            time.sleep(HANG_SECONDS)     # a backend that stops answering
        p = self.props()
        if name not in p:
            raise Error('org.freedesktop.DBus.Error.InvalidArgs', 'No such property')
        return p[name]

    @dbus.service.method(PROPS, in_signature='s', out_signature='a{sv}', sender_keyword='sender')
    def GetAll(self, iface, sender=None):
        return self.props()

    @dbus.service.method(PROPS, in_signature='ssv', out_signature='', sender_keyword='sender')
    def Set(self, iface, name, value, sender=None):
        self.check_caller(sender)
        if name == 'log_level':
            self.log_level = int(value)
        elif name == 'dco':
            self.dco = bool(value)
        elif name == 'host_wide':
            self.host_wide = bool(value)
        else:
            raise Error('org.freedesktop.DBus.Error.PropertyReadOnly', 'read-only')


def main():
    global loop
    # started as the real client is: the token comes through a descriptor
    if len(sys.argv) != 3 or sys.argv[1] != '--token-fd':
        sys.stderr.write('usage: fake_client.py --token-fd FD\n')
        return 2
    with os.fdopen(int(sys.argv[2]), 'rb') as f:
        token = f.read().decode().strip()
    loop = GLib.MainLoop()
    bus = dbus.bus.BusConnection(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])
    bus.set_exit_on_disconnect(False)
    backend = Backend(bus, token)
    if bus.request_name(backend.bus_name, dbus.bus.NAME_FLAG_DO_NOT_QUEUE) != 1:
        sys.stderr.write('fake_client: cannot own %s\n' % backend.bus_name)
        return 1
    bus.call_blocking(LOG, '/net/openvpn/v3/log', LOG, 'Attach', 's', (IFACE,))
    sys.stderr.write('fake_client: %s running (environment: %s)\n'
                     % (backend.bus_name, ' '.join(sorted(os.environ))))
    GLib.timeout_add_seconds(MAX_LIFETIME, loop.quit)
    if 'no-register' not in os.environ.get('OVPN3_FAKE_CLIENT_MODE', ''):
        GLib.idle_add(lambda: backend.register() and False)
    loop.run()
    return 0


loop = None

if __name__ == '__main__':
    sys.exit(main())
