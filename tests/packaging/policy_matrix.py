# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs inside scripts/devbus: the D-Bus policy files decide who may own
which name and call which method, checked against the policy summary of the
spec (net.openvpn.v3.* services, spec section 8).

A stand-in running as the service user owns every ovpn3 name and answers
every method call with an empty reply, so a call either gets that reply
(allowed by the bus) or org.freedesktop.DBus.Error.AccessDenied from the bus.
Callers: root, the service user and the unprivileged test user A.
"""

import os
import pwd
import signal

import dbus
import dbus.lowlevel
from gi.repository import GLib

import ovpn3test as t

ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'
DBUS = ('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus')
PROPS = 'org.freedesktop.DBus.Properties'
INTRO = 'org.freedesktop.DBus.Introspectable'
PEER = 'org.freedesktop.DBus.Peer'
BE = 'net.openvpn.v3.backends.be4242'
NAMES = ['net.openvpn.v3.log', 'net.openvpn.v3.configuration', 'net.openvpn.v3.sessions',
         'net.openvpn.v3.backends', 'net.openvpn.v3.netcfg', BE]

ALL = {'root', 'service', 'user'}
SVC = {'service'}
SVC_ROOT = {'service', 'root'}
ROOT = {'root'}
NOBODY = set()

C, CM, CO = 'net.openvpn.v3.configuration', '/net/openvpn/v3/configuration', \
    '/net/openvpn/v3/configuration/0123x4567'
S, SM, SO = 'net.openvpn.v3.sessions', '/net/openvpn/v3/sessions', '/net/openvpn/v3/sessions/0123s4567'
L, LM, LP = 'net.openvpn.v3.log', '/net/openvpn/v3/log', '/net/openvpn/v3/log/proxy/0123l4567'
B, BM = 'net.openvpn.v3.backends', '/net/openvpn/v3/backends'
BS = '/net/openvpn/v3/backends/session'
N, NM, ND = 'net.openvpn.v3.netcfg', '/net/openvpn/v3/netcfg', '/net/openvpn/v3/netcfg/42_ovpn3t0'

# (destination, path, interface, member, who may call)
CASES = []
for m in ('Import', 'FetchAvailableConfigs', 'LookupConfigName', 'SearchByTag', 'SearchByOwner',
          'FetchConfigsProperties'):
    CASES.append((C, CM, C, m, ALL))
for m in ('Validate', 'Fetch', 'FetchJSON', 'SetOption', 'SetOverride', 'UnsetOverride', 'AddTag',
          'RemoveTag', 'AccessGrant', 'AccessRevoke', 'Seal', 'Remove'):
    CASES.append((C, CO, C, m, ALL))
CASES += [(C, CM, C, 'TransferOwnership', ROOT), (C, CM, C, 'NoSuchMethod', NOBODY),
          (C, CO, PROPS, 'Get', ALL), (C, CO, PROPS, 'GetAll', ALL), (C, CO, PROPS, 'Set', ALL),
          (C, CO, INTRO, 'Introspect', ALL), (C, CM, PEER, 'Ping', ALL)]

for m in ('NewTunnel', 'FetchAvailableSessions', 'FetchManagedInterfaces', 'LookupConfigName',
          'LookupInterface'):
    CASES.append((S, SM, S, m, ALL))
for m in ('Ready', 'Connect', 'Pause', 'Resume', 'Restart', 'Disconnect', 'AccessGrant',
          'AccessRevoke', 'LogForward', 'UserInputQueueGetTypeGroup', 'UserInputQueueCheck',
          'UserInputQueueFetch', 'UserInputProvide'):
    CASES.append((S, SO, S, m, ALL))
CASES += [(S, SM, S, 'TransferOwnership', ROOT), (S, SM, S, 'LookupBackend', SVC),
          (S, SO, S, 'LookupBackend', NOBODY), (S, SM, S, 'NoSuchMethod', NOBODY),
          (S, SO, PROPS, 'Get', ALL), (S, SO, PROPS, 'GetAll', ALL), (S, SO, PROPS, 'Set', ALL),
          (S, SO, INTRO, 'Introspect', ALL), (S, SM, PEER, 'Ping', ALL)]

CASES += [(L, LM, INTRO, 'Introspect', ALL), (L, LM, PROPS, 'Get', ALL),
          (L, LM, PROPS, 'GetAll', ALL), (L, LM, PEER, 'Ping', ALL),
          (L, LM, PROPS, 'Set', SVC_ROOT), (L, LM, L, 'GetSubscriberList', SVC_ROOT),
          (L, LP, PROPS, 'Get', SVC), (L, LP, PROPS, 'Set', SVC), (L, LP, L, 'Remove', SVC),
          (L, LP, INTRO, 'Introspect', SVC)]
for m in ('Attach', 'AssignSession', 'Detach', 'ProxyLogEvents'):
    CASES.append((L, LM, L, m, SVC))

CASES += [(B, BM, INTRO, 'Introspect', ALL), (B, BM, PROPS, 'Get', ALL),
          (B, BM, PROPS, 'GetAll', ALL), (B, BM, PEER, 'Ping', ALL),
          (B, BM, B, 'StartClient', SVC), (B, BM, PROPS, 'Set', SVC)]
for m in ('RegistrationConfirmation', 'Ping', 'Ready', 'Connect', 'Pause', 'Resume', 'Restart',
          'Disconnect', 'ForceShutdown', 'UserInputQueueGetTypeGroup', 'UserInputQueueCheck',
          'UserInputQueueFetch', 'UserInputProvide'):
    CASES.append((BE, BS, B, m, SVC))
CASES += [(BE, BS, PROPS, 'Get', SVC), (BE, BS, PROPS, 'Set', SVC), (BE, BS, PEER, 'Ping', SVC)]

CASES += [(N, NM, INTRO, 'Introspect', ALL), (N, NM, PROPS, 'Get', ALL), (N, NM, PEER, 'Ping', ALL),
          (N, NM, PROPS, 'GetAll', SVC_ROOT), (N, NM, PROPS, 'Set', SVC_ROOT),
          (N, ND, PROPS, 'Get', SVC_ROOT), (N, ND, INTRO, 'Introspect', SVC_ROOT),
          (N, NM, N, 'NotificationSubscribe', SVC_ROOT),
          (N, NM, N, 'NotificationUnsubscribe', SVC_ROOT),
          (N, NM, N, 'NotificationSubscriberList', ROOT), (N, NM, N, 'FetchInterfaceList', ROOT)]
for m in ('CreateVirtualInterface', 'ProtectSocket', 'DcoAvailable', 'Cleanup'):
    CASES.append((N, NM, N, m, SVC))
for m in ('AddIPAddress', 'SetRemoteAddress', 'AddNetworks', 'AddDNS', 'AddDNSSearch', 'SetDNSSEC',
          'SetDNSTransport', 'EnableDCO', 'Establish', 'Disable', 'Destroy'):
    CASES.append((N, ND, N, m, SVC))
for m in ('NewPeer', 'GetPipeFD', 'NewKey', 'SwapKeys', 'SetPeer'):
    CASES.append((N, ND + '/dco', N, m, SVC))

# who may own which name (checked before the stand-in takes them)
OWN = [(n, SVC) for n in NAMES[:4]] + [(N, SVC_ROOT), (BE, SVC),
                                       ('net.openvpn.v3.backendsX', NOBODY),
                                       ('net.openvpn.v3.other', NOBODY)]


def stand_in(wfd):
    """Child, as the service user: own every name, each on its own connection
    (send_destination rules match any name the receiving connection owns),
    and answer every call."""
    def reply(conn, msg):
        if msg.get_type() == dbus.lowlevel.MESSAGE_TYPE_METHOD_CALL:
            conn.send_message(dbus.lowlevel.MethodReturnMessage(msg))
            return dbus.lowlevel.HANDLER_RESULT_HANDLED
        return dbus.lowlevel.HANDLER_RESULT_NOT_YET_HANDLED
    conns = []
    for name in NAMES:
        bus = t.system_bus()
        bus.add_message_filter(reply)
        assert int(bus.call_blocking(*DBUS, 'RequestName', 'su', (name, 4))) == 1, name
        conns.append(bus)
    os.write(wfd, b'ready')
    os.close(wfd)
    GLib.MainLoop().run()


def try_call(bus, dest, path, iface, member):
    try:
        bus.call_blocking(dest, path, iface, member, '', (), timeout=t.CEILING)
        return True
    except dbus.exceptions.DBusException as e:
        if e.get_dbus_name() == ACCESS_DENIED:
            return False
        raise


def calls_as_current(bus):
    return [try_call(bus, *case[:4]) for case in CASES]


def own_as_current(bus):
    out = []
    for name, _ in OWN:
        try:
            bus.call_blocking(*DBUS, 'RequestName', 'su', (name, 4))
            bus.call_blocking(*DBUS, 'ReleaseName', 's', (name,))
            out.append(True)
        except dbus.exceptions.DBusException as e:
            if e.get_dbus_name() != ACCESS_DENIED:
                raise
            out.append(False)
    return out


su = None
callers = {}


def as_caller(who, fn):
    if callers[who] is None:
        return fn(t.system_bus())
    return t.run_as(callers[who], fn)


def test_who_may_own_which_name():
    global su, callers
    su = t.service_user()
    callers = {'root': None, 'service': su, 'user': t.USER_A}
    errors = []
    for who in sorted(callers):
        got = as_caller(who, own_as_current)
        for (name, allowed), ok in zip(OWN, got):
            if ok != (who in allowed):
                errors.append('%s %s own %s' % (who, 'may' if ok else 'may not', name))
    assert not errors, 'policy differs from the spec:\n  ' + '\n  '.join(errors)
    print('%d names x %d callers as specified' % (len(OWN), len(callers)))


def test_who_may_call_which_member():
    errors = []
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        try:
            pw = pwd.getpwnam(su)
            os.initgroups(su, pw.pw_gid)
            os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
            os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)
            stand_in(wfd)
        finally:
            os._exit(1)
    os.close(wfd)
    try:
        assert os.read(rfd, 16) == b'ready', 'stand-in did not start'
        for who in sorted(callers):
            got = as_caller(who, calls_as_current)
            for (dest, path, iface, member, allowed), ok in zip(CASES, got):
                if ok != (who in allowed):
                    errors.append('%s %s call %s %s %s.%s' % (who, 'may' if ok else 'may not',
                                                              dest, path, iface, member))
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    assert not errors, 'policy differs from the spec:\n  ' + '\n  '.join(errors)
    print('%d calls x %d callers as specified' % (len(CASES), len(callers)))


t.require_devbus()
t.main()
