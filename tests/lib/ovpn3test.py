# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for ovpn3 integration tests that run inside scripts/devbus.

Run a test as `scripts/devbus run -- /usr/bin/python3 tests/.../test_x.py`
(devbus puts this directory on PYTHONPATH). Everything here is plain
dbus-python + GLib; nothing starts a bus.

    import ovpn3test as t
    bus = t.system_bus()                       # root's connection
    t.polkit_allow('net.openvpn.v3.manage-others')
    paths = t.run_as(t.USER_A, lambda bus: bus.call_blocking(
        t.CONFIG_NAME, t.CONFIG_PATH, t.CONFIG_NAME, 'FetchAvailableConfigs', '', ()))
    try:
        t.call_as(t.USER_B, t.CONFIG_NAME, path, t.CONFIG_NAME, 'Fetch')
    except t.CallError as e:
        assert e.name == 'org.freedesktop.DBus.Error.AccessDenied', e
    j = t.Journal()                            # remember the current end
    ...                                        # something that logs
    entry = j.wait_for(lambda e: 'hello' in e.get('MESSAGE', ''))

Waits take a `timeout` and fail with AssertionError after it; the defaults
are generous ceilings (CEILING seconds, default 30, override with
OVPN3_TEST_CEILING); a design deadline of N seconds is tested with
`scaled(N)` = 10 x N.

A test file is a list of cases run by `main()` (see ovpn3tap.py for the TAP
runner): `def test_what_it_proves(): ...` and, last, `t.main()`. The shared
helpers every area uses live here: `run_as` (the one way to act as another
user), `expect_error` (a call must fail with this D-Bus error), `Signals`
(collect and wait for signals), `Journal`, the polkit and resolved stand-ins.
"""

import configparser
import importlib
import json
import os
import pickle
import pwd
import select
import signal
import subprocess
import sys
import time
import traceback

import dbus
import dbus.mainloop.glib
from gi.repository import GLib

from ovpn3tap import Skip, cleanup, main, skip  # noqa: F401 (the runner, re-exported)

dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)

CEILING = float(os.environ.get('OVPN3_TEST_CEILING', '30'))
USER_A = 'ovpn3-test-a'
USER_B = 'ovpn3-test-b'

LOG_NAME = 'net.openvpn.v3.log'
LOG_PATH = '/net/openvpn/v3/log'
CONFIG_NAME = 'net.openvpn.v3.configuration'
CONFIG_PATH = '/net/openvpn/v3/configuration'
SESSIONS_NAME = 'net.openvpn.v3.sessions'
SESSIONS_PATH = '/net/openvpn/v3/sessions'
BACKENDS_NAME = 'net.openvpn.v3.backends'
BACKENDS_PATH = '/net/openvpn/v3/backends'
NETCFG_NAME = 'net.openvpn.v3.netcfg'
NETCFG_PATH = '/net/openvpn/v3/netcfg'
PROPS = 'org.freedesktop.DBus.Properties'

POLKIT_NAME = 'org.freedesktop.PolicyKit1'
POLKIT_PATH = '/org/freedesktop/PolicyKit1/Authority'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'


def require_devbus():
    """Fail clearly when a test is started outside scripts/devbus."""
    if os.environ.get('OVPN3_DEVBUS') != '1':
        sys.stderr.write('this test must run inside scripts/devbus\n')
        sys.exit(1)


def _devbus_config():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(os.path.join(os.environ.get('OVPN3_BUILDDIR', 'build'),
                          'dbus-services', 'devbus.ini'))
    return cfg


def service_user():
    """The service user of this build (meson option service_user)."""
    return _devbus_config().get('devbus', 'service_user', fallback='openvpn')


def engine_uid_range():
    """(first, last) engine uid of this build (docs/security.md §3, meson options)."""
    cfg = _devbus_config()
    return (cfg.getint('devbus', 'engine_uid_min'), cfg.getint('devbus', 'engine_uid_max'))


def require_test_switches():
    """Fail clearly in a build without -Dtest_switches=true (scripts/check makes one)."""
    if not _devbus_config().getboolean('devbus', 'test_switches', fallback=False):
        sys.stderr.write('this test needs a build configured with -Dtest_switches=true '
                         '(scripts/check configures build-check that way)\n')
        sys.exit(1)


def service_binary(name):
    """Build-tree path of a service binary, by its table name ('configmgr')."""
    return _devbus_config().get('service ' + name, 'binary')


def unused_uid():
    """A uid that names no user on this machine (for refusal tests)."""
    for uid in range(64999, 50000, -1):
        try:
            pwd.getpwuid(uid)
        except KeyError:
            return uid
    raise AssertionError('no unused uid found')


def scaled(seconds):
    """The ceiling for a deadline the docs promise (10x)."""
    return seconds * 10


def system_bus():
    """A new private connection to the devbus system bus."""
    return dbus.bus.BusConnection(os.environ['DBUS_SYSTEM_BUS_ADDRESS'])


def plain(value):
    """dbus-python values -> plain Python (str, int, bool, float, list, dict, tuple)."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(value)
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16,
                          dbus.UInt32, dbus.UInt64)):
        return int(value)
    if isinstance(value, dbus.Double):
        return float(value)
    if isinstance(value, dbus.Struct) or isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, (dbus.Array, list)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Dictionary, dict)):
        return {plain(k): plain(v) for k, v in value.items()}
    return value


