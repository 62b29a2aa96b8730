# SPDX-License-Identifier: GPL-2.0-or-later
"""Long-lived bus clients for the log service tests.

ovpn3test.run_as() runs one function in a short-lived child; the log tests
need peers that stay on the bus while others act (a fake backend that owns
net.openvpn.v3.backends.be<its pid>, a fake session manager, a subscriber
collecting forwarded signals). An Actor is a child process running as a
given user with its own bus connection and GLib main loop; the test sends it
commands over a pipe and gets plain Python values (or CallError) back.
"""

import os
import pickle
import pwd
import select
import subprocess
import sys
import traceback

import dbus
from gi.repository import GLib

import ovpn3test as t

BACKENDS_IFACE = 'net.openvpn.v3.backends'
LOG_IFACE = 'net.openvpn.v3.log'


class _Child:
    def __init__(self):
        self.bus = t.system_bus()
        self.received = []       # matched by subscribe()
        self.all_backend = []    # every signal with interface net.openvpn.v3.backends
        self.bus.add_message_filter(self._filter)

    def _record(self, msg):
        return {'member': msg.get_member(), 'interface': msg.get_interface(),
                'path': msg.get_path(), 'sender': msg.get_sender(),
                'signature': msg.get_signature(), 'args': t.plain(msg.get_args_list())}

    def _filter(self, bus, msg):
        if isinstance(msg, dbus.lowlevel.SignalMessage) and msg.get_interface() == BACKENDS_IFACE:
            self.all_backend.append(self._record(msg))
        return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED

    # ---- commands ----
    def unique_name(self):
        return self.bus.get_unique_name()

    def pid(self):
        return os.getpid()

    def request_name(self, name):
        return int(self.bus.request_name(name, dbus.bus.NAME_FLAG_DO_NOT_QUEUE))

    def call(self, dest, path, iface, method, signature, args):
        return t.call(self.bus, dest, path, iface, method, *args, signature=signature)

    def emit(self, path, iface, member, signature, args, destination=t.LOG_NAME):
        msg = dbus.lowlevel.SignalMessage(path, iface, member)
        if destination is not None:
            msg.set_destination(destination)
        msg.append(*args, signature=signature)
        self.bus.send_message(msg)
        self.bus.flush()

    def subscribe(self, **match):
        def on_signal(*args, message=None):
            self.received.append(self._record(message))
        self.bus.add_signal_receiver(on_signal, message_keyword='message', **match)

    def wait_received(self, count, timeout=None):
        t.wait_until(lambda: len(self.received) >= count, timeout,
                     '%d forwarded signal(s) (%d so far)' % (count, len(self.received)))
        return self.received

    def settle(self, seconds):
        end = GLib.get_monotonic_time() + int(seconds * 1e6)
        t.wait_until(lambda: GLib.get_monotonic_time() > end, seconds + 5, 'settle')

    def get_received(self):
        return self.received

    def get_all_backend(self):
        return self.all_backend

    def clear(self):
        self.received.clear()
        self.all_backend.clear()

    def serve_sessions(self):
        """Answer LookupBackend (this connection owns net.openvpn.v3.sessions)."""
        import ovpn3sessions
        self.sessions = ovpn3sessions.LookupBackendObject(self.bus)

    def add_backend(self, unique_name, session_path, pid):
        return self.sessions.add(unique_name, session_path, pid=pid)


def _serve(rfd, wfd):
    child = _Child()
    loop = GLib.MainLoop()
    rf = os.fdopen(rfd, 'rb')
    wf = os.fdopen(wfd, 'wb')

    def on_command(fd, cond):
        try:
            op, args, kwargs = pickle.load(rf)
        except EOFError:
            loop.quit()
            return False
        if op == 'exit':
            pickle.dump(('ok', None), wf)
            wf.flush()
            loop.quit()
            return False
        try:
            result = ('ok', t.plain(getattr(child, op)(*args, **kwargs)))
        except t.CallError as e:
            result = ('dbus', e.name, e.message)
        except dbus.exceptions.DBusException as e:
            result = ('dbus', e.get_dbus_name(), e.get_dbus_message())
        except BaseException:
            result = ('exc', traceback.format_exc())
        pickle.dump(result, wf)
        wf.flush()
        return True

    GLib.io_add_watch(rfd, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_command)
    loop.run()


