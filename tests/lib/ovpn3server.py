# SPDX-License-Identifier: GPL-2.0-or-later
"""The test server and a session against it, shared by the tests that need a
real VPN (tests/client, tests/sessions, tests/compat), inside scripts/devbus.

- ServerLab: a throw-away PKI (openssl, in a temp dir) and a real openvpn 2.6
  server in a second network namespace behind a veth pair (client side
  10.99.0.1, server side 10.99.0.2), whose --management-client-auth
  decisions are made by a Python policy (Server.policy); close() removes it.
- profile_text(pki, ...): a client profile for that server.
- cli_session_start(bus, name, text, username, password): a session through
  the real services, the way `openvpn3 session-start` makes one (Import,
  NewTunnel, the credentials queue, Connect, wait for CONN_CONNECTED); run it
  as a user with ovpn3test.run_as(user, ovpn3server.cli_session_start, ...,
  fresh=True) since it iterates a main loop.
- ping(dev): traffic through the tunnel to the server's tun address.

    lab = ovpn3server.ServerLab()
    t.cleanup(lab.close)
    path, elapsed, statuses, info = t.run_as(t.USER_A, ovpn3server.cli_session_start,
        'name', ovpn3server.profile_text(lab.pki), ovpn3server.USERNAME,
        ovpn3server.PASSWORD, fresh=True)
"""

import base64
import os
import shutil
import subprocess
import tempfile
import time

import ovpn3authdriver
import ovpn3pki
import ovpn3test as t

SESSIONS_IFACE = 'net.openvpn.v3.sessions'
CONFIG_IFACE = 'net.openvpn.v3.configuration'
SESS_CREATED = 1

OPENVPN = '/usr/sbin/openvpn'
CLIENT_IP = '10.99.0.1'
SERVER_IP = '10.99.0.2'
SERVER_TUN_IP = '10.213.0.1'
PUSHED_NET = '10.214.0.0'
PASSWORD = 'pw-Secret-4711'
USERNAME = 'alice'


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
    or ('ignore',). client_auth=False (the benchmarks): no --management-client-auth, so the
    server takes every client's credentials at once, without asking anyone."""

    def __init__(self, tmp, pki, extra=(), push_route=True, client_auth=True):
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
                '--management', self.sock_path, 'unix',
                '--push', 'dhcp-option DNS 10.213.0.53',
                '--push', 'dhcp-option DOMAIN example.test',
                '--keepalive', '2', '10', '--verb', '3', '--script-security', '0'] + list(extra)
        if client_auth:
            args += ['--management-client-auth', '--auth-user-pass-optional']
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

class ServerLab:
    """A PKI and a Server in a temp dir; resolv_before is /etc/resolv.conf
    before anything connected (for the checks that nothing is left)."""

    def __init__(self, prefix='ovpn3-lab-', **server_args):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.server = None
        self.pki = self.tmp + '/pki'
        os.mkdir(self.pki)
        make_pki(self.pki)
        self.resolv_before = read('/etc/resolv.conf')
        self.server = Server(self.tmp, self.pki, **server_args)

    def close(self):
        if self.server is not None:
            self.server.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---- a session against the server ----------------------------------------------

def new_tunnel_ordered(bus, config_path):
    """NewTunnel on bus; returns (path, events) where events lists, in
    arrival order, ('event', path, type, owner) for SessionManagerEvent and
    ('reply', path) / ('error', name, message)."""
    events = []
    match = bus.add_signal_receiver(
        lambda p, ty, owner: events.append(('event', str(p), int(ty), int(owner))),
        signal_name='SessionManagerEvent', dbus_interface=SESSIONS_IFACE,
        bus_name=t.SESSIONS_NAME, path=t.SESSIONS_PATH)
    bus.call_async(t.SESSIONS_NAME, t.SESSIONS_PATH, SESSIONS_IFACE, 'NewTunnel', 'o',
                   (config_path,),
                   lambda p: events.append(('reply', str(p))),
                   lambda e: events.append(('error', e.get_dbus_name(), e.get_dbus_message())),
                   timeout=t.CEILING)
    t.wait_until(lambda: any(e[0] in ('reply', 'error') for e in events),
                 what='the NewTunnel reply')
    match.remove()
    result = [e for e in events if e[0] in ('reply', 'error')][0]
    if result[0] == 'error':
        raise t.CallError(result[1], result[2])
    return [result[1], events]


