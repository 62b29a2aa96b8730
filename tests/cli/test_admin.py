#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""`ovpn3 admin` (ovpn3-admin(8)) against the real services, with the stand-in backend
client of tests/sessions (fake_client.py, no openvpn) and the polkit stand-in: log-service
shows and changes the log service's settings, which it keeps across its restart (the
destination too, and the records go there); netcfg-service pins the DNS backend and lists
the NetworkChange subscribers; sessions lists every user's sessions for root and for a
user polkit grants manage-others, only one's own for another; what only root may do is
refused to others with exit 4, bad values with 1 or 2."""

import os
import signal

import dbus

import clitest as c
import ovpn3test as t

LOG_FILE = '/var/lib/ovpn3/ovpn3-admin-test.log'   # the log service's own state directory
bus = t.system_bus()


def settings(*args, user=None):
    return c.ok('admin', *args, '--json', user=user).json()


def test_log_service_shows_and_changes_its_settings():
    r = c.ok('admin', 'log-service')
    assert 'Destination:    journald' in r.out and 'Log level:      3' in r.out, r
    s = settings('log-service', '--log-level', '5', '--timestamp', 'false',
                 '--dbus-details', 'yes', '--destination', LOG_FILE)
    assert (s['log_level'], s['timestamp'], s['log_dbus_details']) == (5, False, True), s
    assert (s['log_destination'], s['log_method']) == (LOG_FILE, 'file'), s
    # the records go to the file now: the service's own note of the change (VERB1)
    t.wait_until(lambda: os.path.exists(LOG_FILE)
                 and 'Setting log_destination changed by uid 0' in open(LOG_FILE).read(),
                 what='the change noted in ' + LOG_FILE)


def test_log_service_settings_survive_its_restart():
    t.kill_service(bus, t.LOG_NAME, signal.SIGTERM)
    s = settings('log-service')
    assert (s['log_level'], s['timestamp'], s['log_destination']) == (5, False, LOG_FILE), s
    r = c.ok('admin', 'log-service', '--list-subscriptions')
    assert r.out.startswith(('TAG', 'No attached')), r


def test_log_service_refusals_change_nothing():
    r = c.fails(c.EXIT_ACCESS, 'admin', 'log-service', '--destination', 'stderr', user=c.USER_A)
    assert 'root' in r.err, r
    r = c.fails(c.EXIT_ERROR, 'admin', 'log-service', '--destination', 'relative/path')
    assert 'absolute file path' in r.err, r
    r = c.fails(c.EXIT_ERROR, 'admin', 'log-service', '--destination', '/nonexistent/dir/x.log')
    assert 'x.log' in r.err, r
    c.fails(c.EXIT_USAGE, 'admin', 'log-service', '--timestamp', 'maybe')
    c.fails(c.EXIT_USAGE, 'admin', 'log-service', '--log-level', '7')
    assert settings('log-service')['log_destination'] == LOG_FILE
    s = settings('log-service', '--destination', 'journald', '--log-level', '3', '--timestamp',
                 'true', '--dbus-details', 'no')
    assert (s['log_destination'], s['log_method'], s['log_level']) == ('journald', 'journald', 3)


def test_netcfg_service_pins_the_dns_backend_and_lists_subscribers():
    assert settings('netcfg-service')['dns_backend'] == 'auto'
    r = c.ok('admin', 'netcfg-service', '--dns-backend', 'resolv-conf')
    assert 'DNS backend:        resolv-conf' in r.out, r
    c.fails(c.EXIT_ACCESS, 'admin', 'netcfg-service', '--dns-backend', 'auto', user=c.USER_A)
    r = c.fails(c.EXIT_ERROR, 'admin', 'netcfg-service', '--dns-backend', 'systemd')
    assert 'auto, resolved or resolv-conf' in r.err, r
    assert settings('netcfg-service')['dns_backend'] == 'resolv-conf'
    assert c.ok('admin', 'netcfg-service', '--list-subscribers').out.startswith('No ')
    t.call(bus, t.NETCFG_NAME, t.NETCFG_PATH, t.NETCFG_NAME, 'NotificationSubscribe',
           dbus.UInt32(0x7ff), signature='u')
    r = c.ok('admin', 'netcfg-service', '--list-subscribers')
    assert bus.get_unique_name() in r.out and '0x7ff' in r.out, r
    c.fails(c.EXIT_ACCESS, 'admin', 'netcfg-service', '--list-subscribers', user=c.USER_A)
    r = c.ok('admin', 'netcfg-service', '--unsubscribe', bus.get_unique_name())
    assert c.ok('admin', 'netcfg-service', '--list-subscribers').out.startswith('No '), r
    assert settings('netcfg-service', '--dns-backend', 'auto')['dns_backend'] == 'auto'


def test_sessions_lists_every_users_sessions_for_root_only():
    for user in (c.USER_A, c.USER_B):
        with c.ProfileDir(owner=user) as d:
            c.import_profile(d.inline_profile(), '--name', 'autologin-admin', user=user)
        c.ok('session-start', '--config', 'autologin-admin', '--background', user=user)
    t.wait_until(lambda: len(settings('sessions')) == 2, what='both sessions listed')
    every = settings('sessions')
    assert sorted(s['owner_name'] for s in every) == sorted([c.USER_A, c.USER_B]), every
    assert {s['config_name'] for s in every} == {'autologin-admin'}, every
    r = c.ok('admin', 'sessions')
    assert c.USER_A in r.out and c.USER_B in r.out and 'PROFILE' in r.out, r
    # openvpn3-admin's spelling
    assert c.ok('admin', 'sessionmgr-service', '--list-sessions').out == r.out
    r = c.ok('admin', 'sessions', '--json', user=c.USER_A)
    assert [s['owner_name'] for s in r.json()] == [c.USER_A], r
    assert 'manage-others' in r.err, r
    # a user polkit grants manage-others sees everyone's (asked without interaction)
    t.polkit_allow('net.openvpn.v3.manage-others')
    try:
        r = c.ok('admin', 'sessions', '--json', user=c.USER_B)
    finally:
        t.polkit_deny_all()
    assert sorted(s['owner_name'] for s in r.json()) == sorted([c.USER_A, c.USER_B]), r
    for s in every:
        c.ok('session-manage', '--path', s['path'], '--disconnect')
    t.wait_until(lambda: settings('sessions') == [], what='the sessions gone')


def test_usage():
    r = c.fails(c.EXIT_USAGE, 'admin')
    assert 'log-service' in r.err and 'sessions' in r.err, r
    c.fails(c.EXIT_USAGE, 'admin', 'no-such-command')
    c.fails(c.EXIT_USAGE, 'admin', 'sessions', 'extra')
    assert c.ok('admin', '--help').out == c.ok('help', 'admin').out


t.require_devbus()
t.main()
