#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile engine: put in openvpn's place by tests/security
(OVPN3_TEST_OPENVPN_BINARY, a -Dtest_switches=true build), started by a real
session through the real services with openvpn's argv. It plays what a VPN
server that took over openvpn could do (docs/security.md §2).

It finds its part from the files the test left in WORK (world-writable):
  no targets.json yet  -> victim: says where its management socket is
                          (victim.json), waits for WORK/done, exits;
  no report.json yet   -> attacker: reports its own /proc/self/status, tries
                          every attack on the victim and the services, then
                          plays openvpn on its management socket (hold, up,
                          CONNECTED) so that netcfg brings its tun up, writes
                          router advertisements into it, leaves a process
                          behind, and writes report.json;
  otherwise            -> plain: writes plain-<pid>.json with its uid, exits.
"""

import ctypes
import errno
import fcntl
import json
import os
import re
import select
import socket
import struct
import sys
import threading
import time

import dbus
import dbus.lowlevel

WORK = '/run/ovpn3-hostile'
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER = 0x10000000
TUNSETIFF = 0x400454ca
IFF_TUN, IFF_TAP, IFF_NO_PI = 0x0001, 0x0002, 0x1000
SIOCGIFFLAGS = 0x8913
IFF_UP = 0x1
TOKEN_RE = re.compile(rb'[0-9a-f]{8}t[0-9a-f]{4}t[0-9a-f]{4}t[0-9a-f]{4}t[0-9a-f]{12}')


def trace(msg):
    """What the engine is doing, for the test's output when something hangs."""
    with open(os.path.join(WORK, 'engine-%d.log' % os.getpid()), 'a') as f:
        f.write('%.3f %s\n' % (time.monotonic(), msg))


def arg(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def write_json(name, data):
    tmp = os.path.join(WORK, '.%s.%d' % (name, os.getpid()))
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=1)
    os.chmod(tmp, 0o644)
    os.rename(tmp, os.path.join(WORK, name))


def proc_status():
    with open('/proc/self/status') as f:
        fields = dict(line.rstrip('\n').split(':\t', 1) for line in f if ':\t' in line)
    return {k: fields[k].split() for k in ('Uid', 'Gid', 'Groups', 'CapInh', 'CapPrm', 'CapEff',
                                           'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp')}


