#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Session commands against the real session manager and backend starter, with the stand-in
backend client of tests/sessions (fake_client.py: a user/password queue, scripted
StatusChanges, no openvpn): session-start with prompts on a terminal (the password never
echoed) and from a pipe, --background, failures, session-auth, sessions-list, session-stats,
session-manage, session-acl, log, and the not-found / access-denied / usage errors."""

import os
import re
import subprocess
import time

import clitest as c
import ovpn3test as t

SESSION_KEYS = {'path', 'config_name', 'config_path', 'owner', 'owner_name', 'session_created',
                'backend_pid', 'device_name', 'device_path', 'session_name', 'dco',
                'public_access', 'restrict_log_access', 'acl', 'log_verbosity', 'status',
                'connected_to'}
USERPASS = [('Auth User name: ', 'alice'), ('Auth Password: ', 'pw-not-echoed-4711')]


def profile(name, user=None):
    with c.ProfileDir(owner=user) as d:
        return c.import_profile(d.inline_profile(), '--name', name, user=user)


def sessions(user=None):
    return c.ok('sessions-list', '--json', user=user).json()


def end_all():
    for user in (None, c.USER_A, c.USER_B):
        for s in sessions(user=user):
            c.run('session-manage', '--path', s['path'], '--disconnect', user=user)
    t.wait_until(lambda: sessions() == [], what='all sessions gone')


def test_session_errors():
    c.remove_all()
    for args in (('--config', 'none'), ('--interface', 'tun99'),
                 ('--path', '/net/openvpn/v3/sessions/nonexistent')):
        r = c.fails(c.EXIT_NOT_FOUND, 'session-stats', *args)
        assert 'error:' in r.err and 'GDBus' not in r.err, r
        assert 'sessions-list' in r.err, r
    for args in ((), ('--config', 'x'), ('--config', 'x', '--pause', '--resume'),
                 ('--config', 'x', '--log-level', '9'), ('--path', '/x', '--pause'),
                 ('--config', 'x', '--path', '/net/openvpn/v3/sessions/y', '--pause')):
        r = c.fails(c.EXIT_USAGE, 'session-manage', *args)
        assert 'Usage: ovpn3 session-manage' in r.err, r
    c.fails(c.EXIT_USAGE, 'session-start')
    c.fails(c.EXIT_USAGE, 'session-start', '--config', 'a', '--config-path', '/x')
    c.fails(c.EXIT_USAGE, 'session-start', '--config', 'a', '--dco', 'maybe')
    c.fails(c.EXIT_USAGE, 'session-acl', '--config', 'a', '--public-access', 'x')
    c.fails(c.EXIT_USAGE, 'log')
    assert c.ok('sessions-list').out.startswith('No sessions.')
    assert c.ok('sessions-list', '--json').json() == []


def test_start_on_a_terminal():
    c.remove_all()
    profile('term')
    rc, out = c.run_pty('session-start', '--config', 'term', '--timeout', '20', answers=USERPASS)
    assert rc == 0, out
    assert 'Auth User name: alice' in out, repr(out)              # echoed
    assert 'pw-not-echoed-4711' not in out, repr(out)             # never echoed
    assert '\033[32mConnected' in out and "with 'term'" in out, repr(out)
    assert 'tunfake' in out and '192.0.2.1 port 1194 (udp)' in out, repr(out)
    [s] = sessions()
    assert set(s) == SESSION_KEYS, set(s) ^ SESSION_KEYS
    assert s['config_name'] == 'term' and s['status']['text'] == 'connected'
    assert s['status']['major'] == 2 and s['status']['minor'] == 7
    assert s['connected_to'] == {'protocol': 'udp', 'address': '192.0.2.1', 'port': 1194}
    assert s['owner_name'] == 'root' and s['path'] in out
    r = c.fails(c.EXIT_ERROR, 'session-start', '--config', 'term')
    assert 'already running' in r.err and 'sessions-list' in r.err, r
    end_all()


def test_start_from_a_pipe_and_a_file():
    c.remove_all()
    profile('piped', user=c.USER_A)
    r = c.run('session-start', '--config', 'piped', '--timeout', '20', user=c.USER_A,
              stdin='alice\nsecret\n')
    assert r.rc == 0, r
    assert 'Status: connected' in r.out and 'Connected' in r.out, r
    assert '\033[' not in r.out + r.err and 'secret' not in r.out + r.err, r
    assert [s['config_name'] for s in sessions(user=c.USER_A)] == ['piped']
    assert sessions(user=c.USER_B) == []
    # a file that is not imported: imported for this session only
    with c.ProfileDir(owner=c.USER_A) as d:
        f = d.inline_profile('autologin.ovpn')
        r = c.run('session-start', '--config', f, '--timeout', '20', user=c.USER_A)
    assert r.rc == 0 and 'Connected' in r.out, r
    assert sorted(s['config_name'] for s in sessions(user=c.USER_A)) == [f, 'piped']
    [p] = [p for p in c.list_json(user=c.USER_A) if p['name'] == f]
    assert p['single_use'] is True and p['persistent'] is False, p
    end_all()


def test_background_auth_and_failures():
    c.remove_all()
    profile('later')
    # nothing to read the answers from: a clear error, the session stays waiting
    r = c.run('session-start', '--config', 'later', '--timeout', '20', stdin='')
    assert r.rc == c.EXIT_ERROR and 'session-auth' in r.err, r
    r = c.ok('session-auth')
    [pid] = re.findall(r'^(\d+)\s+later\s+credentials', r.out, re.M)
    rc, out = c.run_pty('session-auth', '--auth-req', pid, '--timeout', '20', answers=USERPASS)
    assert rc == 0 and 'Connected' in out and 'pw-not-echoed' not in out, out
    assert c.ok('session-auth').out.startswith('No session is waiting'), out
    c.fails(c.EXIT_NOT_FOUND, 'session-auth', '--auth-req', '999999')
    # --background returns once connecting
    profile('autologin-bg')
    r = c.ok('session-start', '--config', 'autologin-bg', '--background')
    assert 'in the background' in r.out and 'ovpn3 log --path' in r.out, r
    t.wait_until(lambda: any(s['config_name'] == 'autologin-bg'
                             and s['status']['text'] == 'connected' for s in sessions()),
                 what='the background session to connect')
    # the connection fails: said in plain words, exit 1
    profile('autologin-fail-on-connect')
    r = c.run('session-start', '--config', 'autologin-fail-on-connect', '--timeout', '20')
    # The reason comes with the forwarded StatusChange; backends send it to the log service
    # before the session manager, which closes the session on CONN_FAILED.
    assert r.rc == c.EXIT_ERROR, r
    assert 'connection failed: fake failure' in r.err, r
    # the profile is refused by the backend
    profile('autologin-cfg-error')
    r = c.run('session-start', '--config', 'autologin-cfg-error', '--timeout', '20')
    assert r.rc != 0 and 'error:' in r.err and 'GDBus' not in r.err, r
    # no such profile or file
    r = c.fails(c.EXIT_NOT_FOUND, 'session-start', '--config', 'no-such-thing')
    assert 'neither a profile' in r.err, r
    end_all()


def test_manage_stats_acl_log():
    c.remove_all()
    path_cfg = profile('autologin-m', user=c.USER_A)
    r = c.ok('session-start', '--config', 'autologin-m', '--timeout', '20', user=c.USER_A)
    [s] = sessions(user=c.USER_A)
    path = s['path']
    assert s['config_path'] == path_cfg
    # stats
    r = c.ok('session-stats', '--path', path, user=c.USER_A)
    assert re.search(r'^BYTES_IN\s+1234$', r.out, re.M), r
    j = c.ok('session-stats', '--interface', s['device_name'], '--json', user=c.USER_A).json()
    assert j == {'path': path, 'statistics': {'BYTES_IN': 1234, 'BYTES_OUT': 567}}, j
    # the table
    r = c.ok('sessions-list', '--paths', user=c.USER_A)
    lines = r.out.splitlines()
    assert lines[0].split()[:3] == ['PROFILE', 'OWNER', 'STARTED'] and path in lines[1], r
    # log follows, then pause / resume / restart / log level
    log = subprocess.Popen([c.OVPN3, 'log', '--config', 'autologin-m'], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=c._env(None),
                           **c._user_kwargs(c.USER_A))
    time.sleep(1.0)
    r = c.ok('session-manage', '--config', 'autologin-m', '--pause', user=c.USER_A)
    assert 'paused' in r.out and '--resume' in r.out, r
    assert sessions(user=c.USER_A)[0]['status']['text'] == 'paused'
    r = c.ok('session-manage', '--path', path, '--resume', '--timeout', '20', user=c.USER_A)
    assert 'Connected' in r.out, r
    r = c.ok('session-manage', '--path', path, '--restart', '--timeout', '20', user=c.USER_A)
    assert 'Connected' in r.out, r
    r = c.ok('session-manage', '--path', path, '--log-level', '5', user=c.USER_A)
    assert sessions(user=c.USER_A)[0]['log_verbosity'] == 5
    # acl: B may not, then may
    assert sessions(user=c.USER_B) == []
    r = c.fails(c.EXIT_ACCESS, 'session-manage', '--path', path, '--disconnect', user=c.USER_B)
    assert 'permission denied' in r.err and 'hint:' in r.err, r
    r = c.ok('session-acl', '--path', path, '--grant', c.USER_B, '--show', user=c.USER_A)
    assert c.USER_B in r.out and 'Log restricted to owner: yes' in r.out, r
    assert [x['path'] for x in sessions(user=c.USER_B)] == [path]
    c.fails(c.EXIT_ACCESS, 'session-acl', '--path', path, '--public-access', 'yes',
            user=c.USER_B)
    # the log is the owner's unless the owner opens it
    r = c.fails(c.EXIT_ACCESS, 'log', '--path', path, user=c.USER_B)
    assert '--restrict-log-access no' in r.err, r
    # disconnect ends the log follower by itself
    r = c.ok('session-manage', '--path', path, '--disconnect', user=c.USER_A)
    assert 'Session disconnected.' in r.out and 'Received' in r.out, r
    out, err = log.communicate(timeout=t.CEILING)
    assert log.returncode == 0, (out, err)
    assert '[status] paused' in out and '[status] reconnecting' in out, out
    assert '[session ended]' in out, out
    assert sessions(user=c.USER_A) == []
    r = c.ok('session-manage', '--cleanup', user=c.USER_A)
    assert '0 stale sessions ended' in r.out, r


t.require_devbus()
t.main(independent=True)
