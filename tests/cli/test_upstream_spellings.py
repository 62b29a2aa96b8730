#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ovpn3 accepts openvpn3's spellings (docs/compatibility.md §6). The acceptance list is the
options of upstream v27's `openvpn3 <command> --help`, transcribed from its source into
tests/data/upstream-help/: every command exists, every option (long and short) is in
`ovpn3 <command> --help` with the same meaning (a short option names the same option, or one
that says "Same as --X") and the parser takes it. Then the important ones run against the
services, with the stand-in backend client fake_slow_client.py (its 'never' profiles never
connect): config-manage's per-override options, -s/--show, --exists, --quiet; configs-list
--count/--filter-config; config-acl -T/-S; --config-path; session-start -p and --persist-tun;
--timeout that disconnects; log --config waiting for the session; log --session-path;
session-acl --allow-log-access; session-manage -P/-R and --log-level alone."""

import os
import re
import subprocess
import tempfile

import clitest as c
import ovpn3test as t

HELP_DIR = os.path.join(os.environ.get('OVPN3_SOURCEDIR', '.'), 'tests', 'data', 'upstream-help')
OPTION_LINE = re.compile(r'^  (?:-(\w), |    )--([\w-]+)(?: (\S+))?(?:\s+(.*))?$')


def upstream_commands():
    with open(os.path.join(HELP_DIR, 'commands.txt')) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith('#')]


def upstream_options(cmd):
    """[(short or None, long, argument or None)] of `openvpn3 <cmd> --help`."""
    out = []
    with open(os.path.join(HELP_DIR, cmd + '.txt')) as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            short, long_, arg = line.split(None, 2)
            arg = arg.strip()
            out.append((None if short == '-' else short[1:], long_[2:],
                        None if arg == '-' else arg))
    return out


def ours(cmd):
    """ovpn3's options from `ovpn3 <cmd> --help`: {long: (short, argument, description)}."""
    lines = c.ok(cmd, '--help').out.splitlines()
    opts = {}
    for i, line in enumerate(lines):
        m = OPTION_LINE.match(line)
        if m:
            desc = m.group(4) or (lines[i + 1].strip() if i + 1 < len(lines) else '')
            opts[m.group(2)] = (m.group(1), m.group(3), desc)
    return opts


def canonical(opts, long_):
    m = re.match(r'Same as --([\w-]+)', opts[long_][2])
    return m.group(1) if m else long_


def sample(long_, arg):
    """A value the parser takes for an option of openvpn3's."""
    if long_ == 'proxy-password':
        return '-'
    if arg in ('<true|false>', 'BOOL'):
        return 'true'
    if arg in ('SECS', 'LOG-LEVEL', '[LEVEL]', 'ID', '<1|2|3|4|5|6>'):
        return '3'
    return 'x'


def test_every_command():
    names = upstream_commands()
    assert len(names) == 15 and 'config-manage' in names, names
    listed = c.ok('help').out
    for cmd in names:
        c.ok(cmd, '--help')
        if cmd != 'help':
            assert '\n  %s ' % cmd in listed, cmd


def test_every_option_in_help():
    missing = []
    count = 0
    for cmd in upstream_commands():
        if cmd == 'help':
            continue
        opts = ours(cmd)
        shorts = {v[0]: k for k, v in opts.items() if v[0]}
        for short, long_, arg in upstream_options(cmd):
            count += 1
            if long_ not in opts:
                missing.append('%s --%s' % (cmd, long_))
                continue
            if (arg is None) != (opts[long_][1] is None):
                missing.append('%s --%s: argument %r, ours %r' % (cmd, long_, arg,
                                                                   opts[long_][1]))
            if short is not None and (short not in shorts or canonical(opts, shorts[short])
                                      != canonical(opts, long_)):
                missing.append('%s -%s (--%s): ours %r' % (cmd, short, long_,
                                                           shorts.get(short)))
    assert count > 100, count        # the files were read
    assert missing == [], missing


