#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""help, help COMMAND, COMMAND --help, --version; every kind of bad command line prints the
usage on stderr and exits 2, without calling any service."""

import clitest as c
import ovpn3test as t

COMMANDS = ['config-import', 'configs-list', 'config-dump', 'config-manage', 'config-acl',
            'config-remove', 'session-start', 'sessions-list', 'session-manage', 'session-stats',
            'session-auth', 'session-acl', 'log', 'admin', 'version', 'help']


def test_no_service_calls_for_usage_errors():
    """A usage error must not start (or even call) a service."""
    bus = t.system_bus()
    assert not t.name_has_owner(bus, t.CONFIG_NAME)
    usage('config-dump')
    usage('config-import')
    c.ok('help')
    assert not t.name_has_owner(bus, t.CONFIG_NAME)


def test_help():
    r = c.ok('help')
    for cmd in COMMANDS:
        assert '\n  %s ' % cmd in r.out, (cmd, r.out)
    assert 'Exit codes:' in r.out and '4  permission denied' in r.out, r.out
    assert r.err == ''
    assert c.ok('--help').out == r.out
    assert '__complete' not in r.out


def test_help_command():
    for cmd in COMMANDS:
        a = c.ok('help', cmd)
        b = c.ok(cmd, '--help')
        assert a.out == b.out, cmd
        assert a.out.startswith('Usage: ovpn3 %s ' % cmd), a.out
        assert '--verbose' in a.out and 'Exit codes:' in a.out
    imp = c.ok('help', 'config-import').out
    for opt in ('--config FILE', '--name NAME', '--persistent', '--tag TAG', '--json'):
        assert opt in imp, (opt, imp)
    acl = c.ok('help', 'config-acl').out
    for opt in ('--grant USER', '--revoke USER', '--public-access yes|no', '--lock-down yes|no',
                '--seal', '--transfer-owner-session yes|no', '--show'):
        assert opt in acl, (opt, acl)


def test_version_flag():
    r = c.ok('--version')
    assert r.out.startswith('ovpn3 ') and '(D-Bus API v27)' in r.out, r.out


def test_bad_arguments():
    usage(message='no command given')
    usage('frobnicate', message="unknown command 'frobnicate'")
    usage('--frob', 'configs-list', message="unknown option '--frob'")
    usage('help', 'frobnicate', message="unknown command 'frobnicate'")
    usage('help', 'a', 'b')
    usage('configs-list', '--bogus', message='--bogus')
    usage('configs-list', 'extra', message="unexpected argument 'extra'")
    usage('config-import', message='--config FILE')
    usage('config-import', '--config')            # missing value
    usage('config-import', '--config', '/x.ovpn', '--tag', '')
    usage('config-import', '--config', '/x.ovpn', '--tag', 'a', '--tag', 'a',
          message="the tag 'a' is given twice")
    usage('config-import', '--config', '/x.ovpn', '--tag', 'x' * 129)
    usage('config-import', '--config', '/x.ovpn', '--name', '')
    for cmd in ('config-dump', 'config-manage', 'config-acl', 'config-remove'):
        usage(cmd, message='--config NAME or --path PATH')
        usage(cmd, '--config', 'a', '--path', '/net/openvpn/v3/configuration/x',
              message='not both')
        usage(cmd, '--path', '/not/a/profile', message='is not a profile path')
        usage(cmd, '--path', 'not a path at all')
    usage('config-manage', '--config', 'a', '--dco', 'maybe', message='yes or no')
    usage('config-manage', '--config', 'a', '--rename', '')
    usage('config-acl', '--config', 'a', '--public-access', 'perhaps', message='yes or no')
    usage('config-acl', '--config', 'a', '--lock-down', '2')
    usage('config-acl', '--config', 'a', '--transfer-owner-session', 'x')
    usage('version', '--services', 'now')
    # the same as an ordinary user
    usage('configs-list', '--bogus', user=c.USER_A)


def test_completion_helpers():
    cmds = c.ok('__complete', 'commands').out.split()
    assert cmds == COMMANDS, cmds
    opts = c.ok('__complete', 'options', 'config-acl').out.split()
    assert '--grant' in opts and '--seal' in opts and '--help' in opts, opts
    c.fails(c.EXIT_USAGE, '__complete', 'options', 'nope')


def usage(*args, message=None, user=None):
    r = c.fails(c.EXIT_USAGE, *args, user=user)
    assert r.out == '', r
    assert 'Usage: ovpn3' in r.err, r
    assert 'error:' in r.err, r
    if message is not None:
        assert message in r.err, (message, r)
    return r


t.require_devbus()
t.main(independent=True)
