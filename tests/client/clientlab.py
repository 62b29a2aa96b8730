# SPDX-License-Identifier: GPL-2.0-or-later
"""Lab for the backend client tests (tests/client), run inside scripts/devbus.

- the test server of tests/lib/ovpn3server.py: a throw-away PKI and a real
  openvpn 2.6 server in a second network namespace, whose
  --management-client-auth decisions are made by a Python policy;
- a fake session manager: a bus connection authenticated as the service user
  that owns net.openvpn.v3.sessions, spawns ovpn3-service-client with a token
  (as backendstart does: service user, minimal environment), answers the
  RegistrationRequest, answers LookupBackend for the clients it confirmed
  (configmgr, the log service and netcfg serve a backend only then,
  docs/security.md §5; calls to the client iterate the main loop so that it can answer while
  the client waits for them) and records the backend's signals.

Everything is stopped by PID / name in close(); devbus tears down the rest.
"""

import grp
import os
import pwd
import shlex
import signal
import subprocess
import uuid

import dbus
from gi.repository import GLib

import ovpn3sessions
import ovpn3test as t
# the test server, shared with tests/sessions and tests/compat (lab.X in the tests)
from ovpn3server import (CLIENT_IP, PASSWORD, PUSHED_NET, SERVER_IP,  # noqa: F401
                         SERVER_TUN_IP, USERNAME, Server, ServerLab, b64, default_policy,
                         make_pki, profile_text, read, sh)

BACKEND_IFACE = 'net.openvpn.v3.backends'
BACKEND_PATH = '/net/openvpn/v3/backends/session'

# ClientAttentionType/Group and StatusMinor values used by the tests (docs/dbus-api.md §5).
CRED = 1
G_USERPASS, G_PROXY, G_PK, G_STATIC, G_DYNAMIC, G_PENDING, G_URL = 1, 2, 3, 4, 5, 6, 9
CFG_ERROR, CFG_OK, CFG_REQUIRE_USER = 1, 2, 4
CONNECTING, CONNECTED, DISCONNECTING, FAILED, AUTH_FAILED = 6, 7, 8, 10, 11
RECONNECTING, PAUSING, PAUSED, RESUMING, DONE = 12, 13, 14, 15, 16
AUTH_URL, PROC_KILLED = 22, 29


# ---- the fake session manager ---------------------------------------------------

def pump():
    """Dispatch what arrived (signals queued during blocking calls)."""
    ctx = GLib.MainContext.default()
    for _ in range(1000):
        if not ctx.iteration(False):
            break

def _as_service_user(fn):
    """Run fn() with real+effective uid/gid of the service user (saved uid stays 0)."""
    pw = pwd.getpwnam(t.service_user())
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(pw.pw_gid, pw.pw_gid, 0)
    os.setresuid(pw.pw_uid, pw.pw_uid, 0)
    try:
        return fn()
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