def test_every_option_parses():
    """Each spelling with a value of its kind and --help: the parser takes it (exit 0)."""
    refused = []
    for cmd in upstream_commands():
        if cmd == 'help':
            continue
        for short, long_, arg in upstream_options(cmd):
            for spelling in ['--' + long_] + (['-' + short] if short else []):
                args = [spelling] if arg is None else [spelling, sample(long_, arg)]
                if arg == '[LEVEL]':
                    args = [spelling + '=3']
                r = c.run(cmd, *args, '--help')
                if r.rc != 0 or not r.out.startswith('Usage: ovpn3 ' + cmd):
                    refused.append('%s %s: %s' % (cmd, ' '.join(args), r.err.strip()))
    assert refused == [], refused


def profile(name, user=None):
    with c.ProfileDir(owner=user) as d:
        return c.import_profile(d.inline_profile(), '--name', name, user=user)


def sessions(user=None):
    return c.ok('sessions-list', '--json', user=user).json()


def overrides(path):
    return c.ok('config-dump', '--path', path, '--json').json()['overrides']


def test_config_manage():
    c.remove_all()
    path = profile('up-a')
    r = c.ok('config-manage', '--config', 'up-a', '--dns-scope', 'tunnel', '--server-override',
             'vpn.example.com', '--dns-setup-disabled', 'true', '--log-level', '4')
    assert r.out == 'Profile updated.\n', r
    assert overrides(path) == {'dns-scope': 'tunnel', 'server-override': 'vpn.example.com',
                               'dns-setup-disabled': True, 'log-level': '4'}, overrides(path)
    r = c.ok('config-manage', '--config-path', path, '--unset-override', 'server-override',
             '--quiet')
    assert r.out == '' and r.err == '', r
    assert 'server-override' not in overrides(path)
    r = c.ok('config-manage', '-c', 'up-a', '-s')
    assert re.search(r'^Overrides:\s+.*dns-scope=tunnel', r.out, re.M), r
    r = c.fails(c.EXIT_USAGE, 'config-manage', '-c', 'up-a', '--proxy-password', 'secret')
    assert 'command line' in r.err and 'secret' not in r.err, r
    # --exists, --quiet
    r = c.ok('config-manage', '--config', 'up-a', '--exists')
    assert r.out == "Profile 'up-a' is present: %s\n" % path, r
    r = c.ok('config-manage', '--path', path, '--exists', '--quiet')
    assert r.out == '' and r.err == '', r
    r = c.fails(c.EXIT_NOT_FOUND, 'config-manage', '--config', 'nope', '--exists', '--quiet')
    assert r.out == '' and r.err == '', r
    r = c.fails(c.EXIT_NOT_FOUND, 'config-manage', '--config', 'nope', '--exists')
    assert "no profile named 'nope'" in r.err, r


def test_configs_list_acl_dump_remove():
    c.remove_all()
    a = profile('up-a')
    profile('up-b')
    profile('other')
    assert c.ok('configs-list', '--count').out == 'Configurations found: 3\n'
    assert c.ok('configs-list', '--filter-config', 'up-', '--count').out == \
        'Configurations found: 2\n'
    names = [p['name'] for p in c.list_json('--filter-config', 'up-')]
    assert names == ['up-a', 'up-b'], names
    c.fails(c.EXIT_USAGE, 'configs-list', '--count', '--json')
    assert a in c.ok('configs-list', '-v').out            # more about each profile
    r = c.ok('config-acl', '--config-path', a, '-T', 'true', '-s')
    assert re.search(r'Transfer owner session:\s+yes', r.out), r
    r = c.ok('config-acl', '-c', 'up-a', '-S')
    assert c.list_json('--filter-name', 'up-a')[0]['sealed'] is True
    assert c.ok('config-dump', '--config-path', a).out.startswith('client\n')
    c.ok('config-remove', '--config-path', a, '--force')
    assert c.ok('configs-list', '--count').out == 'Configurations found: 2\n'


def test_session_start_timeout_disconnects():
    c.remove_all()
    profile('autologin-never')
    r = c.run('session-start', '--config', 'autologin-never', '--timeout', '2')
    assert r.rc == c.EXIT_ERROR, r
    assert 'not connected after 2 seconds' in r.err and 'was disconnected' in r.err, r
    t.wait_until(lambda: sessions() == [], what='the timed-out session to be gone')


