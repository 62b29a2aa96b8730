#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""configs-list: aligned table, --paths, --json schema, filters (name, wildcard, tag, owner),
what other users see, colour only on a terminal (NO_COLOR respected), and the cost: with 200
profiles one call in all (FetchConfigsProperties) and none per profile, counted on the bus."""

import time

import clitest as c
import ovpn3test as t

PROFILE_KEYS = {'path', 'name', 'owner', 'owner_name', 'tags', 'import_timestamp',
                'last_used_timestamp', 'used_count', 'persistent', 'single_use', 'sealed',
                'locked_down', 'public_access', 'transfer_owner_session', 'dco', 'valid', 'acl',
                'overrides'}
PROFILE_TEXT = 'client\ndev tun\nremote 127.0.0.1 1194\n<ca>\n' + c.PEM_CERT % 'x' + '</ca>\n'


def bus_import(bus, names):
    paths = []
    for name in names:
        paths.append(t.call(bus, t.CONFIG_NAME, t.CONFIG_PATH, t.CONFIG_NAME, 'Import', name,
                            PROFILE_TEXT, False, False, signature='ssbb'))
    return paths


def columns(line, headers):
    return [line.index(h) for h in headers]


def test_table_and_paths():
    c.remove_all()
    r = c.ok('configs-list')
    assert r.out.startswith('No profiles.'), r
    with c.ProfileDir() as d:
        p = d.inline_profile()
        c.import_profile(p, '--name', 'a', '--tag', 'one', '--tag', 'two', '--persistent')
        c.import_profile(p, '--name', 'a much longer name')
    r = c.ok('configs-list')
    lines = r.out.splitlines()
    headers = ['NAME', 'OWNER', 'IMPORTED', 'LAST USED', 'USES', 'FLAGS', 'TAGS']
    starts = columns(lines[0], headers)
    assert len(lines) == 3, r
    assert lines[1].startswith('a ') and lines[2].startswith('a much longer name ')
    for line in lines[1:]:
        assert line[starts[1]:].startswith('root '), (line, starts)
        assert line[starts[3]:].startswith('never '), line
        assert line[starts[4]:].startswith('0 '), line
    assert 'persistent' in lines[1][starts[5]:] and 'one, two' in lines[1][starts[6]:]
    assert '\033[' not in r.out and 'PATH' not in r.out
    r = c.ok('configs-list', '--paths')
    lines = r.out.splitlines()
    assert lines[0].rstrip().endswith('PATH')
    for line in lines[1:]:
        assert line.rstrip().split()[-1].startswith('/net/openvpn/v3/configuration/'), line


def test_json_schema():
    c.remove_all()
    assert c.list_json() == []
    with c.ProfileDir() as d:
        path = c.import_profile(d.inline_profile(), '--name', 'j', '--tag', 't')
    [p] = c.list_json()
    assert set(p) == PROFILE_KEYS, set(p) ^ PROFILE_KEYS
    assert p['path'] == path and p['name'] == 'j' and p['owner'] == 0
    assert p['owner_name'] == 'root' and p['tags'] == ['t'] and p['used_count'] == 0
    assert abs(p['import_timestamp'] - time.time()) < 600 and p['last_used_timestamp'] == 0
    for key in ('persistent', 'single_use', 'sealed', 'locked_down', 'public_access',
                'transfer_owner_session', 'dco'):
        assert p[key] is False, key
    assert p['valid'] is True and p['acl'] == [] and p['overrides'] == {}


def test_filters_and_visibility():
    c.remove_all()
    with c.ProfileDir() as d:
        prof = d.inline_profile()
        c.import_profile(prof, '--name', 'alpha', '--tag', 'x')
        c.import_profile(prof, '--name', 'alpha2', '--tag', 'x', '--tag', 'y')
        c.import_profile(prof, '--name', 'beta', '--tag', 'y')
        gamma = c.import_profile(prof, '--name', 'gamma', user=c.USER_A)
        c.import_profile(prof, '--name', 'delta', user=c.USER_A)

    def names(*args, user=None):
        return [p['name'] for p in c.list_json(*args, user=user)]
    # root is an administrator: it sees everybody's profiles (docs/security.md §6)
    assert names() == ['alpha', 'alpha2', 'beta', 'delta', 'gamma'], names()
    # users see only their own
    assert names(user=c.USER_A) == ['delta', 'gamma']
    assert names(user=c.USER_B) == []
    assert names('--filter-name', 'alpha') == ['alpha']
    assert names('--filter-name', 'alpha*') == ['alpha', 'alpha2']
    assert names('--filter-name', '?eta') == ['beta']
    assert names('--filter-tag', 'x') == ['alpha', 'alpha2']
    assert names('--filter-tag', 'y', '--filter-name', 'a*') == ['alpha2']
    assert names('--filter-owner', 'root') == ['alpha', 'alpha2', 'beta']
    assert names('--filter-owner', '0', '--filter-tag', 'y') == ['alpha2', 'beta']
    assert names('--filter-owner', c.USER_A) == ['delta', 'gamma']
    assert names('--filter-owner', c.USER_A, '--filter-name', 'g*') == ['gamma']
    assert names('--filter-name', 'nothing') == []
    assert names('--filter-name', '*a', user=c.USER_A) == ['delta', 'gamma']
    r = c.ok('configs-list', '--filter-name', 'nothing')
    assert r.out.startswith('No profile matches.'), r
    r = c.fails(c.EXIT_NOT_FOUND, 'configs-list', '--filter-owner', 'no-such-user-xyz')
    assert "no-such-user-xyz" in r.err, r
    # shared with B: B sees it (and only it)
    c.ok('config-acl', '--path', gamma, '--grant', c.USER_B, user=c.USER_A)
    assert names(user=c.USER_B) == ['gamma']
    assert names('--filter-owner', c.USER_A, user=c.USER_B) == ['gamma']
    [g] = c.list_json(user=c.USER_B)
    assert g['owner_name'] == c.USER_A


def test_colour_only_on_a_terminal():
    c.remove_all()
    with c.ProfileDir() as d:
        c.import_profile(d.inline_profile(), '--name', 'coloured')
    rc, out = c.run_pty('configs-list')
    assert rc == 0 and '\033[1mNAME' in out, repr(out)
    rc, out = c.run_pty('configs-list', env={'NO_COLOR': '1'})
    assert rc == 0 and '\033[' not in out and 'NAME' in out, repr(out)
    rc, out = c.run_pty('configs-list', env={'TERM': 'dumb'})
    assert rc == 0 and '\033[' not in out, repr(out)
    assert '\033[' not in c.ok('configs-list').out
    # errors: coloured on a terminal, plain otherwise
    rc, out = c.run_pty('config-dump', '--config', 'nothing')
    assert rc == c.EXIT_NOT_FOUND and '\033[31merror:' in out, repr(out)
    r = c.fails(c.EXIT_NOT_FOUND, 'config-dump', '--config', 'nothing')
    assert '\033[' not in r.err and 'error:' in r.err


def test_one_call_with_200_profiles():
    c.remove_all()
    names = ['profile-%03d' % i for i in range(200)]
    paths = t.run_as(c.USER_A, bus_import, names, timeout=120)
    assert len(paths) == 200
    mon = c.Monitor()
    try:
        for expected in (200, 1):
            start = mon.mark('before-%d' % expected)
            args = () if expected == 200 else ('--filter-name', 'profile-007')
            r = c.ok('configs-list', *args, user=c.USER_A)
            end = mon.mark('after-%d' % expected)
            calls = mon.calls_between(start, end)
            lines = r.out.splitlines()
            assert len(lines) == expected + 1, r
            on_objects = [line for line in calls
                          if 'path=/net/openvpn/v3/configuration/' in line]
            # nothing per object: no GetAll, no Get, no Ping, no Introspect
            assert on_objects == [], on_objects[:5]
            # one call on the manager: the profiles with their properties
            manager = [line for line in calls if 'path=/net/openvpn/v3/configuration;' in line]
            assert len(manager) == 1, manager
            assert 'member=FetchConfigsProperties' in manager[0], manager
    finally:
        mon.stop()
    assert len(c.list_json(user=c.USER_A)) == 200


t.require_devbus()
t.main(independent=True)
