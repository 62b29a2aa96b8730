# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of scripts/devbus, run on the host (not inside devbus).

  test_devbus.py inside    the inside checks (devbus_probe.py) pass, and
                           afterwards nothing of the run is left on the host
  test_devbus.py status    CMD's exit status is propagated; the service log
                           is printed/kept on failure only
  test_devbus.py parallel  two runs at the same time do not see each other
"""

import configparser
import os
import re
import subprocess
import sys
import tempfile
import threading
import uuid

SRC = os.environ.get('OVPN3_SOURCEDIR') or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.realpath(__file__))))
DEVBUS = os.path.join(SRC, 'scripts', 'devbus')
PROBE = os.path.join(SRC, 'tests', 'packaging', 'devbus_probe.py')
PYTHON = '/usr/bin/python3'
# Our own log directory, so that other devbus runs going on in parallel
# (other tests) do not disturb the "nothing left behind" check.
LOG_DIR = tempfile.mkdtemp(prefix='ovpn3-devbus-selftest-')


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def devbus(*cmd, env=None):
    env = dict(env or os.environ, OVPN3_DEVBUS_LOG_DIR=LOG_DIR)
    return subprocess.run([DEVBUS, 'run', '--'] + list(cmd), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=300)


def processes_with(marker):
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def host_state():
    with open('/proc/self/mountinfo') as f:
        mounts = sorted(' '.join(line.split()[3:5]) for line in f)
    with open('/etc/resolv.conf', 'rb') as f:
        resolv = f.read()
    return {
        'mounts': mounts,
        'resolv.conf': resolv,
        'logs': sorted(n for n in os.listdir(LOG_DIR) if n.startswith('ovpn3-devbus-')),
        'netns links': subprocess.run(['ip', '-o', 'link'], stdout=subprocess.PIPE,
                                      text=True).stdout.count('\n'),
        'paths': {p: os.path.lexists(p) for p in ('/var/lib/ovpn3', '/run/ovpn3',
                                                  '/run/ovpn3-devbus', '/run/systemd/journal/socket',
                                                  '/run/dbus/system_bus_socket')},
    }


def log_path_from(stderr):
    m = re.search(r'service log: (\S+)', stderr)
    return m.group(1) if m else None


def case_inside():
    before = host_state()
    marker = 'ovpn3-devbus-probe-' + uuid.uuid4().hex
    r = devbus(PYTHON, PROBE, marker)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    check(r.returncode == 0, 'probe failed inside devbus (status %d)' % r.returncode)
    check('probe ok' in r.stdout, 'probe did not finish')
    check(processes_with(marker) == [], 'processes left behind: %s' % processes_with(marker))
    after = host_state()
    for key in before:
        check(before[key] == after[key], 'host %s changed:\n%s\n->\n%s' % (key, before[key], after[key]))
    print('inside: ok; host unchanged (%d mounts, %d log files)' % (len(after['mounts']),
                                                                    len(after['logs'])))


def case_status():
    for cmd, want in ((['true'], 0), (['false'], 1), (['sh', '-c', 'exit 42'], 42),
                      (['sh', '-c', 'kill -TERM $$'], 128 + 15),
                      (['/nonexistent/ovpn3-devbus-no-such-command'], 127)):
        r = devbus(*cmd)
        check(r.returncode == want, '%s: status %d, want %d\n%s' % (cmd, r.returncode, want, r.stderr))
        log = log_path_from(r.stderr)
        if want == 0:
            check(log is None, 'success printed a log path: ' + r.stderr)
        else:
            check(log is not None and os.path.exists(log), 'failure without a kept log: ' + r.stderr)
            with open(log) as f:
                check('dbus-daemon' in f.read() or want == 127, 'log does not have the bus output')
            os.unlink(log)
    r = subprocess.run([DEVBUS, 'shell'], input='test -S /run/dbus/system_bus_socket || exit 9\n'
                       'exit 5\n', stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, OVPN3_DEVBUS_LOG_DIR=LOG_DIR), timeout=300)
    check(r.returncode == 5, 'shell: status %d\n%s' % (r.returncode, r.stderr))
    os.unlink(log_path_from(r.stderr))
    env = dict(os.environ, OVPN3_DEVBUS_KEEP_LOG='1')
    r = devbus('true', env=env)
    log = log_path_from(r.stderr)
    check(r.returncode == 0 and log and os.path.exists(log), 'KEEP_LOG: ' + r.stderr)
    os.unlink(log)
    r = subprocess.run([DEVBUS, 'run'], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    check(r.returncode == 2 and 'Usage' in r.stderr, 'no command: %d %s' % (r.returncode, r.stderr))
    print('status: ok')


def case_parallel():
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(os.path.join(os.environ['OVPN3_BUILDDIR'], 'dbus-services', 'devbus.ini'))
    script = ('import os, time, sys; d = "' + cfg['devbus']['statedir'] + '"; '
              'open(d + "/" + sys.argv[1], "w").close(); time.sleep(1.5); '
              'names = sorted(os.listdir(d)); '
              'sys.exit(0 if names == [sys.argv[1]] else "not private: %s" % names)')
    results = {}

    def one(tag):
        results[tag] = devbus(PYTHON, '-c', script, tag)
    threads = [threading.Thread(target=one, args=('run%d' % i,)) for i in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for tag, r in results.items():
        check(r.returncode == 0, '%s: %d %s' % (tag, r.returncode, r.stderr))
    print('parallel: ok')


if __name__ == '__main__':
    try:
        {'inside': case_inside, 'status': case_status, 'parallel': case_parallel}[sys.argv[1]]()
        left = os.listdir(LOG_DIR)
        check(left == [], 'files left in the log directory: %s' % left)
    finally:
        for name in os.listdir(LOG_DIR):
            os.unlink(os.path.join(LOG_DIR, name))
        os.rmdir(LOG_DIR)
