# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in session manager for the tests of the services that ask it who a
backend client is (docs/security.md §5):
configmgr (Fetch), the log service (AssignSession) and netcfg (everything
that changes the network) call net.openvpn.v3.sessions' LookupBackend for a
process of the service user, and serve it as a backend only if the session
manager names it.

    import ovpn3sessions
    sm = ovpn3sessions.SessionsStandIn()        # owns net.openvpn.v3.sessions
    sm.add(unique_name, config_path=cfg, owner=uid, pid=pid)  # -> session path
    ...                                         # that process is now a backend
    sm.destroy(session_path)                    # SESS_DESTROYED: no longer live
    sm.close()

The stand-in is a process of the service user (the D-Bus policy lets only it
own the name and call LookupBackend) with its own GLib main loop, so it
answers while the test blocks in a call. LookupBackendObject is the object
itself, for a test that owns the name on a connection of its own
(tests/client/clientlab.py, tests/log/logactor.py).
"""

import os
import pickle
import pwd
import select
import subprocess
import sys
import traceback
import uuid

import dbus
import dbus.service
from gi.repository import GLib

import ovpn3test as t

SESSIONS_IFACE = 'net.openvpn.v3.sessions'
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
SESS_DESTROYED = 2


def new_session_path():
    return '/net/openvpn/v3/sessions/' + str(uuid.uuid4()).replace('-', 's')


class _Error(dbus.DBusException):
    def __init__(self, name, text):
        super().__init__(text)
        self._dbus_error_name = name


class LookupBackendObject(dbus.service.Object):
    """/net/openvpn/v3/sessions with LookupBackend, answering from a table:
    unique name -> (session path, config path, owner, backend pid)."""

    def __init__(self, bus):
        super().__init__(bus, t.SESSIONS_PATH)
        self.bus = bus
        self.backends = {}
        self.asked = []         # unique names LookupBackend was asked about

    def add(self, unique_name, session_path=None, config_path='/net/openvpn/v3/configuration/x',
            owner=0, pid=1):
        session_path = session_path or new_session_path()
        self.backends[str(unique_name)] = (session_path, config_path, int(owner), int(pid))
        return session_path

    def remove(self, unique_name):
        self.backends.pop(str(unique_name), None)

    def destroy(self, session_path):
        """Forgets the session's backends and broadcasts SESS_DESTROYED, as
        the session manager does when a session ends."""
        owner = 0
        for name, record in list(self.backends.items()):
            if record[0] == session_path:
                owner = record[2]
                del self.backends[name]
        self.SessionManagerEvent(dbus.ObjectPath(session_path), dbus.UInt16(SESS_DESTROYED),
                                 dbus.UInt32(owner))

    @dbus.service.signal(SESSIONS_IFACE, signature='oqu')
    def SessionManagerEvent(self, path, type_, owner):
        pass

    @dbus.service.method(SESSIONS_IFACE, in_signature='s', out_signature='oouu')
    def LookupBackend(self, unique_name):
        self.asked.append(str(unique_name))
        record = self.backends.get(str(unique_name))
        if record is None:
            raise _Error(INVALID_ARGS, '%s is not the backend client of a session' % unique_name)
        session_path, config_path, owner, pid = record
        return (dbus.ObjectPath(session_path), dbus.ObjectPath(config_path), dbus.UInt32(owner),
                dbus.UInt32(pid))


# ---- the stand-in process ------------------------------------------------------

def _serve():
    bus = t.system_bus()
    r = bus.request_name(t.SESSIONS_NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    assert r == dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER, r
    obj = LookupBackendObject(bus)
    loop = GLib.MainLoop()
    rf, wf = sys.stdin.buffer, sys.stdout.buffer

    def reply(result):
        pickle.dump(result, wf)
        wf.flush()

    def on_command(fd, cond):
        try:
            op, args = pickle.load(rf)
        except EOFError:
            loop.quit()
            return False
        try:
            if op == 'exit':
                reply(('ok', None))
                loop.quit()
                return False
            if op == 'unique_name':
                result = str(bus.get_unique_name())
            elif op == 'call':
                result = t.call(bus, *args[:4], *args[5], signature=args[4])
            elif op == 'asked':
                result = list(obj.asked)
            else:
                result = getattr(obj, op)(*args)
            reply(('ok', t.plain(result)))
        except t.CallError as e:
            reply(('dbus', e.name, e.message))
        except BaseException:
            reply(('exc', traceback.format_exc()))
        return True

    reply(('ok', 'ready'))
    GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_command)
    loop.run()


class SessionsStandIn:
    """Owns net.openvpn.v3.sessions as the service user (in a fresh
    interpreter) and answers LookupBackend from what the test adds."""

    def __init__(self):
        user = t.service_user()
        pw = pwd.getpwnam(user)
        self.proc = subprocess.Popen(
            ['/usr/bin/python3', os.path.abspath(__file__), 'serve'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, user=pw.pw_uid, group=pw.pw_gid,
            extra_groups=[])
        assert self._read() == 'ready'
        self.unique_name = self._request('unique_name')

    def _read(self, timeout=None):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout or (t.CEILING + 10))
        if not ready:
            raise AssertionError('sessions stand-in: no answer')
        try:
            result = pickle.load(self.proc.stdout)
        except EOFError:
            raise AssertionError('sessions stand-in died') from None
        if result[0] == 'ok':
            return result[1]
        if result[0] == 'dbus':
            raise t.CallError(result[1], result[2])
        raise AssertionError('sessions stand-in failed:\n%s' % result[1])

    def _request(self, op, *args):
        pickle.dump((op, args), self.proc.stdin)
        self.proc.stdin.flush()
        return self._read()

    def add(self, unique_name, session_path=None, config_path='/net/openvpn/v3/configuration/x',
            owner=0, pid=1):
        """Makes unique_name the backend client of a session (a new path
        unless given); returns the session path."""
        return self._request('add', unique_name, session_path, config_path, owner, pid)

    def remove(self, unique_name):
        self._request('remove', unique_name)

    def destroy(self, session_path):
        self._request('destroy', session_path)

    def asked(self):
        """Every unique name LookupBackend was asked about, in order."""
        return self._request('asked')

    def call(self, dest, path, iface, method, *args, signature=''):
        """A call from the session manager's connection."""
        return self._request('call', dest, path, iface, method, signature, list(args))

    def close(self):
        if self.proc is None:
            return
        try:
            self._request('exit')
        except (AssertionError, BrokenPipeError, OSError):
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc = None


if __name__ == '__main__' and sys.argv[1:] == ['serve']:
    _serve()
