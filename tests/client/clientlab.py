# SPDX-License-Identifier: GPL-2.0-or-later
"""Lab for the backend client tests (tests/client), run inside scripts/devbus.

- a throw-away PKI made with openssl in a temp dir;
- a second network namespace with a veth pair (client side 10.99.0.1, server
  side 10.99.0.2) and a real openvpn 2.6 server in it, whose
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

import base64
import grp
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import tempfile
import uuid

import dbus
from gi.repository import GLib

import ovpn3authdriver
import ovpn3pki
import ovpn3sessions
import ovpn3test as t

OPENVPN = '/usr/sbin/openvpn'
BACKEND_IFACE = 'net.openvpn.v3.backends'
BACKEND_PATH = '/net/openvpn/v3/backends/session'
CLIENT_IP = '10.99.0.1'
SERVER_IP = '10.99.0.2'
SERVER_TUN_IP = '10.213.0.1'
PUSHED_NET = '10.214.0.0'
PASSWORD = 'pw-Secret-4711'
USERNAME = 'alice'

# ClientAttentionType/Group and StatusMinor values used by the tests (docs/dbus-api.md §5).
CRED = 1
G_USERPASS, G_PROXY, G_PK, G_STATIC, G_DYNAMIC, G_PENDING, G_URL = 1, 2, 3, 4, 5, 6, 9
CFG_ERROR, CFG_OK, CFG_REQUIRE_USER = 1, 2, 4
CONNECTING, CONNECTED, DISCONNECTING, FAILED, AUTH_FAILED = 6, 7, 8, 10, 11
RECONNECTING, PAUSING, PAUSED, RESUMING, DONE = 12, 13, 14, 15, 16
AUTH_URL, PROC_KILLED = 22, 29


def sh(*args, check=True):
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check and r.returncode != 0:
        raise AssertionError('%s failed: %s' % (' '.join(args), r.stdout))
    return r.stdout


def b64(s):
    return base64.b64encode(s.encode()).decode()


# ---- PKI -------------------------------------------------------------------

def make_pki(d):
    """CA, server and client certificates; the client key also encrypted."""
    ovpn3pki.make_pki(d, 'ovpn3-client-test-ca', 'key-Secret-99')


def read(path):
    with open(path) as f:
        return f.read()


def profile_text(pki, auth_user_pass=True, extra='', key='client.key'):
    lines = ['client', 'dev tun', 'proto udp', 'remote %s 1194' % SERVER_IP, 'nobind',
             'verb 3', 'connect-retry 1 1']
    if auth_user_pass:
        lines.append('auth-user-pass')
    if extra:
        lines.append(extra)
    text = '\n'.join(lines) + '\n'
    for tag, name in (('ca', 'ca.crt'), ('cert', 'client.crt'), ('key', key)):
        text += '<%s>\n%s</%s>\n' % (tag, read(os.path.join(pki, name)), tag)
    return text


# ---- the server namespace ----------------------------------------------------

def default_policy(kind, env):
    """user/pass: alice + PASSWORD; anything else is denied."""
    if env.get('username') == USERNAME and env.get('password') == PASSWORD:
        return ('auth',)
    return ('deny', 'Wrong username or password')


class Server(ovpn3authdriver.AuthDriver):
    """openvpn 2.6 server in its own network namespace, driven through its
    management socket (--management-client-auth): self.policy(kind, env)
    returns ('auth',), ('deny', reason), ('pending', extra, timeout[, approve_after]),
    or ('ignore',)."""

    def __init__(self, tmp, pki, extra=(), push_route=True):
        self.tmp = tmp
        self.ns = 'ovpn3c%d' % os.getpid()
        self.veth = 'vc%d' % (os.getpid() % 100000)
        self.veth_peer = 'vs%d' % (os.getpid() % 100000)
        self.policy = default_policy
        self.proc = None
        sh('ip', 'netns', 'add', self.ns)
        sh('ip', 'link', 'add', self.veth, 'type', 'veth', 'peer', 'name', self.veth_peer,
           'netns', self.ns)
        sh('ip', 'addr', 'add', CLIENT_IP + '/24', 'dev', self.veth)
        sh('ip', 'link', 'set', self.veth, 'up')
        sh('ip', '-n', self.ns, 'addr', 'add', SERVER_IP + '/24', 'dev', self.veth_peer)
        sh('ip', '-n', self.ns, 'link', 'set', self.veth_peer, 'up')
        sh('ip', '-n', self.ns, 'link', 'set', 'lo', 'up')
        self.sock_path = tmp + '/server.sock'
        args = ['ip', 'netns', 'exec', self.ns, OPENVPN, '--mode', 'server', '--tls-server',
                '--dev', 'tun', '--dev-type', 'tun', '--topology', 'subnet',
                '--server', '10.213.0.0', '255.255.255.0',
                '--proto', 'udp', '--local', SERVER_IP, '--port', '1194',
                '--ca', pki + '/ca.crt', '--cert', pki + '/server.crt',
                '--key', pki + '/server.key', '--dh', 'none',
                '--management', self.sock_path, 'unix', '--management-client-auth',
                '--push', 'dhcp-option DNS 10.213.0.53',
                '--push', 'dhcp-option DOMAIN example.test',
                '--keepalive', '2', '10', '--verb', '3', '--script-security', '0',
                '--auth-user-pass-optional'] + list(extra)
        if push_route:
            args += ['--push', 'route %s 255.255.0.0' % PUSHED_NET]
        self.logf = open(tmp + '/server.log', 'w')
        self.proc = subprocess.Popen(args, stdout=self.logf, stderr=subprocess.STDOUT)
        self._start_driver(self.sock_path)

    def close(self):
        if hasattr(self, '_sock'):
            self._stop_driver()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        sh('ip', 'link', 'del', self.veth, check=False)
        sh('ip', 'netns', 'del', self.ns, check=False)


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
                env={'PATH': '/usr/sbin:/usr/bin:/sbin:/bin'}, stdin=subprocess.DEVNULL,
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
        self.tmp = tempfile.mkdtemp(prefix='ovpn3-client-test-')
        self.pki = self.tmp + '/pki'
        os.mkdir(self.pki)
        make_pki(self.pki)
        self.resolv_before = read('/etc/resolv.conf')
        self.server = Server(self.tmp, self.pki, server_extra, push_route)
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
            self.server.close()
            shutil.rmtree(self.tmp, ignore_errors=True)


def expect_error(fn, name_part, message_part):
    try:
        fn()
    except t.CallError as e:
        assert name_part in e.name and message_part in e.message, e
        return e
    raise AssertionError('no error (expected %s: %s)' % (name_part, message_part))
