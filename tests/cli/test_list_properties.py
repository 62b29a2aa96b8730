#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""FetchConfigsProperties (ovpn3's listing with each profile's properties, docs/compatibility.md
§4): for an ordinary user exactly FetchAvailableConfigs + GetAll of each (the proxy password
never sent), another user's private profile hidden, shown once it grants access or is public,
and to a manage-others holder only then with GetAll's own rules; its filters as the search
methods; an unknown owner refused. configs-list prints the same with it as with a service that
lacks it (the fallback: a stand-in configuration manager serving what GetAll gave)."""

import json
import os
import signal
import subprocess
import tempfile

import dbus

import clitest as c
import ovpn3test as t

C, CM, PROPS = t.CONFIG_NAME, t.CONFIG_PATH, t.PROPS
A, B = c.USER_A, c.USER_B
INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'
PROFILE_TEXT = 'client\ndev tun\nremote 127.0.0.1 1194\n<ca>\n' + c.PEM_CERT % 'x' + '</ca>\n'

t.require_devbus()
root = t.system_bus()
t.polkit_deny_all()
uid_a, uid_b = t.uid_of(A), t.uid_of(B)


def setup(bus, profiles):
    """Import each (name, tags, overrides, public) as this user; their paths."""
    paths = []
    for name, tags, overrides, public in profiles:
        p = t.call(bus, C, CM, C, 'Import', name, PROFILE_TEXT, False, False, signature='ssbb')
        for tag in tags:
            t.call(bus, C, p, C, 'AddTag', tag, signature='s')
        for k, v in overrides.items():
            t.call(bus, C, p, C, 'SetOverride', k, v, signature='sv')
        if public:
            t.set_property(bus, C, p, C, 'public_access', dbus.Boolean(True))
        paths.append(p)
    return paths


def bulk(bus, name='', tag='', owner=''):
    return [(p, d) for p, d in t.call(bus, C, CM, C, 'FetchConfigsProperties', name, tag, owner,
                                      signature='sss')]


def by_get_all(bus, method='FetchAvailableConfigs', *args):
    paths = t.call(bus, C, CM, C, method, *args, signature='s' * len(args) or None)
    return [(p, t.call(bus, C, p, PROPS, 'GetAll', C, signature='s')) for p in paths]


def without_password(rows):
    """GetAll's rows as the listing sends them: the proxy password "" (set), never its value."""
    for _, props in rows:
        if 'proxy-password' in props.get('overrides', {}):
            props['overrides']['proxy-password'] = ''
    return rows


def test_same_as_fetch_and_getall_other_users_private_profiles_hidden():
    global a_paths, b_private, b_acl, b_public
    a_paths = t.run_as(A, setup, [('a-one', ['work'], {'server-override': 'vpn.example',
                                                       'proxy-password': 'hunter2'}, False),
                                  ('a-two', [], {}, False)])
    b_private, b_acl, b_public = t.run_as(B, setup, [
        ('b-private', ['work'], {'proxy-username': 'bob'}, False),
        ('b-acl', [], {'proxy-username': 'bob'}, False),
        ('b-public', ['work'], {'proxy-username': 'bob'}, True)])
    t.call_as(B, C, b_acl, C, 'AccessGrant', dbus.UInt32(uid_a), signature='u')
    rows = t.run_as(A, bulk)
    paths = [p for p, _ in rows]
    assert paths == sorted(paths) and b_private not in paths, paths
    assert set(a_paths + [b_acl, b_public]) <= set(paths), paths
    assert rows == without_password(t.run_as(A, by_get_all)), rows
    one = dict(rows)[a_paths[0]]
    assert one['overrides'] == {'server-override': 'vpn.example', 'proxy-password': ''}, one
    # the acl member and the public see no owner-only override, as GetAll gives them none
    assert dict(rows)[b_acl]['overrides'] == {} and dict(rows)[b_public]['overrides'] == {}
    assert [p for p, _ in t.run_as(B, bulk)] == sorted([b_private, b_acl, b_public])


def test_filters_as_the_search_methods():
    for args, method in ((('a-one', '', ''), ('LookupConfigName', 'a-one')),
                         (('b-private', '', ''), ('LookupConfigName', 'b-private')),
                         (('', 'work', ''), ('SearchByTag', 'work')),
                         (('', '', B), ('SearchByOwner', str(uid_b))),
                         (('', '', str(uid_a)), ('SearchByOwner', A))):
        got = t.run_as(A, bulk, *args)
        assert got == without_password(t.run_as(A, by_get_all, *method)), (args, got)
    both = t.run_as(A, bulk, '', 'work', B)
    assert [p for p, _ in both] == [b_public], both
    assert t.run_as(A, bulk, 'b-public', 'nope', '') == []
    e = t.expect_error(lambda: t.run_as(A, bulk, '', '', 'no-such-user-xyz'), INVALID_ARGS)
    assert 'no-such-user-xyz' in e.message, e.message


def test_manage_others_as_getall():
    t.polkit_allow('net.openvpn.v3.manage-others')
    try:
        rows = t.run_as(A, bulk, '', '', B)
        assert [p for p, _ in rows] == sorted([b_private, b_acl, b_public]), rows
        assert rows == t.run_as(A, by_get_all, 'SearchByOwner', B), rows
        # an administrator reads the hidden profile as its owner; where GetAll would not ask
        # polkit (the acl entry, the public profile) it does not read as one either
        got = dict(rows)
        assert got[b_private]['overrides'] == {'proxy-username': 'bob'}, got[b_private]
        assert got[b_acl]['overrides'] == {} and got[b_public]['overrides'] == {}, got
    finally:
        t.polkit_deny_all()
    assert b_private not in [p for p, _ in t.run_as(A, bulk)]


def capture(bus):
    return {p: t.plain(d) for p, d in by_get_all(bus)}


COMMANDS = [(), ('--json',), ('--paths',), ('--count',), ('--filter-tag', 'work'),
            ('--filter-owner', B, '--json'), ('--filter-name', 'b-*'), ('--filter-name', 'a-one'),
            ('--filter-config', 'a-')]


def test_configs_list_prints_the_same_from_a_service_without_it():
    with_bulk = [c.ok('configs-list', *args, user=A).out for args in COMMANDS]
    assert 'a-one' in with_bulk[0] and 'b-public' in with_bulk[0], with_bulk[0]
    data = t.run_as(A, capture)
    t.kill_service(root, C, signal.SIGTERM)
    with tempfile.NamedTemporaryFile('w', suffix='.json') as f:
        json.dump(data, f)
        f.flush()
        os.chmod(f.name, 0o644)
        fake = subprocess.Popen(
            ['/usr/bin/setpriv', '--reuid=' + t.service_user(), '--regid=' + t.service_user(),
             '--init-groups', '/usr/bin/python3',
             os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fake_configmgr.py'),
             f.name], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert fake.stdout.readline().strip() == 'ready'
            mon = c.Monitor()
            try:
                start = mon.mark('fallback-start')
                without = [c.ok('configs-list', *args, user=A).out for args in COMMANDS]
                calls = mon.calls_between(start, mon.mark('fallback-end'))
            finally:
                mon.stop()
        finally:
            fake.stdin.close()
            fake.wait(timeout=t.CEILING)
    # it asked, was told UnknownMethod, and read each profile with GetAll
    assert any('member=FetchConfigsProperties' in line for line in calls), calls[:5]
    assert any('member=GetAll' in line for line in calls), calls[:5]
    for args, one, other in zip(COMMANDS, with_bulk, without):
        assert one == other, (args, one, other)


t.main()
