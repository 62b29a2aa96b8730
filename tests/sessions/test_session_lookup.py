#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""LookupBackend (docs/security.md §5): the
session manager names the session, profile, owner and pid of the backend
client of a confirmed session, to the service user only, and nothing else;
with the real services, another process of the service user gets neither
the profile (Fetch/FetchJSON), nor the session's log (AssignSession), nor a
tun device (CreateVirtualInterface). Also the per-user session cap of
docs/security.md §7 quotas (8, as netcfg's devices per owner; root exempt)."""

import pwd

import ovpn3test as t
import sesstest as s

LOOKUP = ('net.openvpn.v3.sessions', '/net/openvpn/v3/sessions', 'net.openvpn.v3.sessions',
          'LookupBackend')
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
LIMITS = 'org.freedesktop.DBus.Error.LimitsExceeded'
PER_USER = 8


def lookup_as(user, name):
    return t.call_as(user, *LOOKUP, name, signature='s')


def backend_of(bus, path, user):
    pid = s.session_get(user, path, 'backend_pid')
    return str(bus.get_name_owner('net.openvpn.v3.backends.be%d' % pid)), pid


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a, svc = t.USER_A, t.service_user()
uid_a = pwd.getpwnam(a).pw_uid


def test_session_starts():
    global cfg, path, pid, unique
    cfg = s.import_profile(a, 'autologin-lookup')
    path = s.start_session(a, cfg)
    unique, pid = backend_of(bus, path, a)


# the service user learns which session the backend serves
def test_service_user_learns_which_session_a_backend_serves():
    assert lookup_as(svc, unique) == (path, cfg, uid_a, pid), lookup_as(svc, unique)


# nothing for anyone else's name, the session manager's own, or a bad one
def test_nothing_for_other_names():
    sm_unique = str(bus.get_name_owner(t.SESSIONS_NAME))
    for name in (':1.99999', sm_unique, str(bus.get_unique_name())):
        e = t.expect_error(lambda: lookup_as(svc, name), INVALID_ARGS)
        assert 'is not the backend client of a session' in e.message, e.message
    t.expect_error(lambda: lookup_as(svc, 'net.openvpn.v3.sessions'), INVALID_ARGS, 'unique')


# users may not ask (D-Bus policy), root neither
def test_users_and_root_may_not_ask():
    t.expect_error(lambda: lookup_as(a, unique), s.ACCESS_DENIED)
    t.expect_error(lambda: t.call(bus, *LOOKUP, unique, signature='s'), s.ACCESS_DENIED)


# another process of the service user is no backend of that session
def test_other_service_user_process_is_no_backend():
    t.expect_error(lambda: t.call_as(svc, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'Fetch'),
                   s.ACCESS_DENIED)
    t.expect_error(lambda: t.call_as(svc, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'FetchJSON'),
                   s.ACCESS_DENIED)
    t.expect_error(lambda: t.call_as(svc, t.LOG_NAME, t.LOG_PATH, t.LOG_NAME, 'AssignSession',
                                     path, s.BACKENDS_IFACE, signature='os'),
                   s.ACCESS_DENIED, 'session manager confirmed')
    t.expect_error(lambda: t.call_as(svc, t.NETCFG_NAME, t.NETCFG_PATH, t.NETCFG_NAME,
                                     'CreateVirtualInterface', 'ovpn3x', signature='s'),
                   s.ACCESS_DENIED, 'only the backend client of a live VPN session')


# once the session ended, the backend is nobody's
def test_ended_sessions_backend_is_nobodys():
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    t.expect_error(lambda: lookup_as(svc, unique), INVALID_ARGS)


# ---- quotas: 8 sessions per owner, root exempt
def test_quota_8_sessions_per_owner_root_exempt():
    cfgs = [s.import_profile(a, 'autologin-q%d' % i) for i in range(PER_USER + 1)]
    paths = [s.start_session(a, c) for c in cfgs[:PER_USER]]
    e = t.expect_error(lambda: s.session_call(a, t.SESSIONS_PATH, 'NewTunnel', cfgs[-1],
                                              signature='o'), LIMITS)
    assert 'UID %d' % uid_a in e.message and 'per-user limit' in e.message, e.message
    assert str(PER_USER) in e.message, e.message
    for p in paths:
        s.session_call(a, p, 'Disconnect')
    for p in paths:
        events.wait_for(p, s.SESS_DESTROYED)
    root_cfgs = [s.import_profile('root', 'autologin-r%d' % i) for i in range(PER_USER + 1)]
    root_paths = [s.start_session('root', c) for c in root_cfgs]
    for p in root_paths:
        s.session_call('root', p, 'Disconnect')
    for p in root_paths:
        events.wait_for(p, s.SESS_DESTROYED)
    t.wait_until(lambda: s.backend_processes() == [], what='every backend to exit')


t.main()