class Attacks:
    def __init__(self, targets):
        self.t = targets
        self.results = []
        self.bus = None

    def attempt(self, name, fn):
        trace('attack: ' + name)
        try:
            detail = fn()
            outcome = 'succeeded'
        except dbus.exceptions.DBusException as e:
            outcome, detail = 'refused', '%s: %s' % (e.get_dbus_name(), e.get_dbus_message())
        except OSError as e:
            outcome = 'refused'
            detail = '%s (%s)' % (errno.errorcode.get(e.errno, e.errno), e.strerror)
        except Refused as e:
            outcome, detail = 'refused', str(e)
        self.results.append({'attack': name, 'outcome': outcome, 'detail': str(detail)[:300]})

    def call(self, dest, path, iface, method, sig='', args=()):
        return self.bus.call_blocking(dest, path, iface, method, sig, args, timeout=10)

    def run(self):
        t = self.t
        self.attempt('read the state directory', lambda: self.read_tree(t['statedir']))
        self.attempt('list the runtime directory', lambda: os.listdir(t['runtimedir']))
        self.attempt('read netcfg\'s state', lambda: self.read_tree(t['runtimedir'] + '/netcfg'))
        self.attempt('read the engine uid locks', lambda: os.listdir(t['runtimedir'] + '/engines'))
        self.attempt('read /proc/PID/mem of the victim\'s backend client',
                     lambda: self.read_proc(t['victim_client_pid'], 'mem'))
        self.attempt('read /proc/PID/environ of the victim\'s backend client',
                     lambda: self.read_proc(t['victim_client_pid'], 'environ'))
        self.attempt('read /proc/PID/mem of the victim\'s engine',
                     lambda: self.read_proc(t['victim_engine_pid'], 'mem'))
        self.attempt('find the victim\'s registration token in /proc', self.steal_token)
        self.attempt('setresuid to the victim engine\'s uid',
                     lambda: self.libc_call('setresuid', *([t['victim_engine_uid']] * 3)))
        self.attempt('unshare a user namespace',
                     lambda: self.libc_call('unshare', CLONE_NEWUSER))
        self.attempt('connect to the victim\'s management socket', self.connect_victim)
        self.attempt('signal the session manager', lambda: os.kill(t['sessionmgr_pid'], 0))
        self.attempt('signal the victim\'s backend client',
                     lambda: os.kill(t['victim_client_pid'], 0))
        self.bus, why = connect_bus()
        if self.bus is None:
            # dbus-daemon admits no uid without a user entry: every D-Bus
            # attack ends here
            for name in DBUS_ATTACKS:
                self.results.append({'attack': name, 'outcome': 'refused',
                                     'detail': 'no system bus connection: ' + why})
            return
        self.attempt('Fetch another user\'s profile',
                     lambda: self.call('net.openvpn.v3.configuration', t['victim_config'],
                                       'net.openvpn.v3.configuration', 'Fetch'))
        self.attempt('own a backend client\'s bus name (be<N>)', self.request_be_name)
        self.attempt('forge a RegistrationRequest', self.forge_registration)
        self.attempt('AssignSession to the victim\'s session',
                     lambda: self.call('net.openvpn.v3.log', '/net/openvpn/v3/log',
                                       'net.openvpn.v3.log', 'AssignSession', 'os',
                                       (t['victim_session'], 'net.openvpn.v3.backends')))
        self.attempt('netcfg CreateVirtualInterface',
                     lambda: self.call('net.openvpn.v3.netcfg', '/net/openvpn/v3/netcfg',
                                       'net.openvpn.v3.netcfg', 'CreateVirtualInterface', 's',
                                       ('evil',)))
        self.attempt('netcfg FetchInterfaceList',
                     lambda: self.call('net.openvpn.v3.netcfg', '/net/openvpn/v3/netcfg',
                                       'net.openvpn.v3.netcfg', 'FetchInterfaceList'))

    @staticmethod
    def read_tree(top):
        got = []
        for root, _dirs, files in os.walk(top, onerror=raise_it):
            for name in files:
                with open(os.path.join(root, name), 'rb') as f:
                    got.append('%s (%d bytes)' % (name, len(f.read())))
        return got or os.listdir(top)

    @staticmethod
    def read_proc(pid, what):
        with open('/proc/%d/%s' % (pid, what), 'rb') as f:
            if what == 'mem':
                with open('/proc/%d/maps' % pid) as m:
                    start = int(m.readline().split('-')[0], 16)
                f.seek(start)
            return '%d bytes' % len(f.read(64))

    def steal_token(self):
        pid = self.t['victim_client_pid']
        seen = []
        for what in ('cmdline', 'environ'):
            try:
                with open('/proc/%d/%s' % (pid, what), 'rb') as f:
                    data = f.read()
            except OSError as e:
                seen.append('%s: %s' % (what, errno.errorcode.get(e.errno, e.errno)))
                continue
            m = TOKEN_RE.search(data)
            if m:
                return 'token in %s: %s' % (what, m.group(0).decode())
            seen.append('%s: no token (%s)' % (what, data.replace(b'\0', b' ')[-60:].decode(
                errors='replace')))
        raise Refused('; '.join(seen))

    @staticmethod
    def libc_call(name, *args):
        if getattr(libc, name)(*[ctypes.c_ulong(a) for a in args]) != 0:
            e = ctypes.get_errno()
            raise OSError(e, os.strerror(e))
        return 'done'

    def connect_victim(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(self.t['victim_mgmt'])
        finally:
            s.close()
        return 'connected to ' + self.t['victim_mgmt']

    def request_be_name(self):
        name = 'net.openvpn.v3.backends.be%d' % os.getpid()
        return 'RequestName %s -> %d' % (name, self.bus.request_name(name))

    def forge_registration(self):
        """Unicast to the session manager, as a backend does; a guessed token,
        the victim client's bus name. Whether it was ignored is told by the
        session manager's log (the test reads it) and by the victim's session
        going on undisturbed."""
        owner = self.call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                          'GetNameOwner', 's', ('net.openvpn.v3.sessions',))
        for token in ('0' * 8 + 't' + '0' * 4 + 't' + '0' * 4 + 't' + '0' * 4 + 't' + '0' * 12,
                      self.t['victim_client_bus_name']):
            msg = dbus.lowlevel.SignalMessage('/net/openvpn/v3/backends/session',
                                              'net.openvpn.v3.backends', 'RegistrationRequest')
            msg.set_destination(owner)
            msg.append(self.t['victim_client_bus_name'], token,
                       dbus.Int32(self.t['victim_client_pid']), signature='ssi')
            self.bus.send_message(msg)
        self.bus.flush()
        self.results_unique = self.bus.get_unique_name()
        raise Refused('sent as %s; the session manager decides' % self.bus.get_unique_name())


