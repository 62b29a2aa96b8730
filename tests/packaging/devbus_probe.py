# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs INSIDE scripts/devbus (started by test_devbus.py): checks what the
harness promises from the inside. Argument: a marker string used to find
leftovers from the outside afterwards."""

import os
import pwd
import socket
import stat
import subprocess
import sys

import dbus
import dbus.lowlevel

import ovpn3test as t

ACTIVATABLE = {'net.openvpn.v3.log', 'net.openvpn.v3.configuration', 'net.openvpn.v3.sessions',
               'net.openvpn.v3.backends', 'net.openvpn.v3.netcfg'}
DBUS = ('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus')
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_denied(fn, what):
    try:
        fn()
    except t.CallError as e:
        check(e.name == ACCESS_DENIED, '%s: expected AccessDenied, got %s' % (what, e))
        return
    raise AssertionError('%s: expected AccessDenied, but it succeeded' % what)


def request_name(bus, name):
    return t.call(bus, *DBUS, 'RequestName', name, dbus.UInt32(4), signature='su')


def main(marker):
    t.require_devbus()
    su = t.service_user()
    check(os.environ['DBUS_SYSTEM_BUS_ADDRESS'] == 'unix:path=/run/dbus/system_bus_socket',
          'DBUS_SYSTEM_BUS_ADDRESS not set to the private bus')
    check(os.getpid() != 1 and os.getppid() == 1, 'not in a PID namespace under devbus')

    bus = t.system_bus()
    names = t.call(bus, *DBUS, 'ListNames')
    check('org.freedesktop.PolicyKit1' in names, 'polkitd mock missing: %s' % names)
    activatable = set(t.call(bus, *DBUS, 'ListActivatableNames'))
    check(ACTIVATABLE <= activatable, 'activatable names: %s' % sorted(activatable))
    check(not any(n.startswith('net.openvpn.v3.backends.') for n in activatable),
          'the backend client must not be activatable')

    # tun node
    st = os.stat('/dev/net/tun')
    check(stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == 10 and os.minor(st.st_rdev) == 200,
          '/dev/net/tun is not the tun device')
    check(stat.S_IMODE(st.st_mode) == 0o666, '/dev/net/tun mode %o' % stat.S_IMODE(st.st_mode))
    t.run_as(t.USER_A, lambda _bus: os.close(os.open('/dev/net/tun', os.O_RDWR)))

    # network: loopback only, and up
    check([n for _, n in socket.if_nameindex()] == ['lo'], 'interfaces: %s' % socket.if_nameindex())
    out = subprocess.run(['ip', '-o', 'link', 'show', 'lo'], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    check(',UP' in out or '<UP' in out, 'lo is not up: ' + out)

    # fresh, private directories
    mounts = {}
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            mounts[fields[4]] = fields[fields.index('-') + 1]
    cfg = t._devbus_config()['devbus']
    for path in (cfg['statedir'], cfg['runtimedir'], '/run/systemd/journal', '/run'):
        check(mounts.get(path) == 'tmpfs', '%s is not a fresh tmpfs (%s)' % (path, mounts.get(path)))
    su_uid = pwd.getpwnam(su).pw_uid
    # netcfg's state directory is root's (tmpfiles.conf: docs/architecture.md §6)
    for path, mode, uid in ((cfg['statedir'], 0o700, su_uid), (cfg['runtimedir'], 0o711, su_uid),
                            (cfg['runtimedir'] + '/netcfg', 0o700, 0)):
        st = os.stat(path)
        check(st.st_uid == uid and stat.S_IMODE(st.st_mode) == mode,
              '%s: uid %d mode %o' % (path, st.st_uid, stat.S_IMODE(st.st_mode)))
    check(os.listdir(cfg['statedir']) == [], 'state dir not empty')
    with open(os.path.join(cfg['statedir'], 'probe-' + marker), 'w') as f:
        f.write(marker)
    with open('/etc/resolv.conf', 'a') as f:         # private copy: host must not see it
        f.write('# %s\n' % marker)

    # journal socket: records from root and from a test user, with credentials
    j = t.Journal()

    def send(_bus, text):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(('MESSAGE=%s\nSYSLOG_IDENTIFIER=probe\nOVPN3_BIN\n' % text).encode()
                 + (5).to_bytes(8, 'little') + b'a\nb=c\n', '/run/systemd/journal/socket')
        s.close()
    send(None, 'root ' + marker)
    e = j.wait_for({'MESSAGE': 'root ' + marker})
    check(e['_UID'] == '0' and e['OVPN3_BIN'] == 'a\nb=c', 'journal record: %s' % e)
    t.run_as(t.USER_A, send, 'user ' + marker)
    e = j.wait_for(lambda r: r.get('MESSAGE') == 'user ' + marker)
    check(e['_UID'] == str(pwd.getpwnam(t.USER_A).pw_uid), 'journal uid: %s' % e)

    # our policy files are loaded
    expect_denied(lambda: t.run_as(t.USER_A, request_name, 'net.openvpn.v3.log'),
                  'test user owning net.openvpn.v3.log')
    check(t.run_as(su, request_name, 'net.openvpn.v3.backends.be4242') == 1,
          'service user cannot own net.openvpn.v3.backends.be<PID>')
    expect_denied(lambda: t.run_as(su, request_name, 'net.openvpn.v3.backendsX'),
                  'service user owning net.openvpn.v3.backendsX')
    expect_denied(lambda: t.call_as(t.USER_A, t.BACKENDS_NAME, t.BACKENDS_PATH, t.BACKENDS_NAME,
                                    'StartClient', 'x', signature='s'),
                  'test user calling StartClient')
    expect_denied(lambda: t.call_as(t.USER_A, t.CONFIG_NAME, t.CONFIG_PATH, t.CONFIG_NAME,
                                    'TransferOwnership', dbus.ObjectPath('/x'), dbus.UInt32(5),
                                    signature='ou'),
                  'test user calling TransferOwnership')

    # mandatory rule: a receiver gets backend Log/StatusChange only from the log service
    sigs = t.Signals(bus, dbus_interface='net.openvpn.v3.backends')
    control = t.Signals(bus, dbus_interface='net.openvpn.v3.sessions', signal_name='Probe')
    me = bus.get_unique_name()

    def emit(bus2, own_log):
        if own_log:
            check(request_name(bus2, t.LOG_NAME) == 1, 'service user cannot own the log name')
        for member, args in (('Log', (dbus.UInt32(1), dbus.UInt32(6), 'log ' + str(own_log))),
                             ('StatusChange', (dbus.UInt32(2), dbus.UInt32(7), 'st'))):
            msg = dbus.lowlevel.SignalMessage('/net/openvpn/v3/sessions/probe',
                                              'net.openvpn.v3.backends', member)
            msg.set_destination(me)
            msg.append(*args, signature='uus')
            bus2.send_message(msg)
        msg = dbus.lowlevel.SignalMessage('/probe', 'net.openvpn.v3.sessions', 'Probe')
        msg.set_destination(me)
        bus2.send_message(msg)
        bus2.flush()
    t.run_as(su, emit, False)            # not the log service: must be dropped
    control.wait(1)
    sigs.settle(0.3)
    check(sigs.received == [], 'backend signals from a non-log sender were delivered: %s'
          % sigs.received)
    t.run_as(su, emit, True)
    got = sigs.wait(2)
    check([s['member'] for s in got] == ['Log', 'StatusChange']
          and got[0]['args'] == [1, 6, 'log True']
          and got[0]['path'] == '/net/openvpn/v3/sessions/probe', 'forwarded signals: %s' % got)

    # polkitd mock control
    def check_auth(action):
        subject = ('unix-process', {'pid': dbus.UInt32(os.getpid(), variant_level=1),
                                    'start-time': dbus.UInt64(0, variant_level=1)})
        return t.call(bus, t.POLKIT_NAME, t.POLKIT_PATH, 'org.freedesktop.PolicyKit1.Authority',
                      'CheckAuthorization', subject, action, dbus.Dictionary({}, signature='ss'),
                      dbus.UInt32(0), '', signature='(sa{sv})sa{ss}us')[0]
    check(check_auth('net.openvpn.v3.manage-others') is False, 'polkit mock allows by default')
    t.polkit_allow('net.openvpn.v3.manage-others')
    check(check_auth('net.openvpn.v3.manage-others') is True, 'polkit_allow had no effect')
    check(check_auth('net.openvpn.v3.profile.privileged-options') is False, 'allowed too much')
    t.polkit_deny_all()
    check(check_auth('net.openvpn.v3.manage-others') is False, 'polkit_deny_all had no effect')
    expect_denied(lambda: t.run_as(t.USER_A, lambda b: t.call(
        b, t.POLKIT_NAME, t.POLKIT_PATH, t.MOCK_IFACE, 'AllowUnknown', True, signature='b')),
        'test user controlling the polkit mock')

    # systemd-resolved stand-in: the service user may call it, calls are recorded
    resolved = t.ResolvedMock()
    t.run_as(su, lambda b: t.call(b, t.RESOLVED_NAME, t.RESOLVED_PATH, t.RESOLVED_IFACE,
                                  'SetLinkDomains', 7, dbus.Array([('vpn.example', True)],
                                                                  signature='(sb)'),
                                  signature='ia(sb)'))
    check(resolved.calls() == [('SetLinkDomains', [7, [('vpn.example', True)]])],
          'resolved mock calls: %s' % resolved.calls())
    resolved.stop()

    # leave processes behind on purpose: devbus must end them
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', marker],
                     start_new_session=True)
    t.run_as(su, lambda _b: subprocess.Popen(
        [sys.executable, '-c', 'import time; time.sleep(600)', marker],
        start_new_session=True) and None)
    print('probe ok')


if __name__ == '__main__':
    main(sys.argv[1])
