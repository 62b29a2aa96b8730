#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""config-import --from-openvpn3 [DIR]: OpenVPN 3 Linux's persistent profile files
(tests/data/openvpn3-configs, upstream's format) are imported by root with their name, owner,
tags, overrides, ACL, public_access, locked_down, transfer_owner_session and seal; one line per
file; the bad ones are refused with the reason and do not stop the others; only root may; a
missing folder (the default one here) is said so."""

import glob
import json
import os
import re
import shutil
import tempfile

import clitest as c
import ovpn3test as t

FIXTURES = os.path.join(os.environ.get('OVPN3_SOURCEDIR', '.'), 'tests', 'data',
                        'openvpn3-configs')
PLACEHOLDERS = {60001: c.USER_A, 60002: c.USER_B}


def fixture_dir():
    """The fixtures in a temporary folder, with the test users' UIDs for the placeholders."""
    d = tempfile.mkdtemp(prefix='ovpn3-openvpn3-configs-')
    for f in glob.glob(os.path.join(FIXTURES, '*')):
        shutil.copy(f, d)
        try:
            with open(f) as src:
                data = json.load(src)
        except ValueError:
            continue                              # the broken one stays as it is
        for key in ('owner',):
            if data.get(key) in PLACEHOLDERS:
                data[key] = c.pwd_uid(PLACEHOLDERS[data[key]])
        data['acl'] = [c.pwd_uid(PLACEHOLDERS[u]) if u in PLACEHOLDERS else u
                       for u in data.get('acl', [])]
        with open(os.path.join(d, os.path.basename(f)), 'w') as dst:
            json.dump(data, dst)
    return d


def by_name():
    return {p['name']: p for p in c.list_json()}


def test_import_all_report_each():
    c.remove_all()
    d = fixture_dir()
    try:
        r = c.run('config-import', '--from-openvpn3', d)
    finally:
        shutil.rmtree(d)
    assert r.rc == c.EXIT_ERROR, r                 # some were refused
    lines = r.out.splitlines()
    files = sorted(f for f in os.listdir(FIXTURES) if f.endswith('.json'))
    assert len(lines) == len(files), r
    for line, f in zip(lines, files):
        assert line.startswith(os.path.join(d, f) + ': '), (line, f)
    status = {os.path.basename(l.split(': ', 1)[0])[:4]: l.split(': ', 1)[1] for l in lines}
    for ok in ('0d6c', '1e7d', '2f8e'):
        assert re.match(r"imported as /net/openvpn/v3/configuration/\S+ \('", status[ok]), r
    assert status['3a9f'].startswith('refused: Invalid configuration profile: ') \
        and "'script-security' is not allowed" in status['3a9f'], r
    assert status['4b0a'] == 'refused: no owner (a UID)', r
    assert status['5c1b'].startswith('refused: not JSON: '), r
    assert 'runs-scripts' not in by_name() and 'no-owner' not in by_name()

    p = by_name()
    work, shared, fmt2 = p['work'], p['shared'], p['format2']
    uid_a, uid_b = c.pwd_uid(c.USER_A), c.pwd_uid(c.USER_B)
    assert work['owner'] == uid_a and work['persistent'] is True, work
    assert sorted(work['tags']) == ['office', 'vpn'], work
    assert work['overrides'] == {'dns-scope': 'tunnel', 'server-override': 'vpn2.example.com',
                                 'dns-setup-disabled': True}, work
    assert work['locked_down'] is True and work['public_access'] is False, work
    assert work['transfer_owner_session'] is True and work['sealed'] is False, work
    assert work['acl'] == [uid_b], work
    text = c.ok('config-dump', '--path', work['path']).out
    assert 'remote vpn.example.com 1194 udp\nremote vpn.example.com 443 tcp\n' in text, text
    assert '<ca>\n-----BEGIN CERTIFICATE-----' in text, text
    assert 'verify-x509-name "vpn server \\"one\\"" name\n' in text, text
    assert shared['owner'] == 0 and shared['public_access'] is True, shared
    assert shared['sealed'] is True, shared
    assert 'remote 192.0.2.10 1194 udp' in c.ok('config-dump', '--path', shared['path']).out
    assert fmt2['owner'] == uid_b and fmt2['tags'] == ['lab'], fmt2
    assert fmt2['overrides'] == {'log-level': '5'}, fmt2
    text = c.ok('config-dump', '--path', fmt2['path']).out
    assert 'remote 192.0.2.20 1194 udp\nremote 192.0.2.21 1195 udp\n' in text, text
    # as the owners, ACL and public access say
    assert sorted(x['name'] for x in c.list_json(user=c.USER_A)) == ['shared', 'work']
    assert sorted(x['name'] for x in c.list_json(user=c.USER_B)) == ['format2', 'shared', 'work']


def test_only_root_and_the_folder():
    c.remove_all()
    r = c.fails(c.EXIT_ACCESS, 'config-import', '--from-openvpn3', FIXTURES, user=c.USER_A)
    assert 'only root' in r.err, r
    assert c.list_json(user=c.USER_A) == []
    # the default folder: not there under devbus
    r = c.fails(c.EXIT_NOT_FOUND, 'config-import', '--from-openvpn3')
    assert '/var/lib/openvpn3/configs' in r.err, r
    r = c.fails(c.EXIT_NOT_FOUND, 'config-import', '--from-openvpn3=/nonexistent/dir')
    assert '/nonexistent/dir' in r.err, r
    r = c.fails(c.EXIT_USAGE, 'config-import', '--from-openvpn3', FIXTURES, '--name', 'x')
    assert '--from-openvpn3' in r.err, r
    empty = tempfile.mkdtemp(prefix='ovpn3-openvpn3-empty-')
    try:
        r = c.ok('config-import', '--from-openvpn3=' + empty)
    finally:
        os.rmdir(empty)
    assert 'No OpenVPN 3 Linux profiles' in r.out, r
    assert c.list_json() == []


t.require_devbus()
t.main(independent=True)
