#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""version and version --services (text and --json): the CLI's own version and API level, and
each service's `version`/`implementation`; a service that is not there is shown, not hidden."""

import clitest as c
import ovpn3test as t

SERVICES = ['net.openvpn.v3.configuration', 'net.openvpn.v3.sessions', 'net.openvpn.v3.log',
            'net.openvpn.v3.backends', 'net.openvpn.v3.netcfg']


def test_version():
    r = c.ok('version')
    assert r.out.startswith('ovpn3 ') and '(D-Bus API v27)' in r.out and r.out.count('\n') == 1
    j = c.ok('version', '--json').json()
    assert set(j) == {'version', 'api_version'} and j['api_version'] == 'v27', j
    assert r.out.startswith('ovpn3 %s ' % j['version'])


def test_services():
    r = c.run('version', '--services', '--json', user=c.USER_A)
    j = r.json()
    assert set(j['services']) == set(SERVICES), j
    for name, s in j['services'].items():
        assert set(s) == {'available', 'version', 'implementation'}, s
        assert s['available'] == (s['version'] is not None), s
        if s['available']:
            assert s['version'] == 'v27' and s['implementation'].startswith('ovpn3 '), s
    for name in ('net.openvpn.v3.configuration', 'net.openvpn.v3.log'):
        assert j['services'][name]['available'], j
    all_there = all(s['available'] for s in j['services'].values())
    assert r.rc == (c.EXIT_OK if all_there else c.EXIT_UNAVAILABLE), r
    t = c.run('version', '--services', user=c.USER_A)
    assert t.rc == r.rc
    lines = t.out.splitlines()
    assert lines[2].split() == ['SERVICE', 'BUS', 'NAME', 'VERSION', 'IMPLEMENTATION'], t
    rows = {line.split()[1]: line for line in lines[3:]}
    assert set(rows) == set(SERVICES), t
    for name, s in j['services'].items():
        assert ('v27' if s['available'] else 'not available') in rows[name], (name, t)
    if not all_there:
        assert 'not every service is available' in t.err, t
        v = c.run('version', '--services', '--verbose', user=c.USER_A)
        assert 'net.openvpn.v3.' in v.err and ': ' in v.err, v


t.require_devbus()
t.main(independent=True)