class Backend:
    """One spawned ovpn3-service-client and what it sent us."""

    def __init__(self, mgr, proc, token):
        self.mgr = mgr
        self.proc = proc
        self.token = token
        self.bus_name = None
        self.unique = None
        self.pid = None
        self.session_path = '/net/openvpn/v3/sessions/%s' % uuid.uuid4().hex

    def signals(self, member=None):
        pump()
        return [s for s in self.mgr.received
                if s['sender'] == self.unique
                and (member is None or s['member'] == member)]

    def statuses(self):
        return [tuple(s['args']) for s in self.signals('StatusChange')]

    def attentions(self):
        return [tuple(s['args']) for s in self.signals('AttentionRequired')]

    def wait_attention(self, attention, timeout=None):
        """Waits for AttentionRequired(type, group, message): it is a signal of
        its own, dispatched after the StatusChange a test may have waited for."""
        t.wait_until(lambda: tuple(attention) in self.attentions(), timeout,
                     'AttentionRequired%r; got %r' % (tuple(attention), self.attentions()))

    def logs(self):
        return [tuple(s['args']) for s in self.signals('Log')]

    def call(self, method, *args, signature=None, timeout=None):
        return t.call_pumping(self.mgr.bus, self.bus_name, BACKEND_PATH, BACKEND_IFACE, method,
                              *args, signature=signature, timeout=timeout)

    def prop(self, name):
        return t.call_pumping(self.mgr.bus, self.bus_name, BACKEND_PATH, t.PROPS, 'Get',
                              BACKEND_IFACE, name, signature='ss')

    def wait_status(self, minor, major=2, after=0, timeout=None):
        """Waits for StatusChange(major, minor) among the signals from index `after`;
        returns (index, message)."""
        def found():
            st = self.statuses()
            for i in range(after, len(st)):
                if st[i][0] == major and st[i][1] == minor:
                    return (i, st[i][2])
            return None
        return t.wait_until(found, timeout,
                            'StatusChange(%d, %d); got %r' % (major, minor,
                                                             self.statuses()[after:]))

    def wait_exit(self, timeout=None):
        t.wait_until(lambda: self.proc.poll() is not None, timeout, 'backend client to exit')
        return self.proc.returncode

    def walk_queue(self, answers):
        """Provide every pending slot: answers maps slot name -> value.
        Returns the list of fetched slots."""
        slots = []
        for (typ, grp_) in self.call('UserInputQueueGetTypeGroup'):
            for i in self.call('UserInputQueueCheck', typ, grp_, signature='uu'):
                slot = self.call('UserInputQueueFetch', typ, grp_, i, signature='uuu')
                slots.append(tuple(slot))
                self.call('UserInputProvide', typ, grp_, i, answers[slot[3]], signature='uuus')
        return slots

    def openvpn_pids(self):
        out = []
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                with open('/proc/%s/status' % pid) as f:
                    status = f.read()
            except OSError:
                continue
            if 'PPid:\t%d\n' % self.pid in status:
                out.append(int(pid))
        return out


