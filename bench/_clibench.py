# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared bits of the CLI benchmarks (run inside scripts/devbus)."""

import os
import pwd
import re
import statistics
import subprocess
import sys
import time

OVPN3 = os.path.join(os.environ.get('OVPN3_BUILDDIR', 'build'), 'cli', 'ovpn3')
SERVICE_DIR = '/run/ovpn3-devbus/services'   # devbus's activation files
BASELINE_NAME = 'net.openvpn.v3.backends.bebench'
BASELINE_PATH = '/net/openvpn/v3/backends/session'
BASELINE_IFACE = 'net.openvpn.v3.backends'
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


def baseline_service(bus, service_user):
    """Make the minimal GDBus service (bench/baseline-service.c) activatable on the devbus bus
    as BASELINE_NAME: an activation file in devbus's service directory with Exec= as the log
    service's (setpriv as the service user and all) but for its binary, then ReloadConfig. The
    name is one the bus policy lets the service user own, and Ping at BASELINE_PATH one it lets
    the service user call (dbus-policy/client.conf.in); only the service user can call it."""
    with open(os.path.join(SERVICE_DIR, 'net.openvpn.v3.log.service')) as f:
        exec_line = re.search(r'^Exec=(.*)$', f.read(), re.M).group(1)
    argv = exec_line.split(' -- ', 1)[0]
    binary = os.path.abspath(os.path.join(os.path.dirname(os.path.dirname(OVPN3)), 'bench',
                                          'ovpn3-bench-baseline'))
    if not os.access(binary, os.X_OK):
        sys.exit('%s is missing: build the tree first' % binary)
    with open(os.path.join(SERVICE_DIR, BASELINE_NAME + '.service'), 'w') as f:
        f.write('# bench/_clibench.py\n[D-BUS Service]\nName=%s\nExec=%s -- %s %s\nUser=%s\n'
                % (BASELINE_NAME, argv, binary, BASELINE_NAME, service_user))
    bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                      'ReloadConfig', '', ())