class Refused(Exception):
    pass


DBUS_ATTACKS = ('Fetch another user\'s profile', 'own a backend client\'s bus name (be<N>)',
                'forge a RegistrationRequest', 'AssignSession to the victim\'s session',
                'netcfg CreateVirtualInterface', 'netcfg FetchInterfaceList')


def connect_bus():
    """(bus, None), or (None, why): libdbus waits 25 s for the answer to
    Hello that a bus which dropped us never sends, so give it 5."""
    out = {}

    def connect():
        try:
            out['bus'] = dbus.SystemBus()
        except dbus.exceptions.DBusException as e:
            out['why'] = '%s: %s' % (e.get_dbus_name(), e.get_dbus_message()[:60])
    th = threading.Thread(target=connect, daemon=True)
    th.start()
    th.join(5)
    if 'bus' in out:
        return out['bus'], None
    return None, out.get('why', 'no answer to Hello within 5 s (the bus dropped the connection)')


def raise_it(e):
    raise e


# ---- playing openvpn on the management socket -----------------------------------

def updown(dev):
    env = {'dev_type': 'tun', 'dev': dev, 'tun_mtu': '1500', 'script_context': 'init',
           'route_vpn_gateway': '10.199.0.1', 'route_net_gateway': '0.0.0.0',
           'ifconfig_netmask': '255.255.255.0', 'ifconfig_local': '10.199.0.2',
           'common_name': 'server', 'trusted_port': '1194', 'trusted_ip': '192.0.2.1',
           'untrusted_port': '1194', 'untrusted_ip': '192.0.2.1', 'proto_1': 'udp',
           'remote_1': '192.0.2.1', 'remote_port_1': '1194'}
    lines = ['>UPDOWN:UP'] + ['>UPDOWN:ENV,%s=%s' % kv for kv in env.items()] + ['>UPDOWN:ENV,END']
    return lines


def router_advertisement():
    """IPv6 RA from fe80::5a to ff02::1: router lifetime 1800 s and an
    autonomous /64 prefix, as a hostile server would send it."""
    src = socket.inet_pton(socket.AF_INET6, 'fe80::5a')
    dst = socket.inet_pton(socket.AF_INET6, 'ff02::1')
    prefix = socket.inet_pton(socket.AF_INET6, '2001:db8:bad::')
    pio = struct.pack('!BBBBIII16s', 3, 4, 64, 0xc0, 86400, 14400, 0, prefix)
    ra = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 1800, 0, 0) + pio
    pseudo = src + dst + struct.pack('!I3xB', len(ra), 58)
    data = pseudo + ra
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    ra = ra[:2] + struct.pack('!H', ~total & 0xffff) + ra[4:]
    header = struct.pack('!IHBB16s16s', 6 << 28, len(ra), 58, 255, src, dst)
    return header + ra