class CallError(Exception):
    """A D-Bus error returned to a call (also from run_as/call_as children)."""

    def __init__(self, name, message):
        super().__init__('%s: %s' % (name, message))
        self.name = name
        self.message = message


def call(bus, dest, path, iface, method, *args, signature=None, timeout=None):
    """Call a method; returns plain Python values, raises CallError."""
    if signature is None:
        signature = ''
    try:
        return plain(bus.call_blocking(dest, path, iface, method, signature, args,
                                       timeout=timeout or CEILING))
    except dbus.exceptions.DBusException as e:
        raise CallError(e.get_dbus_name(), e.get_dbus_message()) from None


def call_pumping(bus, dest, path, iface, method, *args, signature=None, timeout=None):
    """call(), but iterating the GLib main context while it waits, so that
    objects this process exports on its connections keep answering (a
    stand-in service that is called back during the call)."""
    done = []
    bus.call_async(dest, path, iface, method, signature or '', args,
                   lambda *r: done.append(('ok', r)),
                   lambda e: done.append(('error', e)), timeout=timeout or CEILING)
    wait_until(lambda: done, (timeout or CEILING) + 5, 'the reply to %s' % method)
    kind, value = done[0]
    if kind == 'error':
        raise CallError(value.get_dbus_name(), value.get_dbus_message())
    if len(value) == 0:
        return None
    return plain(value[0] if len(value) == 1 else tuple(value))


def get_property(bus, dest, path, iface, prop):
    return call(bus, dest, path, PROPS, 'Get', iface, prop, signature='ss')


def set_property(bus, dest, path, iface, prop, value):
    """value must carry its D-Bus type, e.g. dbus.UInt32(5) or dbus.Boolean(True)."""
    return call(bus, dest, path, PROPS, 'Set', iface, prop, value, signature='ssv')


def become(user):
    """Turn this process into `user` for good: uid, gid and supplementary
    groups (the one privilege drop of the tests; a child process calls it)."""
    pw = pwd.getpwnam(user)
    os.initgroups(user, pw.pw_gid)
    os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
    os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)


def uid_of(user):
    return pwd.getpwnam(user).pw_uid


