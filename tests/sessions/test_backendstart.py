#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""net.openvpn.v3.backends (docs/dbus-api.md §3.4): StartClient only for the service
user and only with a session token; the client runs detached (not
backendstart's child, its own session), as the service user, with a minimal
environment and the token as its only argument; backendstart exits when idle
(30 s by default, OVPN3_IDLE_EXIT=8 here: tests/sessions/meson.build) and the
client outlives it."""

import os
import time

import ovpn3test as t
import sesstest as s

ALLOWED_ENV = ('PATH', 'LANG', 'DBUS_SYSTEM_BUS_ADDRESS', 'JOURNAL_STREAM', 'G_DEBUG',
               'G_MESSAGES_DEBUG')
ALLOWED_ENV_PREFIXES = ('OVPN3_', 'ASAN_', 'UBSAN_', 'LSAN_', 'MSAN_', 'MALLOC_')
TOKEN = '0123abcdt4567t4def t89abtcdef01234567'.replace(' ', '')


def start_client(bus, token):
    return t.call(bus, t.BACKENDS_NAME, t.BACKENDS_PATH, s.BACKENDS_IFACE, 'StartClient',
                  token, signature='s')


def proc_status(pid, key):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return line.split()[1:]
    return None


def sid_of(pid):
    with open('/proc/%d/stat' % pid) as f:
        return int(f.read().rsplit(')', 1)[1].split()[3])


t.require_devbus()
bus = t.system_bus()
svc = t.service_user()


def test_backendstart_reports_upstreams_version():
    global backendstart_pid, start
    assert t.get_property(bus, t.BACKENDS_NAME, t.BACKENDS_PATH, s.BACKENDS_IFACE,
                          'version') == 'v27'
    start = time.monotonic()
    backendstart_pid = t.name_pid(bus, t.BACKENDS_NAME)


# the bus policy and the service refuse everybody but the service user
def test_only_the_service_user_with_a_valid_token_starts_a_client():
    for user in (None, t.USER_A):
        fn = (lambda: start_client(bus, TOKEN)) if user is None else \
            (lambda: t.run_as(user, start_client, TOKEN))
        t.expect_error(fn, s.ACCESS_DENIED)
    for bad in ('', 'x', '../../bin/sh', TOKEN.replace('t', 's'), TOKEN + 'a'):
        t.expect_error(lambda: t.run_as(svc, start_client, bad),
                       'org.freedesktop.DBus.Error.InvalidArgs', 'Invalid session token')
    assert s.backend_processes() == []


def test_client_gets_the_token_on_fd_3_never_in_argv_or_environ():
    global env, pid
    pid = t.run_as(svc, start_client, TOKEN)
    assert pid > 0
    t.wait_for_name(bus, 'net.openvpn.v3.backends.be%d' % pid)
    with open('/proc/%d/cmdline' % pid, 'rb') as f:
        argv = [a.decode() for a in f.read().split(b'\0') if a]
    # the token reaches the client through descriptor 3, never argv/environ
    assert argv[-3].endswith('/tests/sessions/fake_client.py'), argv
    assert argv[-2:] == ['--token-fd', '3'], argv
    assert not any(TOKEN in a for a in argv), argv
    with open('/proc/%d/environ' % pid, 'rb') as f:
        env = dict(e.decode().split('=', 1) for e in f.read().split(b'\0') if e)
    for key in env:
        assert key in ALLOWED_ENV or key.startswith(ALLOWED_ENV_PREFIXES), (key, sorted(env))
    assert not any(TOKEN in v for v in env.values()), 'the token is in the environment'


def test_client_runs_as_service_user_detached_from_backendstart():
    assert env['PATH'] == '/usr/sbin:/usr/bin:/sbin:/bin', env['PATH']
    assert 'DBUS_SYSTEM_BUS_ADDRESS' in env
    uid = str(t.uid_of(svc))
    assert proc_status(pid, 'Uid') == [uid] * 4, proc_status(pid, 'Uid')
    assert int(proc_status(pid, 'PPid')[0]) != backendstart_pid
    assert sid_of(pid) != sid_of(backendstart_pid)
    assert os.readlink('/proc/%d/fd/0' % pid) == '/dev/null'


# nothing of backendstart's is inherited: its bus socket is not there
def test_nothing_of_backendstarts_is_inherited():
    bs_sockets = {os.readlink('/proc/%d/fd/%s' % (backendstart_pid, fd))
                  for fd in os.listdir('/proc/%d/fd' % backendstart_pid)
                  if os.readlink('/proc/%d/fd/%s' % (backendstart_pid, fd)).startswith('socket:')}
    for fd in os.listdir('/proc/%d/fd' % pid):
        target = os.readlink('/proc/%d/fd/%s' % (pid, fd))
        assert target not in bs_sockets, (fd, target)


# idle exit (OVPN3_IDLE_EXIT); the client lives on
def test_backendstart_idle_exits_and_the_client_lives_on():
    idle = int(os.environ.get('OVPN3_IDLE_EXIT', '30'))
    t.wait_name_gone(bus, t.BACKENDS_NAME, timeout=60)
    took = time.monotonic() - start
    assert took >= idle - 2, took
    assert pid in s.backend_processes()
    assert t.name_has_owner(bus, 'net.openvpn.v3.backends.be%d' % pid)
    os.kill(pid, 9)
    t.wait_until(lambda: pid not in s.backend_processes(), what='the client to go')


t.main()
