# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of scripts/devbus, run on the host (not inside devbus).

  test_devbus.py inside    the inside checks (devbus_probe.py) pass, and
                           afterwards nothing of the run is left on the host
  test_devbus.py status    CMD's exit status is propagated; the service log
                           is printed/kept on failure only
  test_devbus.py parallel  two runs at the same time do not see each other
  test_devbus.py private-checkout
                           with the trees under a 0700 directory (a clone in
                           /root), the services start from the build tree and
                           a test user runs a helper from the source tree
"""

import configparser
import os
import re
import shutil
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
# (private-checkout closes the checkout's parent, which may be /tmp: that
# case keeps its own files on /run)
LOG_DIR = tempfile.mkdtemp(prefix='ovpn3-devbus-selftest-',
                           dir='/run' if sys.argv[1:2] == ['private-checkout-inner'] else None)


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


def close_parents(trees, hidden):
    """In this (private) mount namespace, make each tree's parent directory
    0700 and root-owned, keeping only the trees themselves inside it, as
    /root is for a clone in /root/project."""
    parents = {}
    for tree in trees:
        parents.setdefault(os.path.dirname(tree), []).append(os.path.basename(tree))
    for parent, children in parents.items():
        real = tempfile.mkdtemp(dir=hidden)
        subprocess.run(['mount', '--rbind', parent, real], check=True)
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'mode=0700,uid=0,gid=0,size=1m',
                        'ovpn3-devbus-selftest', parent], check=True)
        for child in children:
            os.mkdir(os.path.join(parent, child))
            subprocess.run(['mount', '--rbind', os.path.join(real, child),
                            os.path.join(parent, child)], check=True)
    return sorted(parents)


def case_private_checkout_inner():
    src = os.path.realpath(SRC)
    build = os.path.realpath(os.environ['OVPN3_BUILDDIR'])
    trees = [src] if build.startswith(src + '/') else [src, build]
    closed = close_parents(trees, os.environ['OVPN3_SELFTEST_HIDDEN'])
    # The probe: as the service user (activation from the build tree), and as
    # a test user importing the helpers from the source tree.
    inner = ('busctl --system get-property net.openvpn.v3.configuration '
             '/net/openvpn/v3/configuration net.openvpn.v3.configuration version && '
             'setpriv --reuid=ovpn3-test-a --regid=ovpn3-test-a --init-groups -- '
             '%s -c "import os, ovpn3test; print(\'helpers imported as uid\', os.getuid())"'
             % PYTHON)
    r = devbus('sh', '-c', inner)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    check(r.returncode == 0, 'devbus under a 0700 directory failed (status %d)' % r.returncode)
    check('"v27"' in r.stdout and 'helpers imported as uid' in r.stdout,
          'unexpected output: %r' % r.stdout)
    # It bites: outside devbus, the test user cannot reach the trees here.
    r = subprocess.run(['setpriv', '--reuid=ovpn3-test-a', '--regid=ovpn3-test-a',
                        '--init-groups', '--', 'test', '-r', os.path.join(src, 'README.md')])
    check(r.returncode != 0, 'the source tree was readable by a test user: the case does not bite')
    print('private-checkout: ok (%s made 0700)' % ', '.join(closed))


def case_private_checkout():
    hidden = tempfile.mkdtemp(prefix='ovpn3-devbus-hidden-', dir='/run')
    try:
        r = subprocess.run(['unshare', '--mount', '--propagation', 'private', PYTHON,
                            os.path.realpath(__file__), 'private-checkout-inner'],
                           env=dict(os.environ, OVPN3_SELFTEST_HIDDEN=hidden), timeout=300)
    finally:
        shutil.rmtree(hidden)
    check(r.returncode == 0, 'private-checkout failed (status %d)' % r.returncode)


def nothing_left_in_the_log_directory():
    left = os.listdir(LOG_DIR)
    check(left == [], 'files left in the log directory: %s' % left)


def remove_log_directory():
    for name in os.listdir(LOG_DIR):
        os.unlink(os.path.join(LOG_DIR, name))
    os.rmdir(LOG_DIR)


CASES = {'inside': case_inside, 'status': case_status, 'parallel': case_parallel,
         'private-checkout': case_private_checkout}

if __name__ == '__main__' and sys.argv[1] == 'private-checkout-inner':
    # started by case_private_checkout in a mount namespace of its own: its
    # exit status is the answer
    try:
        case_private_checkout_inner()
        nothing_left_in_the_log_directory()
    finally:
        remove_log_directory()
elif __name__ == '__main__':
    # one TAP case per meson test: the case named on the command line, then
    # the log-directory check
    sys.path.insert(0, os.path.join(SRC, 'tests', 'lib'))
    import ovpn3tap
    globals()['test_' + sys.argv[1].replace('-', '_')] = CASES[sys.argv[1]]
    globals()['test_nothing_left_in_the_log_directory'] = nothing_left_in_the_log_directory
    ovpn3tap.cleanup(remove_log_directory)
    ovpn3tap.main()
