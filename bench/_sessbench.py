# SPDX-License-Identifier: GPL-2.0-or-later
"""Shared bits of the session benchmarks bench/soak and bench/sessions_parallel (run inside
scripts/devbus, as root): the lab server, an ordinary user's worker process that drives
sessions and profiles over D-Bus, and what /proc says about a process.

The worker is this file run as `python3 _sessbench.py --worker` under setpriv (Worker):
it reads one JSON command a line on stdin and answers one JSON line on stdout."""

import json
import os
import pwd
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, '..', 'tests', d) for d in ('lib', 'sessions')]
import ovpn3test as t  # noqa: E402
import e2elab  # noqa: E402
import sesstest as s  # noqa: E402
from e2elab import lab  # noqa: E402

RUN_TIMEOUT = 45            # seconds for one connect; rare outliers take ~26 s
SERVICES = (('log', t.LOG_NAME), ('configuration', t.CONFIG_NAME),
            ('sessions', t.SESSIONS_NAME), ('backends', t.BACKENDS_NAME),
            ('netcfg', t.NETCFG_NAME))
CONNECTED = (2, 7)
FAILED = ((2, 10), (2, 11), (2, 29), (1, 1))   # CONN_FAILED, AUTH_FAILED, ... PROC_KILLED


# ---- /proc ---------------------------------------------------------------------------------

def status_kib(pid, field='VmRSS'):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except (OSError, TypeError):
        pass
    return None


def pss_kib(pid):
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except (OSError, TypeError):
        pass
    return None


MEMORY_FIELDS = ('Private_Clean', 'Private_Dirty', 'Pss', 'Pss_Anon', 'Rss')


def memory_kib(pid):
    """USS (Private_Clean + Private_Dirty), Pss, Pss_Anon and Rss in KiB from
    /proc/PID/smaps_rollup (root reads it even for the services, which are not dumpable),
    or None if the process is gone. USS is what the process alone costs: what is freed when
    it exits; Pss adds its share of what it shares (libraries, mostly libgio), so it moves
    with whatever else maps the same pages."""
    got = {}
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                key, _, rest = line.partition(':')
                if key in MEMORY_FIELDS:
                    got[key] = int(rest.split()[0])
    except (OSError, TypeError, ValueError):
        return None
    if len(got) != len(MEMORY_FIELDS):
        return None
    return {'uss': got['Private_Clean'] + got['Private_Dirty'], 'pss': got['Pss'],
            'pss_anon': got['Pss_Anon'], 'rss': got['Rss']}


def fd_count(pid):
    try:
        return len(os.listdir('/proc/%d/fd' % pid))
    except (OSError, TypeError):
        return None


def service_pid(bus, name):
    try:
        return t.name_pid(bus, name)
    except Exception:   # not running (idle exit) or not activated
        return None


def slope_per_1000(xs, ys):
    """Least-squares slope of ys over xs, times 1000 (None with fewer than 2 points)."""
    pts = [(x, y) for x, y in zip(xs, ys) if y is not None]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    return 1000 * sum((x - mx) * (y - my) for x, y in pts) / sxx


# ---- the lab server --------------------------------------------------------------------------