def run_as(user, fn, *args, timeout=None, fresh=False):
    """Run fn(bus, *args) in a child process as `user` (uid, gid and
    supplementary groups), with its own bus connection. Returns fn's result
    (made plain and pickled back); a D-Bus error in the child is raised here
    as CallError, anything else as AssertionError with the child's traceback.

    fresh=True runs it in a new interpreter instead of a fork (for a fn that
    iterates a GLib main loop, which a fork would share with this process):
    fn must then be a function of an importable helper module, and args and
    the result must be JSON values."""
    if fresh:
        return _run_fresh(user, fn, args, timeout)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            become(user)
            bus = system_bus()
            try:
                result = ('ok', plain(fn(bus, *args)))
            except dbus.exceptions.DBusException as e:
                result = ('dbus', e.get_dbus_name(), e.get_dbus_message())
            except CallError as e:
                result = ('dbus', e.name, e.message)
            bus.close()
        except BaseException:   # report everything to the parent
            result = ('exc', traceback.format_exc())
        with os.fdopen(wfd, 'wb') as f:
            try:
                pickle.dump(result, f)
            except Exception:
                pickle.dump(('exc', traceback.format_exc()), f)
        os._exit(0)
    os.close(wfd)
    with os.fdopen(rfd, 'rb') as f:
        deadline = time.monotonic() + (timeout or CEILING)
        data = b''
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise AssertionError('run_as(%s): no answer within %ss' % (user, timeout or CEILING))
            ready, _, _ = select.select([f], [], [], left)
            if ready:
                data = f.read()
                break
    os.waitpid(pid, 0)
    if not data:
        raise AssertionError('run_as(%s): child died without an answer' % user)
    result = pickle.loads(data)
    if result[0] == 'ok':
        return result[1]
    if result[0] == 'dbus':
        raise CallError(result[1], result[2])
    raise AssertionError('run_as(%s) failed in the child:\n%s' % (user, result[1]))


def _run_fresh(user, fn, args, timeout):
    module = fn.__module__
    assert module != '__main__', 'run_as(fresh=True) needs a function of a helper module'
    where = os.path.dirname(os.path.abspath(sys.modules[module].__file__))
    pw = pwd.getpwnam(user)
    runner = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ovpn3run.py')
    r = subprocess.run(['/usr/bin/setpriv', '--reuid=%d' % pw.pw_uid, '--regid=%d' % pw.pw_gid,
                        '--init-groups', '/usr/bin/python3', runner, where, module, fn.__name__,
                        json.dumps(list(args))],
                       stdout=subprocess.PIPE, timeout=timeout or 2 * CEILING, text=True)
    lines = r.stdout.strip().splitlines()
    assert r.returncode == 0 and lines, 'run_as(%s, %s) failed (%d): %r' % (
        user, fn.__name__, r.returncode, r.stdout)
    out = json.loads(lines[-1])
    if 'error' in out:
        raise CallError(*out['error'])
    return out['ok']


def run_fresh_child(where, module, function, args_json):
    """The child side of run_as(fresh=True) (tests/lib/ovpn3run.py)."""
    sys.path.insert(0, where)
    fn = getattr(importlib.import_module(module), function)
    bus = system_bus()
    try:
        out = {'ok': plain(fn(bus, *json.loads(args_json)))}
    except CallError as e:
        out = {'error': [e.name, e.message]}
    except dbus.exceptions.DBusException as e:
        out = {'error': [e.get_dbus_name(), e.get_dbus_message()]}
    sys.stdout.write(json.dumps(out) + '\n')


def call_as(user, dest, path, iface, method, *args, signature=None):
    """call() as another user (run_as of one call); plain values or CallError."""
    return run_as(user, lambda bus: call(bus, dest, path, iface, method, *args,
                                         signature=signature))


def expect_error(fn, name=None, message=None):
    """fn() must fail with a D-Bus error: named `name` (exactly) if given,
    with `message` in its text if given. Returns the CallError."""
    try:
        result = fn()
    except CallError as e:
        error = e
    except dbus.exceptions.DBusException as e:
        error = CallError(e.get_dbus_name(), e.get_dbus_message())
    else:
        raise AssertionError('expected the D-Bus error %s (%r), the call returned %r'
                             % (name or '(any)', message, result))
    if name is not None:
        assert error.name == name, 'expected %s, got %s: %s' % (name, error.name, error.message)
    if message is not None:
        assert message in error.message, 'expected %r in %r (%s)' % (message, error.message,
                                                                     error.name)
    return error


# ---- polkitd stand-in (python-dbusmock template 'polkitd') ----------------
# It ignores the subject: an allowed action is allowed for every caller.
# (Services authorise uid 0 without asking polkit.)

