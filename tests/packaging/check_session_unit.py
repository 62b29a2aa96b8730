#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The template unit ovpn3-session@.service (systemd/ovpn3-session@.service.in), checked
statically since no systemd runs here: `systemd-analyze verify` of the instance
ovpn3-session@work.service in a temporary root (host units + ours + a stand-in helper), with
the credentials drop-in the man page and the README show, has nothing to say, and notices a
missing helper; the settings the man page promises are there (Type=notify, Restart=on-failure,
RestartPreventExitStatus= = the helper's own 77 and 78 from cli/unattended/ovpn3-unattended.h,
StartLimit*, network-online, the lockdown); the offline `systemd-analyze security` exposure stays
within its budget.

Usage: check_session_unit.py UNIT_FILE
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

NAME = 'ovpn3-session@.service'
INSTANCE = 'ovpn3-session@work.service'
DROP_IN = ('[Service]\n'
           'LoadCredentialEncrypted=username:/etc/credstore.encrypted/ovpn3-work.username\n'
           'LoadCredentialEncrypted=password:/etc/credstore.encrypted/ovpn3-work.password\n')
# root without capabilities, no network, no devices (other units: 1.0 as the service user)
EXPOSURE_BUDGET = 1.5


def settings(path):
    found = {}
    with open(path) as f:
        for line in f:
            if '=' in line and not line.startswith('#'):
                k, v = line.rstrip('\n').split('=', 1)
                found.setdefault(k, []).append(v)
    return found


def helper_statuses():
    """EXIT_AUTH and EXIT_CONFIG of the helper, from its header."""
    src = os.environ.get('OVPN3_SOURCEDIR') or os.path.join(os.path.dirname(__file__), '..', '..')
    with open(os.path.join(src, 'cli', 'unattended', 'ovpn3-unattended.h')) as f:
        text = f.read()
    return [re.search(r'OVPN3_UNATTENDED_EXIT_%s = (\d+)' % n, text).group(1)
            for n in ('AUTH', 'CONFIG')]


def verify(argv):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout.strip()


def test_the_template_unit_verifies_clean_and_keeps_its_promises():
    path = sys.argv[1]
    s = settings(path)
    exec_path, arg = s['ExecStart'][0].split()
    want = {'Type': ['notify'], 'Restart': ['on-failure'],
            'RestartPreventExitStatus': [' '.join(helper_statuses())],
            'NoNewPrivileges': ['yes'], 'ProtectSystem': ['strict'], 'ProtectHome': ['yes'],
            'PrivateTmp': ['yes'], 'PrivateNetwork': ['yes'], 'CapabilityBoundingSet': [''],
            'RestrictAddressFamilies': ['AF_UNIX'], 'Wants': ['network-online.target'],
            'WantedBy': ['multi-user.target'], 'LimitCORE': ['0']}
    for key, value in want.items():
        assert s.get(key) == value, '%s=%s, want %s' % (key, s.get(key), value)
    assert arg == '%i', 'ExecStart= must pass the instance name as it is: %s' % arg
    assert 'User' not in s, 'User= belongs in a drop-in (root starts root\'s profiles)'
    for key in ('StartLimitIntervalSec', 'StartLimitBurst', 'TimeoutStartSec'):
        assert key in s, 'no %s=' % key
    after = s['After'][0].split()
    for unit in ('network-online.target', 'dbus.service', 'ovpn3-sessionmgr.service',
                 'ovpn3-netcfg.service'):
        assert unit in after, 'After= lacks %s: %s' % (unit, after)

    with tempfile.TemporaryDirectory(prefix='ovpn3-session-unit-') as root:
        os.makedirs(root + '/usr/lib/systemd')
        shutil.copytree('/lib/systemd/system', root + '/usr/lib/systemd/system', symlinks=True)
        os.makedirs(root + '/etc/systemd/system/%s.d' % INSTANCE)
        shutil.copy(path, root + '/etc/systemd/system/' + NAME)
        with open(root + '/etc/systemd/system/%s.d/credentials.conf' % INSTANCE, 'w') as f:
            f.write(DROP_IN)
        argv = ['systemd-analyze', 'verify', '--man=no', '--root=' + root,
                '/etc/systemd/system/' + INSTANCE]
        rc, out = verify(argv)
        assert rc != 0 and 'not executable' in out, 'verify missed the missing helper: ' + out
        os.makedirs(root + os.path.dirname(exec_path), exist_ok=True)
        with open(root + exec_path, 'w') as f:
            f.write('#!/bin/sh\n')
        os.chmod(root + exec_path, 0o755)
        rc, out = verify(argv)
        assert rc == 0 and out == '', 'systemd-analyze verify %s (status %d):\n%s' % (
            INSTANCE, rc, out)

        r = subprocess.run(['systemd-analyze', 'security', '--offline=yes', '--root=' + root,
                            '--no-pager', '/etc/systemd/system/' + INSTANCE],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(r'Overall exposure level for \S+: ([0-9.]+)', r.stdout)
        assert m is not None, 'no exposure level:\n' + r.stdout
        level = float(m.group(1))
        assert level <= EXPOSURE_BUDGET, '%s exposure %.1f > budget %.1f:\n%s' % (
            INSTANCE, level, EXPOSURE_BUDGET, r.stdout)
    print('%s: verify clean (with the credentials drop-in), exposure %.1f (budget %.1f)'
          % (INSTANCE, level, EXPOSURE_BUDGET))


if __name__ == '__main__':
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
    import ovpn3tap
    ovpn3tap.main()