class Lab:
    """PKI + lab server (tests/lib/ovpn3server.py) in a 0700 temp dir of root's, the profile
    text for it, and a 0600 auth file for bare openvpn. client_auth=False: the server takes
    every login at once (issue 16's baseline) instead of asking its management socket."""

    def __init__(self, prefix, extra=(), client_auth=True, profile_extra=''):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.server = None
        pki = self.tmp + '/pki'
        os.mkdir(pki)
        lab.make_pki(pki)
        self.server = lab.Server(self.tmp, pki, extra=list(extra), client_auth=client_auth)
        self.text = lab.profile_text(pki, extra=profile_extra)
        self.profile = self.tmp + '/client.ovpn'
        with open(self.profile, 'w') as f:
            f.write(self.text)
        # ovpn3-session-unattended's credentials, one file per slot (systemd's layout)
        self.creds = self.tmp + '/creds'
        os.mkdir(self.creds, 0o700)
        for slot, value in (('username', lab.USERNAME), ('password', lab.PASSWORD)):
            fd = os.open(os.path.join(self.creds, slot), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                         0o600)
            with os.fdopen(fd, 'w') as f:
                f.write(value)
        self.auth = self.tmp + '/auth.txt'
        fd = os.open(self.auth, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, 'w') as f:
            f.write('%s\n%s\n' % (lab.USERNAME, lab.PASSWORD))

    def close(self):
        if self.server is not None:
            self.server.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def stop_procs(procs, timeout):
    """SIGTERM to all, then each waited for (SIGKILL after timeout s) and its output closed."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


def stop_bare(procs, dev):
    """Bare openvpn processes stopped, and their tun devices (names starting with dev) gone."""
    stop_procs(procs, 10)
    t.wait_until(lambda: dev not in lab.sh('ip', '-o', 'link', 'show'), RUN_TIMEOUT,
                 'bare openvpn\'s tuns to go')


def ovpn3_gone():
    return (not s.backend_processes() and not e2elab.openvpn_clients()
            and 'ovpn3t' not in lab.sh('ip', '-o', 'link', 'show'))


# ---- the worker (an ordinary user) -----------------------------------------------------------

def queue_walk(c, username, password):
    """Ready, answering the user-input queue until it is accepted (docs/dbus-api.md §6)."""
    for _ in range(10):
        try:
            c('Ready')
            return
        except t.CallError as e:
            if e.name != s.ERR_READY:
                raise
            for (ty, gr) in c('UserInputQueueGetTypeGroup'):
                for i in c('UserInputQueueCheck', ty, gr, signature='uu'):
                    slot = c('UserInputQueueFetch', ty, gr, i, signature='uuu')
                    value = username if slot[3] == 'username' else password
                    c('UserInputProvide', ty, gr, i, value, signature='uuus')
    raise RuntimeError('Ready still refused after 10 queue walks')


def connect(bus, cfg, username, password):
    """NewTunnel, LogForward(true), the queue walk, Connect, until the forwarded
    StatusChange(2, 7); returns {ms, path, backend_pid}."""
    statuses = []
    started = time.monotonic()
    path, _ = s.new_tunnel_ordered(bus, cfg)
    match = bus.add_signal_receiver(lambda ma, mi, msg: statuses.append((int(ma), int(mi))),
                                    signal_name='StatusChange', bus_name=t.LOG_NAME,
                                    dbus_interface=s.BACKENDS_IFACE, path=path)

    def c(method, *args, signature=None):
        return t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, method, *args,
                      signature=signature)

    def connected():
        if any(st in FAILED for st in statuses):
            raise AssertionError('session failed: %r' % statuses)
        return CONNECTED in statuses
    try:
        c('LogForward', True, signature='b')
        queue_walk(c, username, password)
        c('Connect')
        t.wait_until(connected, RUN_TIMEOUT, 'forwarded StatusChange(2, 7)')
        ms = (time.monotonic() - started) * 1000
        pid = t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'backend_pid')
    except Exception:
        try:
            c('Disconnect')
        except t.CallError:
            pass
        raise
    finally:
        match.remove()
    return {'ms': ms, 'path': path, 'backend_pid': int(pid)}


def import_remove(bus, name, text, n):
    """n cycles of Import (non-persistent) and Remove of the new profile."""
    for i in range(n):
        cfg = t.call(bus, t.CONFIG_NAME, t.CONFIG_PATH, s.CONFIG_IFACE, 'Import',
                     '%s-%d' % (name, i), text, False, False, signature='ssbb')
        t.call(bus, t.CONFIG_NAME, cfg, s.CONFIG_IFACE, 'Remove')
    return n


def answer(bus, events, req):
    cmd = req['cmd']
    if cmd == 'import':
        return t.call(bus, t.CONFIG_NAME, t.CONFIG_PATH, s.CONFIG_IFACE, 'Import',
                      req['name'], req['text'], False, False, signature='ssbb')
    if cmd == 'remove':
        return t.call(bus, t.CONFIG_NAME, req['cfg'], s.CONFIG_IFACE, 'Remove')
    if cmd == 'import_remove':
        return import_remove(bus, req['name'], req['text'], req['n'])
    if cmd == 'connect':
        return connect(bus, req['cfg'], req['username'], req['password'])
    if cmd == 'disconnect':
        t.call(bus, t.SESSIONS_NAME, req['path'], s.SESSIONS_IFACE, 'Disconnect')
        events.wait_for(req['path'], s.SESS_DESTROYED, RUN_TIMEOUT)
        return True
    raise RuntimeError('unknown command %r' % cmd)


def worker():
    bus = t.system_bus()
    events = s.Events(bus)
    for line in sys.stdin:
        req = json.loads(line)
        if req['cmd'] == 'quit':
            out = {'ok': True}
        else:
            try:
                out = {'ok': answer(bus, events, req)}
            except Exception as e:  # reported to the parent, which stops the benchmark
                out = {'error': '%s: %s' % (type(e).__name__, e)}
        sys.stdout.write(json.dumps(out) + '\n')
        sys.stdout.flush()
        if req['cmd'] == 'quit':
            return


class Worker:
    """This file's worker() as `user` (uid, gid, groups), one command at a time."""

    def __init__(self, user):
        pw = pwd.getpwnam(user)
        self.proc = subprocess.Popen(
            ['/usr/bin/setpriv', '--reuid=%d' % pw.pw_uid, '--regid=%d' % pw.pw_gid,
             '--init-groups', '/usr/bin/python3', os.path.abspath(__file__), '--worker'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, timeout=2 * RUN_TIMEOUT, **req):
        self.proc.stdin.write(json.dumps(req) + '\n')
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ''
        if not line:
            raise RuntimeError('worker: no answer to %s' % req['cmd'])
        out = json.loads(line)
        if 'error' in out:
            raise RuntimeError('%s: %s' % (req['cmd'], out['error']))
        return out['ok']

    def close(self):
        if self.proc.poll() is None:
            try:
                self.ask(cmd='quit', timeout=5)
            except (OSError, RuntimeError, ValueError):
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


if __name__ == '__main__' and sys.argv[1:] == ['--worker']:
    worker()
