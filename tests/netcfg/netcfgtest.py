# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the netcfg integration tests (run inside scripts/devbus).

- Backend: a long-lived process running as the service user with its own
  bus connection, like the backend client that netcfg serves; netcfg
  watches its unique name, so it can be killed to test the cleanup. netcfg
  serves only the backend client of a live session, as the session manager
  says (LookupBackend, docs/security.md §5): sessions() is a stand-in session manager
  (tests/lib/ovpn3sessions.py) that confirms each Backend as the backend of
  a session of its own (owner root unless told), and ends it on request.
- TunOpener: a process as the service user with no capabilities that opens
  a tun device by name (TUNSETIFF), as openvpn does, and keeps it open.
- Uplink: a veth pair to a second network namespace with IPv4 + IPv6 and
  default routes through it.
- Resolved: a python-dbusmock stand-in for systemd-resolved that records
  calls.
- dump(): the namespace's links, addresses and routes (`ip -j`).
"""

import fcntl
import json
import os
import pickle
import pwd  # noqa: F401 (n.pwd in the tests)
import select
import signal
import socket
import struct
import subprocess
import sys
import time

import dbus

import ovpn3sessions
import ovpn3test as t

HERE = os.path.dirname(os.path.abspath(__file__))
NETCFG = t.NETCFG_NAME
NETCFG_PATH = t.NETCFG_PATH
RESOLVED_NAME = 'org.freedesktop.resolve1'
RESOLVED_PATH = '/org/freedesktop/resolve1'

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

# The uplink (documentation ranges only).
UPLINK_DEV = 'ovpn3up0'
UPLINK_PEER = 'ovpn3up1'
UPLINK_V4 = '198.51.100.2'
UPLINK_GW4 = '198.51.100.1'
UPLINK_V6 = '2001:db8:100::2'
UPLINK_GW6 = '2001:db8:100::1'
SERVER_V4 = '203.0.113.10'
SERVER_V6 = '2001:db8:203::10'


def _send(fd, obj):
    data = pickle.dumps(obj)
    os.write(fd, struct.pack('!I', len(data)) + data)


def _recv(fd, timeout):
    def read_exact(n):
        buf = b''
        deadline = time.monotonic() + timeout
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError('helper process did not answer within %ss' % timeout)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, n - len(buf))
                if not chunk:
                    raise AssertionError('helper process died')
                buf += chunk
        return buf
    n = struct.unpack('!I', read_exact(4))[0]
    return pickle.loads(read_exact(n))


class _Child:
    """A forked child serving requests over a pipe pair."""

    def __init__(self, user, serve):
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(to_w)
            os.close(from_r)
            code = 0
            try:
                t.become(user)
                serve(to_r, from_w)
            except BaseException:   # noqa: B902
                import traceback
                traceback.print_exc()
                code = 1
            os._exit(code)
        os.close(to_r)
        os.close(from_w)
        self.wfd = to_w
        self.rfd = from_r
        self.alive = True

    def request(self, *req, timeout=None):
        self.request_start(*req)
        return self.request_finish(timeout)

    def request_start(self, *req):
        """Send a request without waiting for its answer."""
        _send(self.wfd, req)

    def request_finish(self, timeout=None):
        result = _recv(self.rfd, timeout or t.CEILING)
        if result[0] == 'ok':
            return result[1]
        if result[0] == 'dbus':
            raise t.CallError(result[1], result[2])
        raise AssertionError('helper failed: %s' % result[1])

    def kill(self, sig=signal.SIGKILL):
        if self.alive:
            os.kill(self.pid, sig)
            os.waitpid(self.pid, 0)
            os.close(self.wfd)
            os.close(self.rfd)
            self.alive = False

    def stop(self):
        if self.alive:
            try:
                _send(self.wfd, ('exit',))
            except OSError:
                pass
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.02)
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            os.close(self.wfd)
            os.close(self.rfd)
            self.alive = False


def _serve_backend(rfd, wfd):
    bus = t.system_bus()
    _send(wfd, ('ok', str(bus.get_unique_name())))
    while True:
        req = _recv(rfd, 3600)
        if req[0] == 'exit':
            bus.close()
            return
        try:
            kind = req[0]
            if kind == 'call':
                _, path, method, args, sig = req
                res = t.call(bus, NETCFG, path, NETCFG, method, *args, signature=sig)
            elif kind == 'set':
                _, path, prop, value = req
                res = t.set_property(bus, NETCFG, path, NETCFG, prop, value)
            elif kind == 'get':
                _, path, prop = req
                res = t.get_property(bus, NETCFG, path, NETCFG, prop)
            elif kind == 'getall':
                _, path = req
                res = t.call(bus, NETCFG, path, t.PROPS, 'GetAll', NETCFG, signature='s')
            else:
                raise ValueError(kind)
            _send(wfd, ('ok', res))
        except t.CallError as e:
            _send(wfd, ('dbus', e.name, e.message))
        except Exception as e:   # noqa: B902
            _send(wfd, ('exc', repr(e)))


_sessions = None


def sessions():
    """The stand-in session manager of this test (started on first use; it
    owns net.openvpn.v3.sessions until the test ends)."""
    global _sessions
    if _sessions is None:
        _sessions = ovpn3sessions.SessionsStandIn()
    return _sessions


class Backend(_Child):
    """Calls netcfg as `user` (default: the service user) from one bus
    connection that lives until stop()/kill(). With session (default), the
    stand-in session manager confirms it as the backend client of a new
    session of `owner`; without, it is just a process of that user."""

    def __init__(self, user=None, session=True, owner=0):
        sm = sessions() if session else None
        super().__init__(user or t.service_user(), _serve_backend)
        self.unique_name = _recv(self.rfd, t.CEILING)[1]
        self.session_path = sm.add(self.unique_name, owner=owner, pid=self.pid) if sm else None

    def end_session(self):
        """Its session ends (SESS_DESTROYED); returns once netcfg has seen it."""
        sm = sessions()
        sm.destroy(self.session_path)
        # a call on the signal's connection: netcfg handled the signal first
        sm.call(NETCFG, NETCFG_PATH, t.PROPS, 'Get', NETCFG, 'version', signature='ss')

    def call(self, path, method, *args, signature=''):
        return self.request('call', path, method, args, signature)

    def call_start(self, path, method, *args, signature=''):
        self.request_start('call', path, method, args, signature)

    def call_finish(self, timeout=None):
        return self.request_finish(timeout)

    def set(self, path, prop, value):
        return self.request('set', path, prop, value)

    def get(self, path, prop):
        return self.request('get', path, prop)

    def getall(self, path):
        return self.request('getall', path)

    def create(self, prefix='ovpn3t', layer=3):
        path = self.call(NETCFG_PATH, 'CreateVirtualInterface', prefix, signature='s')
        if layer:
            self.set(path, 'layer', dbus.UInt32(layer))
        return path


def _serve_tun(name, flags):
    def serve(rfd, wfd):
        fd = os.open('/dev/net/tun', os.O_RDWR)
        ifr = struct.pack('16sH', name.encode(), flags) + b'\0' * 22
        try:
            fcntl.ioctl(fd, TUNSETIFF, ifr)
            _send(wfd, ('ok', 'opened'))
        except OSError as e:
            _send(wfd, ('ok', 'error: %s' % e))
        while True:
            req = _recv(rfd, 3600)
            if req[0] == 'write':
                # ('write', packet): hand a packet (a frame on tap) to the kernel
                _send(wfd, ('ok', os.write(fd, req[1])))
                continue
            if req[0] != 'read':
                break
            # ('read', timeout): the next packet the kernel routed into the tun
            r, _, _ = select.select([fd], [], [], req[1])
            _send(wfd, ('ok', os.read(fd, 65536) if r else None))
        os.close(fd)
    return serve


def cap_eff(pid='self'):
    with open('/proc/%s/status' % pid) as f:
        for line in f:
            if line.startswith('CapEff:'):
                return int(line.split()[1], 16)
    return None


class TunOpener(_Child):
    """Opens the tun device `name` by name as the service user, without
    capabilities, and keeps it open (like openvpn) until stop()."""

    def __init__(self, name, tap=False, user=None):
        super().__init__(user or t.service_user(),
                         _serve_tun(name, (IFF_TAP if tap else IFF_TUN) | IFF_NO_PI))
        self.result = _recv(self.rfd, t.CEILING)[1]

    def read_packet(self, timeout=5):
        """The next packet routed into the device (bytes), or None."""
        return self.request('read', timeout, timeout=timeout + t.CEILING)

    def write_packet(self, packet):
        """Writes packet to the device as openvpn does with what arrives
        through the tunnel; returns the byte count written."""
        return self.request('write', bytes(packet))


def send_udp(dst, port=9):
    """Sends one UDP datagram (routing decides where it goes)."""
    family = socket.AF_INET6 if ':' in dst else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.sendto(b'ovpn3-netcfg-test', (dst, port))


def ip(*args, check=True):
    r = subprocess.run(['ip'] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if check and r.returncode != 0:
        raise AssertionError('ip %s: %s' % (' '.join(args), r.stderr.strip()))
    return r.stdout


def ipj(*args):
    out = ip('-j', *args)
    return json.loads(out) if out.strip() else []


class Uplink:
    """veth to a second namespace, with IPv4/IPv6 default routes."""

    def __init__(self):
        self.ns = 'ovpn3-peer-%d' % os.getpid()
        ip('netns', 'add', self.ns)
        ip('link', 'add', UPLINK_DEV, 'type', 'veth', 'peer', 'name', UPLINK_PEER,
           'netns', self.ns)
        ip('link', 'set', UPLINK_DEV, 'addrgenmode', 'none')
        ip('-n', self.ns, 'link', 'set', UPLINK_PEER, 'addrgenmode', 'none')
        ip('addr', 'add', UPLINK_V4 + '/24', 'dev', UPLINK_DEV)
        ip('addr', 'add', UPLINK_V6 + '/64', 'dev', UPLINK_DEV, 'nodad')
        ip('-n', self.ns, 'addr', 'add', UPLINK_GW4 + '/24', 'dev', UPLINK_PEER)
        ip('-n', self.ns, 'addr', 'add', UPLINK_GW6 + '/64', 'dev', UPLINK_PEER, 'nodad')
        ip('link', 'set', UPLINK_DEV, 'up')
        ip('-n', self.ns, 'link', 'set', UPLINK_PEER, 'up')
        ip('-n', self.ns, 'link', 'set', 'lo', 'up')
        ip('route', 'add', 'default', 'via', UPLINK_GW4, 'dev', UPLINK_DEV)
        ip('-6', 'route', 'add', 'default', 'via', UPLINK_GW6, 'dev', UPLINK_DEV)
        self.ifindex = ipj('link', 'show', UPLINK_DEV)[0]['ifindex']

    def close(self):
        ip('netns', 'del', self.ns, check=False)
        ip('link', 'del', UPLINK_DEV, check=False)


def dump():
    """Links, addresses and routes of the namespace, comparable with ==."""
    links = ipj('link', 'show')
    addrs = ipj('addr', 'show')
    for a in addrs:
        for info in a.get('addr_info', []):
            info.pop('valid_life_time', None)
            info.pop('preferred_life_time', None)
    routes4 = ipj('-4', 'route', 'show', 'table', 'all')
    routes6 = ipj('-6', 'route', 'show', 'table', 'all')
    for r in routes6:
        r.pop('expires', None)
    return {'links': links, 'addrs': addrs, 'routes4': routes4, 'routes6': routes6}


def link_exists(name):
    r = subprocess.run(['ip', 'link', 'show', 'dev', name], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0


def routes_of(dev, family='-4'):
    """Main-table routes through dev as (dst, gateway or None, protocol)."""
    out = []
    for r in ipj(family, 'route', 'show', 'table', 'main'):
        if r.get('dev') == dev:
            out.append((r['dst'], r.get('gateway'), r.get('protocol')))
    return sorted(out)


def addrs_of(dev):
    """(family, local, prefixlen) of dev, without link-local addresses."""
    out = []
    for a in ipj('addr', 'show', 'dev', dev):
        for info in a.get('addr_info', []):
            if info.get('scope') == 'link':
                continue
            out.append((info['family'], info['local'], info['prefixlen']))
    return sorted(out)


def route_get(dst):
    return ipj('route', 'get', dst)[0]


def process_gone(pid):
    """True once pid has exited (gone, or a zombie not reaped yet)."""
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith('State:'):
                    return line.split()[1] == 'Z'
    except OSError:
        return True
    return False


def stop_netcfg(bus, sig):
    """Sends sig to netcfg and waits until the process has exited (its
    bus name goes before its clean-up ends)."""
    pid = netcfg_pid(bus)
    os.kill(pid, sig)
    t.wait_until(lambda: process_gone(pid), what='netcfg (pid %d) to exit' % pid)
    t.wait_name_gone(bus, NETCFG)


def netcfg_pid(bus):
    return t.name_pid(bus, NETCFG)


def ensure_netcfg(bus):
    """Activates netcfg (as the service user may) and returns its pid."""
    t.call_as(t.service_user(), NETCFG, NETCFG_PATH, NETCFG, 'DcoAvailable')
    return netcfg_pid(bus)


class Resolved:
    """python-dbusmock stand-in for systemd-resolved that records calls."""

    def __init__(self, bus, delay=0):
        self.bus = bus
        env = dict(os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'dbusmock', '--system', '--template',
             os.path.join(HERE, 'resolved_template.py'), '--parameters',
             json.dumps({'delay': delay})],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        t.wait_for_name(bus, RESOLVED_NAME)

    def calls(self):
        """[(method, [args...]) ...] in order."""
        out = []
        for _ts, method, args in t.call(self.bus, RESOLVED_NAME, RESOLVED_PATH,
                                        'org.freedesktop.DBus.Mock', 'GetCalls'):
            out.append((method, args))
        return out

    def clear(self):
        t.call(self.bus, RESOLVED_NAME, RESOLVED_PATH, 'org.freedesktop.DBus.Mock',
               'ClearCalls')

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        t.wait_name_gone(self.bus, RESOLVED_NAME)
