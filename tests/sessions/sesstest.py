# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures of the session manager tests (tests/sessions), on top of
tests/lib/ovpn3test.py (run_as, expect_error, Signals, the runner). The
backend client is tests/sessions/fake_client.py (OVPN3_CLIENT_BINARY) unless
a test says otherwise."""

import os

from gi.repository import GLib

import ovpn3test as t
from ovpn3polkit import PolkitCalls  # noqa: F401 (used as s.PolkitCalls)
# a session the way the CLI makes one, NewTunnel with its events in order (s.X in the tests)
from ovpn3server import cli_session_start, new_tunnel_ordered  # noqa: F401

SESSIONS_IFACE = 'net.openvpn.v3.sessions'
CONFIG_IFACE = 'net.openvpn.v3.configuration'
BACKENDS_IFACE = 'net.openvpn.v3.backends'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
FAILED = 'org.freedesktop.DBus.Error.Failed'
ERR_READY = 'net.openvpn.v3.error.ready'
ERR_GDBUSPP = 'net.openvpn.gdbuspp'
ERR_REQUEST = 'net.openvpn.gdbuspp.request'
SESS_CREATED = 1
SESS_DESTROYED = 2

PROFILE = """client
dev tun
proto udp
remote 192.0.2.1 1194
nobind
auth-user-pass
verb 3
<ca>
-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUfakeCAcertificateForTests0wCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----
</ca>
"""


def import_profile(user, name, text=PROFILE):
    return t.call_as(user, t.CONFIG_NAME, t.CONFIG_PATH, CONFIG_IFACE, 'Import',
                     name, text, False, False, signature='ssbb')


def session_call(user, path, method, *args, signature=None):
    return t.call_as(user, t.SESSIONS_NAME, path, SESSIONS_IFACE, method, *args,
                     signature=signature)


def session_get(user, path, prop):
    return t.run_as(user, lambda bus: t.get_property(bus, t.SESSIONS_NAME, path,
                                                     SESSIONS_IFACE, prop))


def new_tunnel_flags(bus, config_path, interactive):
    """NewTunnel through GDBus, with or without the message flag
    ALLOW_INTERACTIVE_AUTHORIZATION (dbus-python cannot set it); returns the
    session path or raises CallError."""
    from gi.repository import Gio
    conn = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
    flags = (Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION if interactive
             else Gio.DBusCallFlags.NONE)
    try:
        reply = conn.call_sync(t.SESSIONS_NAME, t.SESSIONS_PATH, SESSIONS_IFACE, 'NewTunnel',
                               GLib.Variant('(o)', (config_path,)), GLib.VariantType('(o)'),
                               flags, int(t.CEILING * 1000), None)
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e)
        message = e.message
        if message.startswith('GDBus.Error:%s: ' % name):
            message = message[len('GDBus.Error:%s: ' % name):]
        raise t.CallError(name, message)
    return reply.unpack()[0]


def start_session(user, config_path):
    """NewTunnel as user; asserts SESS_CREATED arrived before the reply."""
    path, events = t.run_as(user, new_tunnel_ordered, config_path, fresh=True)
    kinds = [e[0] for e in events]
    assert kinds[-1] == 'reply', events
    created = [e for e in events if e[0] == 'event' and e[1] == path]
    assert created and created[0][2] == SESS_CREATED, events
    assert kinds.index('event') < kinds.index('reply'), events
    assert path.startswith('/net/openvpn/v3/sessions/'), path
    return path


def provide_credentials(user, path, username='alice', password='secret'):
    """The queue walk of docs/dbus-api.md §6 / the CLI."""
    def walk(bus):
        def c(method, *args, signature=None):
            return t.call(bus, t.SESSIONS_NAME, path, SESSIONS_IFACE, method, *args,
                          signature=signature)
        slots = []
        for (ty, gr) in c('UserInputQueueGetTypeGroup'):
            for i in c('UserInputQueueCheck', ty, gr, signature='uu'):
                slot = c('UserInputQueueFetch', ty, gr, i, signature='uuu')
                assert tuple(slot[:3]) == (ty, gr, i), slot
                slots.append(slot)
                value = username if slot[3] == 'username' else password
                c('UserInputProvide', ty, gr, i, value, signature='uuus')
        return slots
    return t.run_as(user, walk)


def wait_status(user, path, major, minor, timeout=None):
    last = []

    def check():
        st = session_get(user, path, 'status')
        last[:] = [st]
        return tuple(st[:2]) == (major, minor)
    try:
        t.wait_until(check, timeout, 'status (%d, %d)' % (major, minor))
    except AssertionError:
        raise AssertionError('status stayed %r, wanted (%d, %d)' % (last, major, minor))
    return last[0]


class Events:
    """SessionManagerEvent signals, received by root."""

    def __init__(self, bus):
        self.sig = t.Signals(bus, signal_name='SessionManagerEvent',
                             dbus_interface=SESSIONS_IFACE, path=t.SESSIONS_PATH)

    def wait_for(self, path, type_, timeout=None):
        t.wait_until(lambda: any(s['args'][0] == path and s['args'][1] == type_
                                 for s in self.sig.received), timeout,
                     'SessionManagerEvent(%s, %d)' % (path, type_))

    def of(self, path):
        """The events of path so far: those already received are handled first (a session
        that connects in a few ms may leave the test no wait in which they would be)."""
        t.dispatch_pending()
        return [s['args'][1] for s in self.sig.received if s['args'][0] == path]


def object_gone(bus, path):
    try:
        t.call(bus, t.SESSIONS_NAME, path, t.PROPS, 'GetAll', SESSIONS_IFACE, signature='s')
    except t.CallError as e:
        return 'Object does not exist' in e.message or 'No such' in e.message
    return False


def backend_processes(token=None):
    """PIDs of running fake/real backend clients (argv has a session token)."""
    out = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if any(a.endswith(b'fake_client.py') or a.endswith(b'ovpn3-service-client')
               for a in argv):
            out.append(int(pid))
    return out


def log_forward_flow(bus, path, method='Connect', need_log=True):
    """As the session owner: LogForward(true), Connect, collect what the
    log service forwards until CONN_CONNECTED and a Log arrived, then
    LogForward(false). Returns (log service owner, proxies while on,
    proxies after off, received)."""
    got = []

    def on_signal(*args, message=None):
        got.append({'member': message.get_member(), 'sender': message.get_sender(),
                    'path': message.get_path(), 'interface': message.get_interface(),
                    'signature': message.get_signature(), 'args': t.plain(list(args))})
    match = bus.add_signal_receiver(on_signal, bus_name=t.LOG_NAME,
                                    dbus_interface=BACKENDS_IFACE, path=path,
                                    message_keyword='message')
    log_owner = str(bus.get_name_owner(t.LOG_NAME))

    def c(method, *args, signature=None):
        return t.call(bus, t.SESSIONS_NAME, path, SESSIONS_IFACE, method, *args,
                      signature=signature)
    c('LogForward', True, signature='b')
    c('LogForward', True, signature='b')    # again: still one forwarder
    on = t.get_property(bus, t.SESSIONS_NAME, path, SESSIONS_IFACE, 'log_forwards')
    c(method)
    try:
        t.wait_until(lambda: any(g['member'] == 'StatusChange' and g['args'][:2] == [2, 7]
                                 for g in got)
                     and (not need_log or any(g['member'] == 'Log' for g in got)),
                     timeout=60, what='forwarded StatusChange(2, 7) and Log')
    except AssertionError as e:
        raise AssertionError('%s; got %r' % (e, got))
    c('LogForward', False, signature='b')
    off = t.get_property(bus, t.SESSIONS_NAME, path, SESSIONS_IFACE, 'log_forwards')
    match.remove()
    return [log_owner, on, off, got]


def parallel_new_tunnels(bus, config_paths):
    """NewTunnel on every profile at once (async); returns the replies
    (path or [error name, message]) in the order of config_paths, and the
    SessionManagerEvents seen."""
    replies = [None] * len(config_paths)
    events = []
    match = bus.add_signal_receiver(
        lambda p, ty, owner: events.append([str(p), int(ty)]),
        signal_name='SessionManagerEvent', dbus_interface=SESSIONS_IFACE,
        bus_name=t.SESSIONS_NAME, path=t.SESSIONS_PATH)

    def ok(i):
        return lambda p: replies.__setitem__(i, str(p))

    def err(i):
        return lambda e: replies.__setitem__(i, [e.get_dbus_name(), e.get_dbus_message()])
    for i, cfg in enumerate(config_paths):
        bus.call_async(t.SESSIONS_NAME, t.SESSIONS_PATH, SESSIONS_IFACE, 'NewTunnel', 'o',
                       (cfg,), ok(i), err(i), timeout=t.CEILING)
    t.wait_until(lambda: all(r is not None for r in replies), what='every NewTunnel reply')
    match.remove()
    return [replies, events]