class Actor:
    """A bus client in its own process (a fresh interpreter: a forked one
    would share the parent's GLib main context and read its connections),
    running as `user`."""

    def __init__(self, user):
        self.user = user
        pw = pwd.getpwnam(user)
        groups = [g for g in os.getgrouplist(user, pw.pw_gid)]
        self.proc = subprocess.Popen(
            ['/usr/bin/python3', os.path.abspath(__file__), 'serve'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            user=pw.pw_uid, group=pw.pw_gid, extra_groups=groups)
        self._w = self.proc.stdin
        self._r = self.proc.stdout
        self.name = self._request('unique_name')
        self.pid = self._request('pid')

    def _request(self, op, *args, timeout=None, **kwargs):
        pickle.dump((op, args, kwargs), self._w)
        self._w.flush()
        ready, _, _ = select.select([self._r], [], [], timeout or (t.CEILING + 10))
        if not ready:
            raise AssertionError('actor %s: no answer to %s' % (self.user, op))
        try:
            result = pickle.load(self._r)
        except EOFError:
            raise AssertionError('actor %s died during %s' % (self.user, op)) from None
        if result[0] == 'ok':
            return result[1]
        if result[0] == 'dbus':
            raise t.CallError(result[1], result[2])
        raise AssertionError('actor %s failed in %s:\n%s' % (self.user, op, result[1]))

    def __getattr__(self, op):
        if op.startswith('_'):
            raise AttributeError(op)
        return lambda *args, **kwargs: self._request(op, *args, **kwargs)

    # conveniences
    def log_call(self, method, *args, signature='', path=t.LOG_PATH, iface=LOG_IFACE):
        return self._request('call', t.LOG_NAME, path, iface, method, signature, list(args))

    def get(self, path, prop, iface=LOG_IFACE):
        return self._request('call', t.LOG_NAME, path, t.PROPS, 'Get', 'ss', [iface, prop])

    def close(self):
        """Leave the bus and end the process."""
        if self.proc is None:
            return
        try:
            self._request('exit', timeout=10)
        except (AssertionError, BrokenPipeError, OSError):
            self.proc.kill()
        self.proc.wait()
        self._w.close()
        self._r.close()
        self.proc = None


class FakeBackend(Actor):
    """A backend client: service user, owns net.openvpn.v3.backends.be<pid>,
    Attached to the log service with interface net.openvpn.v3.backends. With
    a session_path, the session manager sm confirms it as that session's
    backend (LookupBackend) and it calls AssignSession."""

    PATH = '/net/openvpn/v3/backends/session'

    def __init__(self, session_path=None, attach=True, sm=None):
        super().__init__(t.service_user())
        self.bus_name = 'net.openvpn.v3.backends.be%d' % self.pid
        assert self.request_name(self.bus_name) == 1, 'could not own ' + self.bus_name
        if attach:
            self.log_call('Attach', BACKENDS_IFACE, signature='s')
        if session_path is not None:
            assert sm is not None, 'a backend of a session needs the session manager (sm=)'
            sm.confirm(self, session_path)
            self.log_call('AssignSession', session_path, BACKENDS_IFACE, signature='os')

    def send_log(self, group, category, message, token='', signature='uuss'):
        args = [group, category, token, message] if signature == 'uuss' else [group, category, message]
        self.emit(self.PATH, BACKENDS_IFACE, 'Log', signature, args)

    def send_status(self, major, minor, message):
        self.emit(self.PATH, BACKENDS_IFACE, 'StatusChange', 'uus', [major, minor, message])


class FakeSessionManager(Actor):
    """The service user owning net.openvpn.v3.sessions; answers LookupBackend
    for the backends it confirmed (docs/security.md §5)."""

    def __init__(self):
        super().__init__(t.service_user())
        assert self.request_name(t.SESSIONS_NAME) == 1, 'could not own ' + t.SESSIONS_NAME
        self.serve_sessions()

    def confirm(self, backend, session_path):
        """backend (an Actor) is now the backend client of session_path."""
        return self.add_backend(backend.name, session_path, backend.pid)

    def proxy_log_events(self, target, session_path):
        return self.log_call('ProxyLogEvents', target, session_path, signature='so')


# ---- error names and small helpers ---------------------------------------------

LOG_ERROR = 'net.openvpn.v3.log.error'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'


def log_owner(bus):
    """Unique name of the running log service (activating it)."""
    t.call(bus, t.LOG_NAME, t.LOG_PATH, 'org.freedesktop.DBus.Peer', 'Ping')
    return str(bus.get_name_owner(t.LOG_NAME))


def manager_prop(bus, prop):
    return t.get_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, prop)


def session_path():
    """A made-up session path in upstream's id format (docs/dbus-api.md §1)."""
    import uuid
    return '/net/openvpn/v3/sessions/' + str(uuid.uuid4()).replace('-', 's')


if __name__ == '__main__' and sys.argv[1:] == ['serve']:
    _serve(0, 1)