def _polkit(method, signature, *args):
    call(system_bus(), POLKIT_NAME, POLKIT_PATH, MOCK_IFACE, method, *args,
         signature=signature)


def polkit_allow(*actions):
    """Allow exactly these action ids (replaces the previous list)."""
    _polkit('SetAllowed', 'as', dbus.Array(actions, signature='s'))


def polkit_deny_all():
    _polkit('SetAllowed', 'as', dbus.Array([], signature='s'))
    _polkit('AllowUnknown', 'b', False)


def polkit_allow_unknown(allow=True):
    """Allow (or stop allowing) every action not listed by polkit_allow."""
    _polkit('AllowUnknown', 'b', bool(allow))


def polkit_set_delay(seconds):
    """Make every CheckAuthorization answer after `seconds` (async tests)."""
    _polkit('SetDelay', 'd', float(seconds))


# ---- systemd-resolved stand-in ---------------------------------------------
# python-dbusmock 0.28 has no resolved template: a plain mock object with the
# per-link methods netcfg uses, recording every call.

RESOLVED_NAME = 'org.freedesktop.resolve1'
RESOLVED_PATH = '/org/freedesktop/resolve1'
RESOLVED_IFACE = 'org.freedesktop.resolve1.Manager'
RESOLVED_METHODS = [('SetLinkDNS', 'ia(iay)'), ('SetLinkDNSEx', 'ia(iayqs)'),
                    ('SetLinkDomains', 'ia(sb)'), ('SetLinkDefaultRoute', 'ib'),
                    ('SetLinkLLMNR', 'is'), ('SetLinkMulticastDNS', 'is'),
                    ('SetLinkDNSOverTLS', 'is'), ('SetLinkDNSSEC', 'is'),
                    ('SetLinkDNSSECNegativeTrustAnchors', 'ias'), ('RevertLink', 'i')]


class ResolvedMock:
    """Start the stand-in (as root, which the devbus bus lets own the name):
        r = ResolvedMock(); ...; r.calls() -> [(method, [args...]), ...]
    It lives until stop() or the end of the devbus run."""

    def __init__(self, timeout=None):
        self.proc = subprocess.Popen(
            ['/usr/bin/python3', '-m', 'dbusmock', '--system', RESOLVED_NAME, RESOLVED_PATH,
             RESOLVED_IFACE], stdout=subprocess.DEVNULL)
        self.bus = system_bus()
        wait_for_name(self.bus, RESOLVED_NAME, timeout)
        methods = dbus.Array([(m, sig, '', '') for m, sig in RESOLVED_METHODS],
                             signature='(ssss)')
        call(self.bus, RESOLVED_NAME, RESOLVED_PATH, MOCK_IFACE, 'AddMethods',
             RESOLVED_IFACE, methods, signature='sa(ssss)')

    def calls(self):
        """Every call so far, oldest first: (method name, plain args)."""
        return [(c[1], c[2]) for c in
                call(self.bus, RESOLVED_NAME, RESOLVED_PATH, MOCK_IFACE, 'GetCalls')]

    def clear(self):
        call(self.bus, RESOLVED_NAME, RESOLVED_PATH, MOCK_IFACE, 'ClearCalls')

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
        wait_name_gone(self.bus, RESOLVED_NAME)


# ---- main loop, names, signals --------------------------------------------

def process_gone(pid):
    """No such process, or a zombie nobody reaped yet (a killed process re-parented to
    devbus's init)."""
    try:
        with open('/proc/%s/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except OSError:
        return True


def dispatch_pending():
    """Handles what the main context has ready (the signals already received) without
    waiting: what a test counts without waiting for it must have been dispatched."""
    ctx = GLib.MainContext.default()
    while ctx.iteration(False):
        pass


def wait_until(predicate, timeout=None, what='condition'):
    """Iterate the GLib main context until predicate() is true: checked after every
    event (a D-Bus message is handled as soon as it arrives) and at least every 10 ms
    (for what is not an event of the context: processes, files)."""
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + (timeout or CEILING)
    tick = GLib.timeout_add(10, lambda: True)
    try:
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError('timed out after %ss waiting for %s'
                                     % (timeout or CEILING, what))
            ctx.iteration(True)
    finally:
        GLib.source_remove(tick)


def name_has_owner(bus, name):
    return bool(bus.name_has_owner(name))


def wait_for_name(bus, name, timeout=None):
    wait_until(lambda: name_has_owner(bus, name), timeout, 'name %s' % name)


def wait_name_gone(bus, name, timeout=None):
    wait_until(lambda: not name_has_owner(bus, name), timeout, '%s to vanish' % name)


def name_pid(bus, name):
    return int(bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                 'org.freedesktop.DBus', 'GetConnectionUnixProcessID',
                                 's', (name,)))