class FakeSessionManager:
    def __init__(self):
        self.bus = _as_service_user(t.system_bus)
        r = self.bus.request_name(t.SESSIONS_NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
        assert r == dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER, r
        self.received = []
        self.bus.add_signal_receiver(self._on_signal, dbus_interface=BACKEND_IFACE,
                                     sender_keyword='sender', path_keyword='path',
                                     member_keyword='member')
        self.backends = []
        self.root_bus = t.system_bus()
        self.lookup = ovpn3sessions.LookupBackendObject(self.bus)

    def _on_signal(self, *args, sender=None, path=None, member=None):
        self.received.append({'args': t.plain(list(args)), 'sender': str(sender),
                              'path': str(path), 'member': str(member)})

    def import_profile(self, text, name='client-test'):
        return t.call(self.root_bus, t.CONFIG_NAME, t.CONFIG_PATH, t.CONFIG_NAME, 'Import',
                      name, text, False, False, signature='ssbb')

    def spawn(self, token=None, log_level=6):
        """Start the client as backendstart does; returns a Backend once the
        RegistrationRequest with our token arrived."""
        token = token or str(uuid.uuid4()).replace('-', 't')
        pw = pwd.getpwnam(t.service_user())
        group = grp.getgrgid(pw.pw_gid).gr_name
        binary = os.path.join(os.environ['OVPN3_BUILDDIR'], 'services', 'client',
                              'ovpn3-service-client')
        # the same wrapper devbus puts before every service (e.g. valgrind)
        wrapper = shlex.split(os.environ.get('OVPN3_DEVBUS_SERVICE_WRAPPER', ''))
        # the token through an inherited descriptor; the capabilities of
        # backendstart's unit (ambient CAP_SETUID/CAP_SETGID: openvpn runs
        # under an engine uid of its own)
        rfd, wfd = os.pipe()
        os.write(wfd, token.encode())
        os.close(wfd)
        caps = '-all,+setuid,+setgid'
        try:
            proc = subprocess.Popen(
                ['/usr/bin/setpriv', '--nnp', '--bounding-set', caps, '--reuid=' + t.service_user(),
                 '--regid=' + group, '--init-groups', '--inh-caps', caps, '--ambient-caps', caps,
                 '--'] + wrapper + [binary, '--log-level', str(log_level), '--token-fd', str(rfd)],
                # and the test switches, as backendstart passes them on
                env=dict({'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'},
                         **{k: v for k, v in os.environ.items() if k.startswith('OVPN3_TEST_')}),
                stdin=subprocess.DEVNULL,
                pass_fds=(rfd,))
        finally:
            os.close(rfd)
        be = Backend(self, proc, token)
        self.backends.append(be)

        def registered():
            for s in self.received:
                if s['member'] == 'RegistrationRequest' and s['args'][1] == token:
                    return s
            return None
        req = t.wait_until(registered, None, 'RegistrationRequest')
        be.bus_name, _, be.pid = req['args']
        be.unique = req['sender']
        assert be.bus_name == 'net.openvpn.v3.backends.be%d' % be.pid, req
        assert be.pid == proc.pid, (be.pid, proc.pid)
        assert req['path'] == BACKEND_PATH, req
        return be

    def register(self, be, config_path, token=None, host_wide=True):
        """host_wide: the start-host-wide answer, set first as the session
        manager does (docs/security.md §6); without it pushed redirect-gateway and
        global DNS are ignored."""
        t.set_property(self.bus, be.bus_name, BACKEND_PATH, BACKEND_IFACE, 'host_wide',
                       dbus.Boolean(host_wide))
        # from now on LookupBackend names be the backend of its session
        # (profiles are imported by root)
        self.lookup.add(be.unique, be.session_path, config_path, owner=0, pid=be.pid)
        return be.call('RegistrationConfirmation', token or be.token, be.session_path,
                       config_path, signature='soo')

    def close(self):
        for be in self.backends:
            if be.proc.poll() is None:
                be.proc.send_signal(signal.SIGTERM)
                try:
                    be.proc.wait(10)
                except subprocess.TimeoutExpired:
                    be.proc.kill()
                    be.proc.wait()


# ---- the whole lab ------------------------------------------------------------

class Lab:
    def __init__(self, server_extra=(), push_route=True):
        t.require_devbus()
        self.server_lab = ServerLab('ovpn3-client-test-', extra=server_extra,
                                    push_route=push_route)
        self.tmp, self.pki = self.server_lab.tmp, self.server_lab.pki
        self.server, self.resolv_before = self.server_lab.server, self.server_lab.resolv_before
        self.mgr = FakeSessionManager()

    def new_session(self, text=None, register=True):
        """Import a profile, spawn and register a client; returns (backend, config name)."""
        text = text if text is not None else profile_text(self.pki)
        cfg = self.mgr.import_profile(text)
        be = self.mgr.spawn()
        be.config_path = cfg
        name = self.mgr.register(be, cfg) if register else None
        return be, name

    def ping_server(self, count=1):
        r = subprocess.run(['ping', '-n', '-q', '-c', str(count), '-W', '3', SERVER_TUN_IP],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return r.returncode == 0

    def assert_clean(self, be):
        """Nothing of the session is left: process, tun, route, DNS, socket, runtime dir."""
        assert be.proc.poll() is not None, 'backend client still running'
        t.wait_until(lambda: not be.openvpn_pids(), 10, 'openvpn to exit')
        t.wait_until(lambda: 'ovpn3t' not in sh('ip', '-o', 'link', 'show'), 10,
                     'tun device removal: ' + sh('ip', '-o', 'link', 'show'))
        assert PUSHED_NET not in sh('ip', 'route', 'show'), sh('ip', 'route', 'show')
        t.wait_until(lambda: read('/etc/resolv.conf') == self.resolv_before, 10,
                     'resolv.conf restored')
        leftovers = [e for e in os.listdir('/run/ovpn3') if e.startswith('client-')]
        assert not leftovers, leftovers

    def assert_no_secret_logged(self, *secrets):
        texts = [t.service_log()]
        try:
            texts.append(read(os.environ['OVPN3_DEVBUS_JOURNAL']))
        except (OSError, KeyError):
            pass
        for be in self.mgr.backends:
            texts.append(repr(be.logs()))
            texts.append(repr(be.statuses()))
        for s in secrets:
            for text in texts:
                assert s not in text and b64(s) not in text, 'secret %r was logged' % s

    def close(self):
        try:
            self.mgr.close()
        finally:
            self.server_lab.close()