def test_session_start_config_path_and_persist_tun():
    c.remove_all()
    path = profile('autologin-p')
    r = c.ok('session-start', '-p', path, '--timeout', '20')
    assert 'Connected' in r.out, r
    [s] = sessions()
    c.ok('session-manage', '--session-path', s['path'], '-D')
    c.fails(c.EXIT_USAGE, 'session-start', '-p', path, '--persist-tun')
    with c.ProfileDir() as d:
        f = d.inline_profile('autologin-file.ovpn')
        r = c.ok('session-start', '--config', f, '--persist-tun', '--timeout', '20')
    assert 'Connected' in r.out, r
    [p] = [p for p in c.list_json() if p['name'] == f]
    assert p['overrides'] == {'persist-tun': True} and p['single_use'] is True, p
    for s in sessions():
        c.ok('session-manage', '--path', s['path'], '--disconnect')
    t.wait_until(lambda: sessions() == [], what='the sessions to end')


def test_log_waits_acl_manage():
    c.remove_all()
    profile('autologin-later', user=c.USER_A)
    work = tempfile.mkdtemp(prefix='ovpn3-upstream-log-')
    out_path, err_path = os.path.join(work, 'out'), os.path.join(work, 'err')
    out2_path, err2_path = os.path.join(work, 'out2'), os.path.join(work, 'err2')

    def text(p):
        with open(p) as f:
            return f.read()

    with open(out_path, 'w') as out, open(err_path, 'w') as err:
        log = subprocess.Popen([c.OVPN3, 'log', '--config', 'autologin-later'], stdout=out,
                               stderr=err, env=c._env(None), **c._user_kwargs(c.USER_A))
    try:
        t.wait_until(lambda: 'Waiting for session to start…' in text(err_path),
                     what='log --config to wait')
        assert log.poll() is None
        c.ok('session-start', '--config', 'autologin-later', '--timeout', '20', user=c.USER_A)
        [s] = sessions(user=c.USER_A)
        t.wait_until(lambda: 'Following %s' % s['path'] in text(err_path),
                     what='log to follow the new session')
        r = c.ok('session-acl', '--session-path', s['path'], '--allow-log-access', 'true', '-s',
                 user=c.USER_A)
        assert re.search(r'Log restricted to owner:\s+no', r.out), r
        assert sessions(user=c.USER_A)[0]['restrict_log_access'] is False
        c.ok('session-manage', '--session-path', s['path'], '--log-level', '5', user=c.USER_A)
        r = c.ok('session-manage', '--session-path', s['path'], '--log-level', user=c.USER_A)
        assert r.out == 'Log level: 5\n', r
        c.ok('session-manage', '--session-path', s['path'], '-P', user=c.USER_A)
        c.ok('session-manage', '--session-path', s['path'], '-R', '--timeout', '20',
             user=c.USER_A)
        with open(out2_path, 'w') as out, open(err2_path, 'w') as err:
            second = subprocess.Popen([c.OVPN3, 'log', '--session-path', s['path']],
                                      stdout=out, stderr=err, env=c._env(None),
                                      **c._user_kwargs(c.USER_A))
        t.wait_until(lambda: 'Following' in text(err2_path), what='log --session-path')
        t.wait_until(lambda: '[status] connected' in text(out_path) and
                     '[status] paused' in text(out_path), what='the statuses in the log')
        c.ok('session-stats', '--session-path', s['path'], user=c.USER_A)
        c.ok('session-manage', '--session-path', s['path'], '-D', user=c.USER_A)
        assert log.wait(timeout=t.CEILING) == 0
        assert second.wait(timeout=t.CEILING) == 0
        assert '[session ended]' in text(out2_path), text(out2_path)
        assert '[session ended]' in text(out_path), text(out_path)
    finally:
        if log.poll() is None:
            log.kill()
            log.wait()
        for p in (out_path, err_path, out2_path, err2_path):
            if os.path.exists(p):
                os.unlink(p)
        os.rmdir(work)


t.require_devbus()
t.main(independent=True)