def kill_service(bus, name, sig=signal.SIGKILL, timeout=None):
    """Send sig to the process owning name and wait until the name is gone."""
    os.kill(name_pid(bus, name), sig)
    wait_name_gone(bus, name, timeout)


class Signals:
    """Collect signals matching dbus-python's add_signal_receiver keywords
    (signal_name, dbus_interface, bus_name, path, ...). Each item of .received
    is a dict: args (plain), member, interface, path, sender."""

    def __init__(self, bus, **match):
        self.bus = bus
        self.received = []
        self._match = bus.add_signal_receiver(
            self._on_signal, sender_keyword='sender', path_keyword='path',
            member_keyword='member', interface_keyword='interface', **match)

    def _on_signal(self, *args, sender=None, path=None, member=None, interface=None):
        self.received.append({'args': plain(list(args)), 'sender': str(sender),
                              'path': str(path), 'member': str(member),
                              'interface': str(interface)})

    def wait(self, count=1, timeout=None):
        """Wait until at least count signals arrived; returns .received."""
        wait_until(lambda: len(self.received) >= count, timeout,
                   '%d signal(s) (%d so far)' % (count, len(self.received)))
        return self.received

    def wait_for(self, match, timeout=None, what=None):
        """Wait for a signal for which match(signal) is true (match may also
        be the list of its arguments); returns that signal."""
        if not callable(match):
            want = plain(list(match))
            match = lambda s: s['args'] == want  # noqa: E731
        found = wait_until(lambda: [s for s in self.received if match(s)], timeout,
                           what or 'a matching signal (%d received)' % len(self.received))
        return found[0]

    def settle(self, seconds=0.5):
        """Process events for a while (to check that nothing else arrives)."""
        end = time.monotonic() + seconds
        wait_until(lambda: time.monotonic() > end, seconds + 5, 'settle')
        return self.received

    def remove(self):
        self._match.remove()


# ---- journal stand-in -----------------------------------------------------

class Journal:
    """What services sent to /run/systemd/journal/socket (sd_journal_send),
    one dict per record with the fields as strings (repeated fields as
    lists) plus _PID, _UID, _GID of the sender. Only records that arrive
    after the Journal object was created are returned."""

    def __init__(self, path=None):
        self.path = path or os.environ['OVPN3_DEVBUS_JOURNAL']
        self.offset = os.path.getsize(self.path)
        self.pending = []

    def entries(self):
        """New complete records since the last call (or since creation)."""
        with open(self.path, 'rb') as f:
            f.seek(self.offset)
            data = f.read()
        end = data.rfind(b'\n') + 1
        self.offset += end
        out = self.pending + [json.loads(line) for line in data[:end].splitlines() if line]
        self.pending = []
        return out

    def wait_for(self, match, timeout=None):
        """Wait for a record for which match(record) is true (match may also
        be a dict of field -> value that must all be equal); returns it."""
        if isinstance(match, dict):
            want = match
            match = lambda e: all(e.get(k) == v for k, v in want.items())  # noqa: E731
        found = []

        def check():
            batch = self.entries()
            for i, e in enumerate(batch):
                if match(e):
                    found.append(e)
                    self.pending = batch[i + 1:]
                    return True
            return False
        wait_until(check, timeout, 'journal record')
        return found[0]


def service_log():
    """The services' stderr and the bus log so far (for assertions/diagnosis)."""
    with open(os.environ['OVPN3_DEVBUS_LOG'], errors='replace') as f:
        return f.read()
