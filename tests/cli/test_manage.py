#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""config-dump (text and --json), config-manage, config-acl and config-remove: selection by
name (not found, ambiguous) and path, every change option, access denied for other users
(with the hint), locked-down and sealed profiles, the confirmation on a terminal."""

import clitest as c
import ovpn3test as t

DUMP_KEYS = {'path', 'name', 'owner', 'owner_name', 'tags', 'import_timestamp',
             'last_used_timestamp', 'used_count', 'persistent', 'single_use', 'sealed',
             'locked_down', 'public_access', 'transfer_owner_session', 'dco', 'valid', 'acl',
             'overrides', 'profile'}


def new_profile(name, *extra, user=None):
    with c.ProfileDir(owner=user) as d:
        return c.import_profile(d.basic(), '--name', name, *extra, user=user)


def info(path, user=None):
    return c.ok('config-dump', '--path', path, '--json', user=user).json()


def test_dump():
    c.remove_all()
    path = new_profile('dumpme', '--tag', 'x')
    text = c.ok('config-dump', '--config', 'dumpme').out
    assert text.startswith('client\n') and '<ca>\n-----BEGIN CERTIFICATE-----' in text, text
    assert c.ok('config-dump', '--path', path).out == text
    assert c.ok('config-dump', '-c', path).out == text      # a path given to --config
    j = info(path)
    assert set(j) == DUMP_KEYS, set(j) ^ DUMP_KEYS
    assert j['name'] == 'dumpme' and j['tags'] == ['x'] and j['path'] == path
    assert j['profile']['dev'] == ['tun'] and j['profile']['remote'] == [['127.0.0.1', '1194']]
    assert j['profile']['ca'].startswith('-----BEGIN CERTIFICATE-----')
    # the text dump can be imported again
    with c.ProfileDir() as d:
        again = c.import_profile(d.write('again.ovpn', text), '--name', 'again')
    assert c.ok('config-dump', '--path', again).out == text


def test_selection_errors():
    c.remove_all()
    r = c.fails(c.EXIT_NOT_FOUND, 'config-dump', '--config', 'nope')
    assert "no profile named 'nope'" in r.err and 'configs-list' in r.err, r
    a = new_profile('twin')
    b = new_profile('twin')
    r = c.fails(c.EXIT_ERROR, 'config-dump', '--config', 'twin')
    assert "2 profiles are named 'twin'" in r.err and a in r.err and b in r.err, r
    assert '--path' in r.err, r
    assert c.ok('config-dump', '--path', a).out
    c.ok('config-remove', '--path', a, '--force')
    for cmd in ('config-dump', 'config-manage', 'config-acl', 'config-remove'):
        r = c.fails(c.EXIT_NOT_FOUND, cmd, '--path', a)
        assert 'does not exist' in r.err and 'org.freedesktop' not in r.err, r
        v = c.fails(c.EXIT_NOT_FOUND, cmd, '--path', a, '--verbose')
        assert 'D-Bus error: org.freedesktop.DBus.Error.' in v.err, v
    assert c.ok('config-dump', '--config', 'twin').out


def test_manage():
    c.remove_all()
    path = new_profile('mine', '--tag', 'old')
    r = c.ok('config-manage', '--path', path)           # no change: show
    assert 'Name:' in r.out and 'mine' in r.out and 'Tags:' in r.out and 'old' in r.out, r
    r = c.ok('config-manage', '--config', 'mine', '--rename', 'renamed', '--tag', 'a', '--tag',
             'b', '--remove-tag', 'old', '--set-override', 'port-override=1195',
             '--set-override', 'persist-tun=yes', '--set-override', 'dns-scope=tunnel',
             '--dco', 'yes')
    assert r.out == 'Profile updated.\n', r
    j = info(path)
    assert j['name'] == 'renamed' and sorted(j['tags']) == ['a', 'b'] and j['dco'] is True
    assert j['overrides'] == {'port-override': '1195', 'persist-tun': True,
                              'dns-scope': 'tunnel'}, j['overrides']
    r = c.ok('config-manage', '--path', path, '--unset-override', 'persist-tun', '--show')
    assert 'Overrides:' in r.out and 'port-override=1195' in r.out, r
    assert 'persist-tun' not in r.out
    # the service's refusals, in plain words
    r = c.fails(c.EXIT_ERROR, 'config-manage', '--path', path, '--set-override', 'bogus=1')
    assert "Invalid override key 'bogus'" in r.err, r
    r = c.fails(c.EXIT_ERROR, 'config-manage', '--path', path, '--unset-override', 'ipv6')
    assert "'ipv6' has not been set" in r.err, r
    assert 'GDBus.Error' not in r.err, r      # upstream's message form is stripped too
    r = c.fails(c.EXIT_ERROR, 'config-manage', '--path', path, '--tag', 'a')
    assert 'Tag already exists' in r.err, r
    r = c.fails(c.EXIT_ERROR, 'config-manage', '--path', path, '--remove-tag', 'zzz')
    assert 'Non-existing tag' in r.err, r
    c.fails(c.EXIT_USAGE, 'config-manage', '--path', path, '--set-override', 'persist-tun=maybe')
    c.fails(c.EXIT_USAGE, 'config-manage', '--path', path, '--set-override', 'port-override')


def test_proxy_password_never_on_the_command_line():
    c.remove_all()
    path = new_profile('proxy')
    r = c.fails(c.EXIT_USAGE, 'config-manage', '--path', path, '--set-override',
                'proxy-password=hunter2')
    assert 'command line' in r.err and 'hunter2' not in r.err, r
    # from a pipe
    c.ok('config-manage', '--path', path, '--set-override', 'proxy-password', stdin='s3cret\n')
    j = info(path)
    assert j['overrides'] == {'proxy-password': '(set)'}, j
    r = c.ok('config-manage', '--path', path, '--show')
    assert 'proxy-password=(set)' in r.out and 's3cret' not in r.out, r
    # from the terminal, without echo
    rc, out = c.run_pty('config-manage', '--path', path, '--set-override', 'proxy-password',
                        answers=[('Proxy password: ', 'typed-secret')])
    assert rc == 0, out
    assert 'typed-secret' not in out, repr(out)
    # Ctrl-C at the hidden prompt: ovpn3 dies of it, and the terminal echoes again
    script = ('trap "" INT; "$0" config-manage --path "$1" --set-override proxy-password; '
              'echo "rc=$?"; stty -a')
    rc, out = c.run_pty(argv=['/bin/sh', '-c', script, c.OVPN3, path],
                        answers=[('Proxy password: ', None)])
    assert rc == 0 and 'rc=130' in out, out
    flags = out.split('rc=130', 1)[1].split()
    assert 'echo' in flags and '-echo' not in flags, out


def test_acl():
    c.remove_all()
    path = new_profile('shared', user=c.USER_A)
    r = c.ok('config-acl', '--path', path, user=c.USER_A)
    assert 'Owner:' in r.out and c.USER_A in r.out and 'nobody else' in r.out, r
    # B cannot see, read or change it
    assert c.list_json(user=c.USER_B) == []
    for args in (('config-dump',), ('config-manage', '--rename', 'x'),
                 ('config-acl', '--public-access', 'yes'), ('config-remove', '--force')):
        r = c.fails(c.EXIT_ACCESS, args[0], '--path', path, *args[1:], user=c.USER_B)
        assert 'permission denied' in r.err, r
        assert 'AccessDenied' not in r.err, r
    r = c.fails(c.EXIT_ACCESS, 'config-manage', '--path', path, '--tag', 't', user=c.USER_B)
    assert 'hint:' in r.err and 'owner' in r.err, r
    # grant B: B may read and use it, not change it
    c.ok('config-acl', '--path', path, '--grant', c.USER_B, user=c.USER_A)
    assert info(path, user=c.USER_B)['acl'] == [c.pwd_uid(c.USER_B)]
    assert c.ok('config-dump', '--path', path, user=c.USER_B).out.startswith('client')
    c.fails(c.EXIT_ACCESS, 'config-manage', '--path', path, '--rename', 'x', user=c.USER_B)
    r = c.fails(c.EXIT_ERROR, 'config-acl', '--path', path, '--grant', c.USER_B, user=c.USER_A)
    assert 'already granted' in r.err, r
    r = c.fails(c.EXIT_NOT_FOUND, 'config-acl', '--path', path, '--grant', 'no-such-user-xyz',
                user=c.USER_A)
    assert "no user 'no-such-user-xyz'" in r.err, r
    # lock-down: B may no longer read the contents
    c.ok('config-acl', '--path', path, '--lock-down', 'yes', user=c.USER_A)
    r = c.fails(c.EXIT_ACCESS, 'config-dump', '--path', path, user=c.USER_B)
    assert 'locked-down' in r.err, r
    c.ok('config-acl', '--path', path, '--lock-down', 'no', '--transfer-owner-session', 'yes',
         '--public-access', 'yes', user=c.USER_A)
    j = info(path, user=c.USER_A)
    assert j['public_access'] is True and j['transfer_owner_session'] is True
    assert j['locked_down'] is False
    r = c.ok('config-acl', '--path', path, '--revoke', str(c.pwd_uid(c.USER_B)), '--show',
             user=c.USER_A)
    assert 'Public access:' in r.out and 'nobody else' in r.out, r
    assert info(path, user=c.USER_A)['acl'] == []
    r = c.fails(c.EXIT_ERROR, 'config-acl', '--path', path, '--revoke', c.USER_B, user=c.USER_A)
    assert 'not granted' in r.err, r


def test_seal():
    c.remove_all()
    path = new_profile('sealme')
    # on a terminal it asks; "no" keeps it open
    rc, out = c.run_pty('config-acl', '--path', path, '--seal', answers=[('[y/N]', 'n')])
    assert rc == c.EXIT_ERROR and 'Not sealed' in out, out
    assert info(path)['sealed'] is False
    rc, out = c.run_pty('config-acl', '--path', path, '--seal', answers=[('[y/N]', 'y')])
    assert rc == 0, out
    assert info(path)['sealed'] is True
    r = c.fails(c.EXIT_ERROR, 'config-manage', '--path', path, '--tag', 'x')
    assert 'sealed' in r.err, r
    # --force (or no terminal) does not ask
    other = new_profile('sealme2')
    c.ok('config-acl', '--path', other, '--seal', '--force')
    assert info(other)['sealed'] is True
    # a sealed profile can still be removed
    c.ok('config-remove', '--path', path, '--force')


def test_remove():
    c.remove_all()
    path = new_profile('gone')
    rc, out = c.run_pty('config-remove', '--config', 'gone', answers=[('[y/N]', 'no')])
    assert rc == c.EXIT_ERROR and "Remove the profile 'gone'" in out and 'Nothing removed' in out
    assert [p['path'] for p in c.list_json()] == [path]
    rc, out = c.run_pty('config-remove', '--config', 'gone', answers=[('[y/N]', 'y')])
    assert rc == 0 and 'Profile removed' in out, out
    assert c.list_json() == []
    # without a terminal it does not ask
    new_profile('gone2')
    r = c.ok('config-remove', '--config', 'gone2')
    assert r.out == 'Profile removed.\n', r
    # --force on a terminal
    new_profile('gone3')
    rc, out = c.run_pty('config-remove', '--config', 'gone3', '--force')
    assert rc == 0 and '[y/N]' not in out, out
    assert c.list_json() == []


t.require_devbus()
t.main(independent=True)
