#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The ovpn3 binary goes to bindir, the man page (built from cli/ovpn3.1.scd.in) to
mandir/man1 and the bash completion to share/bash-completion/completions/ovpn3; the man page
is valid roff that documents every command and exit code; the completion is valid bash and
completes commands and options through `ovpn3 __complete`. No bus needed."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import ovpn3tap  # noqa: E402  (the TAP runner; this test needs no bus)

BUILD = os.environ['OVPN3_BUILDDIR']
SOURCE = os.environ['OVPN3_SOURCEDIR']
COMMANDS = ['config-import', 'configs-list', 'config-dump', 'config-manage', 'config-acl',
            'config-remove', 'session-start', 'sessions-list', 'session-manage', 'session-stats',
            'session-auth', 'session-acl', 'log', 'version', 'help']


def test_installed_paths():
    out = subprocess.run(['meson', 'introspect', BUILD, '--installed'], check=True,
                         capture_output=True, text=True).stdout
    installed = json.loads(out)
    dests = {os.path.relpath(src, BUILD) if src.startswith(BUILD) else src: dst
             for src, dst in installed.items()}
    prefix = json.loads(subprocess.run(['meson', 'introspect', BUILD, '--buildoptions'],
                                       check=True, capture_output=True, text=True).stdout)
    opts = {o['name']: o['value'] for o in prefix}
    want = {
        'cli/ovpn3': os.path.join(opts['prefix'], opts['bindir'], 'ovpn3'),
        'cli/ovpn3.1': os.path.join(opts['prefix'], opts['mandir'], 'man1', 'ovpn3.1'),
        os.path.join(SOURCE, 'cli', 'ovpn3.bash-completion'):
            os.path.join(opts['prefix'], opts['datadir'], 'bash-completion', 'completions',
                         'ovpn3'),
    }
    for src, dst in want.items():
        assert dests.get(src) == dst, (src, dst, dests.get(src))


def test_man_page_is_valid_roff_with_every_command_and_exit_code():
    man = os.path.join(BUILD, 'cli', 'ovpn3.1')
    with open(man) as f:
        roff = f.read()
    assert roff.lstrip().startswith('.\\"') or '.TH' in roff[:400], roff[:200]
    r = subprocess.run(['man', '--warnings', '-l', man],
                       capture_output=True, text=True, env=dict(os.environ, MANWIDTH='100'))
    assert r.returncode == 0 and r.stderr == '', r.stderr
    for cmd in COMMANDS:
        assert cmd in r.stdout, cmd
    for code in ('EXIT STATUS', 'JSON OUTPUT', 'ERRORS AND RETRIES', 'NO_COLOR'):
        assert code in r.stdout, code


def test_bash_completion_completes_commands_and_options():
    comp = os.path.join(SOURCE, 'cli', 'ovpn3.bash-completion')
    subprocess.run(['bash', '-n', comp], check=True)
    ovpn3_dir = os.path.join(BUILD, 'cli')
    script = '''
_init_completion() { COMPREPLY=(); cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
  words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { :; }
source "%s"
COMP_WORDS=(ovpn3 config-a); COMP_CWORD=1; _ovpn3; echo "${COMPREPLY[*]}"
COMP_WORDS=(ovpn3 config-acl --lo); COMP_CWORD=2; _ovpn3; echo "${COMPREPLY[*]}"
COMP_WORDS=(ovpn3 config-acl --lock-down ""); COMP_CWORD=3; _ovpn3; echo "${COMPREPLY[*]}"
''' % comp
    r = subprocess.run(['bash', '-c', script], capture_output=True, text=True, check=True,
                       env=dict(os.environ, PATH=ovpn3_dir + ':' + os.environ['PATH']))
    lines = r.stdout.splitlines()
    assert lines == ['config-acl', '--lock-down', 'yes no'], (lines, r.stderr)


ovpn3tap.main(independent=True)