def link_up(dev):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        flags = struct.unpack('16sH', fcntl.ioctl(s, SIOCGIFFLAGS,
                                                  struct.pack('16sH', dev.encode(), 0)))[1]
        return bool(flags & IFF_UP)
    except OSError:
        return False
    finally:
        s.close()


def leave_a_process_behind():
    """A daemon of our uid that outlives us (and our backend client)."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv('/bin/sleep', ['sleep', '300'])
        os._exit(0)
    os.wait()


def play_openvpn(mgmt_path, dev, on_connected):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(mgmt_path)

    def send(*lines):
        s.sendall(''.join(line + '\r\n' for line in lines).encode())
    send('>INFO:OpenVPN Management Interface Version 5 -- type \'help\' for more info',
         '>HOLD:Waiting for hold release:0')
    buf = b''
    connected_at = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([s], [], [], 0.1)
        if ready:
            chunk = s.recv(4096)
            if not chunk:
                return
            buf += chunk
            while b'\n' in buf:
                line, buf = buf.split(b'\n', 1)
                # arguments come double-quoted: hold "release"
                cmd = line.decode(errors='replace').strip().replace('"', '')
                trace('management: ' + cmd)
                if cmd.startswith('signal'):
                    send('SUCCESS: signal SIGTERM thrown',
                         '>STATE:%d,EXITING,SIGTERM,,,,,' % time.time())
                    return
                if cmd.startswith('load-stats'):
                    send('SUCCESS: nclients=0,bytesin=100,bytesout=100')
                elif cmd.startswith('hold release'):
                    send('SUCCESS: hold release succeeded',
                         '>STATE:%d,WAIT,,,,,,' % time.time(), *updown(dev))
                    send('>STATE:%d,CONNECTED,SUCCESS,10.199.0.2,192.0.2.1,1194,,,'
                         % time.time())
                    connected_at = time.monotonic()
                else:
                    send('SUCCESS: ok')
        if connected_at is not None and on_connected is not None and link_up(dev):
            on_connected()
            on_connected = None


def attacker(targets):
    report = {'pid': os.getpid(), 'status': proc_status(), 'argv': sys.argv}
    attacks = Attacks(targets)
    attacks.run()
    report['attacks'] = attacks.results
    report['unique_name'] = getattr(attacks, 'results_unique', None)
    trace('attacks done')
    leave_a_process_behind()
    trace('left a process behind')
    dev = arg('--dev')
    tun = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(tun, TUNSETIFF, struct.pack('16sH', dev.encode(), IFF_TUN | IFF_NO_PI))

    def on_connected():
        sent = 0
        for _ in range(5):
            try:
                os.write(tun, router_advertisement())
                sent += 1
            except OSError as e:
                report['ra_error'] = str(e)
            time.sleep(0.05)
        report['ra_sent'] = sent
        report['dev'] = dev
        write_json('report.json', report)

    trace('tun %s attached; playing openvpn' % dev)
    play_openvpn(arg('--management'), dev, on_connected)


def main():
    mgmt = arg('--management')
    if not os.path.exists(os.path.join(WORK, 'targets.json')):
        write_json('victim.json', {'mgmt': mgmt, 'pid': os.getpid(), 'uid': os.getuid()})
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline and not os.path.exists(os.path.join(WORK, 'done')):
            time.sleep(0.1)
        return 0
    if not os.path.exists(os.path.join(WORK, 'report.json')):
        with open(os.path.join(WORK, 'targets.json')) as f:
            attacker(json.load(f))
        return 0
    write_json('plain-%d.json' % os.getpid(), {'uid': os.getuid(), 'pid': os.getpid()})
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except Exception:
        import traceback
        trace(traceback.format_exc())
        raise
