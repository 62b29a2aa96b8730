# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared bits of the CLI benchmarks (run inside scripts/devbus)."""

import os
import pwd
import statistics
import subprocess
import sys
import time

OVPN3 = os.path.join(os.environ.get('OVPN3_BUILDDIR', 'build'), 'cli', 'ovpn3')
PROFILE_TEXT = ('client\ndev tun\nproto udp\nremote 127.0.0.1 1194\n<ca>\n'
                '-----BEGIN CERTIFICATE-----\nMIIBbench\n-----END CERTIFICATE-----\n</ca>\n')


def require_devbus():
    if os.environ.get('OVPN3_DEVBUS') != '1':
        sys.exit('run me as: scripts/devbus run -- %s' % sys.argv[0])


def user_kwargs(user):
    if user is None:
        return {}
    pw = pwd.getpwnam(user)
    return {'user': pw.pw_uid, 'group': pw.pw_gid, 'extra_groups': []}


def timed(args, user=None):
    """Wall time of one ovpn3 run, in milliseconds (fails loudly if ovpn3 fails)."""
    start = time.perf_counter()
    p = subprocess.run([OVPN3] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, **user_kwargs(user))
    ms = (time.perf_counter() - start) * 1000
    if p.returncode != 0:
        sys.exit('ovpn3 %s failed (%d): %s' % (' '.join(args), p.returncode, p.stderr))
    return ms


def report(label, samples):
    print('%-44s median %7.1f ms  (min %.1f, max %.1f, n=%d)'
          % (label, statistics.median(samples), min(samples), max(samples), len(samples)))