def cli_session_start(bus, name, text, username, password):
    """The D-Bus calls `openvpn3 session-start --config FILE` makes
    (docs/dbus-api.md §9.3), as the calling user, up to CONN_CONNECTED. Returns (session
    path, seconds from NewTunnel to CONN_CONNECTED, statuses seen, a few
    properties of the session)."""
    def c(dest, path, iface, method, *args, signature=None):
        return t.call(bus, dest, path, iface, method, *args, signature=signature)

    for svc in (t.CONFIG_NAME, t.SESSIONS_NAME):
        c('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
          'StartServiceByName', svc, 0, signature='su')
    c(t.CONFIG_NAME, '/', 'org.freedesktop.DBus.Peer', 'Ping')
    c(t.CONFIG_NAME, t.CONFIG_PATH, t.PROPS, 'GetAll', CONFIG_IFACE, signature='s')
    version = t.get_property(bus, t.CONFIG_NAME, t.CONFIG_PATH, CONFIG_IFACE, 'version')
    assert version == 'v27', version
    cfg = c(t.CONFIG_NAME, t.CONFIG_PATH, CONFIG_IFACE, 'Import', name, text, True, False,
            signature='ssbb')
    c(t.CONFIG_NAME, cfg, CONFIG_IFACE, 'Validate')
    c(t.SESSIONS_NAME, t.SESSIONS_PATH, t.PROPS, 'GetAll', SESSIONS_IFACE, signature='s')

    started = time.monotonic()
    path, events = new_tunnel_ordered(bus, cfg)
    assert ('event', path, SESS_CREATED) == tuple(events[0][:3]), events

    def s(method, *args, signature=None):
        return c(t.SESSIONS_NAME, path, SESSIONS_IFACE, method, *args, signature=signature)
    for _ in range(10):
        try:
            s('Ready')
            break
        except t.CallError as e:
            assert 'net.openvpn.v3.error.ready' in e.name + e.message, e
            for (ty, gr) in s('UserInputQueueGetTypeGroup'):
                if ty != 1:
                    continue
                for i in s('UserInputQueueCheck', ty, gr, signature='uu'):
                    slot = s('UserInputQueueFetch', ty, gr, i, signature='uuu')
                    value = username if slot[3] == 'username' else password
                    s('UserInputProvide', ty, gr, i, value, signature='uuus')
    s('Connect')
    seen = []

    def connected():
        st = t.get_property(bus, t.SESSIONS_NAME, path, SESSIONS_IFACE, 'status')
        if not seen or seen[-1] != st:
            seen.append(st)
        assert tuple(st[:2]) not in ((2, 10), (2, 11), (2, 29)), seen
        if tuple(st[:2]) == (2, 7):
            return True
        time.sleep(0.05)
        return False
    t.wait_until(connected, 60, 'CONN_CONNECTED')
    elapsed = time.monotonic() - started
    info = {k: t.get_property(bus, t.SESSIONS_NAME, path, SESSIONS_IFACE, k)
            for k in ('connected_to', 'session_name', 'device_name', 'backend_pid')}
    return [path, elapsed, seen, info]


def ping(dev=None, count=2):
    """Does the server's tun address answer (through dev, if given)?"""
    args = ['ping', '-n', '-q', '-c', str(count), '-W', '3']
    if dev:
        args += ['-I', dev]
    r = subprocess.run(args + [SERVER_TUN_IP], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0
