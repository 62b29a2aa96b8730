#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A session's life through the session manager, against the fake backend
client: NewTunnel (SESS_CREATED before the reply, status already set),
duplicate refused, queue walk and Ready proxied with the backend's error
names, Connect, status polling, backend-read properties, listing and
lookups, Pause/Resume/Restart, property rules (dco, log_verbosity), then
Disconnect -> SESS_DESTROYED, the object and the backend process gone."""

import ovpn3test as t
import sesstest as s


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_new_tunnel_broadcasts_attention_and_status_before_created():
    global cfg, path, pid
    cfg = s.import_profile(a, 'lifecycle-verb5')

    attention = t.Signals(bus, signal_name='AttentionRequired', dbus_interface=s.SESSIONS_IFACE)
    path = s.start_session(a, cfg)
    # the backend's AttentionRequired, re-broadcast from the session path
    attention.wait()
    assert [(x['path'], tuple(x['args']), x['sender'] == str(bus.get_name_owner(t.SESSIONS_NAME)))
            for x in attention.received] == \
        [(path, (1, 1, 'Username/password credentials needed'), True)], attention.received
    # the backend asked for credentials before SESS_CREATED (docs/dbus-api.md §7.1)
    st = s.session_get(a, path, 'status')
    assert tuple(st) == (2, 4, 'Username/password credentials needed'), st
    assert s.session_get(a, path, 'owner') == t.uid_of(a)
    assert s.session_get(a, path, 'config_path') == cfg
    assert s.session_get(a, path, 'config_name') == 'lifecycle-verb5'
    pid = s.session_get(a, path, 'backend_pid')
    assert pid in s.backend_processes(), (pid, s.backend_processes())
    assert t.name_has_owner(bus, 'net.openvpn.v3.backends.be%d' % pid)
    assert s.session_get(a, path, 'device_name') == ''
    assert tuple(s.session_get(a, path, 'connected_to')) == ('', '', 0)
    assert s.session_get(a, path, 'statistics') == {}
    assert s.session_get(a, path, 'dco') is False
    assert s.session_get(a, path, 'restrict_log_access') is True
    assert s.session_get(a, path, 'acl') == []
    assert s.session_get(a, path, 'log_forwards') == []


def test_get_all_reads_every_property():
    all_props = t.run_as(a, lambda b: t.call(b, t.SESSIONS_NAME, path, t.PROPS, 'GetAll',
                                             s.SESSIONS_IFACE, signature='s'))
    for name in ('owner', 'acl', 'status', 'statistics', 'device_path', 'connected_to',
                 'last_log', 'log_verbosity', 'session_created', 'backend_pid'):
        assert name in all_props, (name, sorted(all_props))


# one live session per profile and owner
def test_one_live_session_per_profile_and_owner():
    t.expect_error(lambda: s.start_session(a, cfg), s.ERR_GDBUSPP,
                   'A session with this configuration profile is already running')
    events.wait_for(path, s.SESS_CREATED)
    assert events.of(path) == [s.SESS_CREATED], events.of(path)


# Ready keeps the backend's error name and text
def test_ready_keeps_the_backends_error_name_and_text():
    t.expect_error(lambda: s.session_call(a, path, 'Ready'), s.ERR_READY,
                   'Missing user credentials')
    slots = s.provide_credentials(a, path)
    assert [(x[3], x[4], x[5]) for x in slots] == [
        ('username', 'Auth User name', False), ('password', 'Auth Password', True)], slots
    assert s.session_call(a, path, 'UserInputQueueGetTypeGroup') == []
    e = t.expect_error(lambda: s.session_call(a, path, 'UserInputQueueFetch', 1, 1, 0,
                                              signature='uuu'), s.ERR_REQUEST)
    assert 'already been provided' in e.message, e
    s.session_call(a, path, 'Ready')

    assert s.session_get(a, path, 'log_verbosity') == 3
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)


# Connect copied the backend's log_level (the profile's verb)
def test_connect_copies_the_profiles_log_level():
    assert s.session_get(a, path, 'log_verbosity') == 5
    assert s.session_get(a, path, 'device_name') == 'tunfake%d' % (pid % 1000)
    ct = s.session_get(a, path, 'connected_to')
    assert tuple(ct) == ('udp', '192.0.2.1', 1194), ct
    assert s.session_get(a, path, 'statistics') == {'BYTES_IN': 1234, 'BYTES_OUT': 567}
    assert s.session_get(a, path, 'session_name') == 'fake-session'
    assert s.session_get(a, path, 'device_path').startswith('/net/openvpn/v3/netcfg/')


# listing and lookups
def test_listing_and_lookups():
    mgr = lambda method, *args, signature=None: t.call_as(  # noqa: E731
        a, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE, method, *args,
        signature=signature)
    assert path in mgr('FetchAvailableSessions')
    assert mgr('LookupConfigName', 'lifecycle-verb5', signature='s') == [path]
    assert mgr('LookupConfigName', 'nothing', signature='s') == []
    dev = 'tunfake%d' % (pid % 1000)
    assert dev in mgr('FetchManagedInterfaces')
    assert mgr('LookupInterface', dev, signature='s') == path
    t.expect_error(lambda: mgr('LookupInterface', 'nodev0', signature='s'), s.ERR_GDBUSPP,
                   'Interface not found')


# properties with rules of their own
def test_properties_with_rules_of_their_own():
    t.expect_error(lambda: t.run_as(a, lambda b: t.set_property(
        b, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'dco', t.dbus.Boolean(True))), s.FAILED,
        'DCO')
    t.expect_error(lambda: t.run_as(a, lambda b: t.set_property(
        b, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'log_verbosity', t.dbus.UInt32(7))),
        s.FAILED, 'Incorrect log level')
    t.run_as(a, lambda b: t.set_property(b, t.SESSIONS_NAME, path, s.SESSIONS_IFACE,
                                         'log_verbosity', t.dbus.UInt32(5)))
    assert s.session_get(a, path, 'log_verbosity') == 5


# pause / resume / restart go to the backend, its errors come back
def test_pause_resume_restart_go_to_the_backend():
    s.session_call(a, path, 'Pause', 'test pause', signature='s')
    s.wait_status(a, path, 2, 14)
    t.expect_error(lambda: s.session_call(a, path, 'Pause', 'again', signature='s'),
                   'net.openvpn.v3.error.client', 'Connection is already paused')
    s.session_call(a, path, 'Resume')
    s.wait_status(a, path, 2, 7)
    s.session_call(a, path, 'Restart')
    s.wait_status(a, path, 2, 7)


# Disconnect: SESS_DESTROYED, the object and the backend gone
def test_disconnect_destroys_object_and_backend():
    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    assert events.of(path) == [s.SESS_CREATED, s.SESS_DESTROYED], events.of(path)
    assert s.object_gone(bus, path)
    t.wait_name_gone(bus, 'net.openvpn.v3.backends.be%d' % pid)
    t.wait_until(lambda: pid not in s.backend_processes(), what='the backend to exit')
    assert t.call_as(a, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                     'FetchAvailableSessions') == []


# the profile can be used again
def test_profile_can_be_used_again():
    path2 = s.start_session(a, cfg)
    assert path2 != path
    s.session_call(a, path2, 'Disconnect')
    events.wait_for(path2, s.SESS_DESTROYED)


t.main()
