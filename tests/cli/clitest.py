# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the ovpn3 CLI tests (suite 'cli'). They run inside scripts/devbus and drive the
real `ovpn3` binary of the build tree, as root or as the test users, through pipes or a
pseudo-terminal."""

import json
import os
import pty
import pwd
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import dbus

import ovpn3test as t

OVPN3 = os.path.join(os.environ.get('OVPN3_BUILDDIR', 'build'), 'cli', 'ovpn3')
USER_A = t.USER_A
USER_B = t.USER_B
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_ACCESS, EXIT_UNAVAILABLE = range(6)


class Result:
    def __init__(self, rc, out, err):
        self.rc = rc
        self.out = out
        self.err = err

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return 'rc=%d\n--- stdout\n%s--- stderr\n%s' % (self.rc, self.out, self.err)


def _user_kwargs(user):
    if user is None:
        return {}
    pw = pwd.getpwnam(user)
    return {'user': pw.pw_uid, 'group': pw.pw_gid, 'extra_groups': []}


def _env(extra):
    env = dict(os.environ)
    env.pop('NO_COLOR', None)
    env['LC_ALL'] = 'C.UTF-8'
    env['TZ'] = 'UTC'
    # a user's terminal, whatever the test runner has (CI: often TERM=dumb,
    # for which ovpn3 rightly prints no colour)
    env['TERM'] = 'xterm-256color'
    if extra:
        env.update(extra)
    return env


def run(*args, user=None, stdin='', env=None, timeout=None):
    """Run ovpn3 with pipes (no terminal)."""
    p = subprocess.run([OVPN3] + list(args), input=stdin, capture_output=True, text=True,
                       env=_env(env), timeout=timeout or t.CEILING, cwd='/',
                       **_user_kwargs(user))
    return Result(p.returncode, p.stdout, p.stderr)


def ok(*args, **kw):
    r = run(*args, **kw)
    assert r.rc == 0, 'ovpn3 %s failed: %r' % (' '.join(args), r)
    return r


def fails(code, *args, **kw):
    r = run(*args, **kw)
    assert r.rc == code, 'ovpn3 %s: expected exit %d, got %r' % (' '.join(args), code, r)
    return r


def run_pty(*args, user=None, answers=(), env=None, timeout=None, argv=None):
    """Run ovpn3 on a pseudo-terminal (stdin, stdout and stderr). `answers` is a list of
    (prompt substring, text to type) pairs; a text of None types Ctrl-C. `argv` runs that
    instead of ovpn3. Returns (rc, everything printed)."""
    pid, fd = pty.fork()
    if pid == 0:
        try:
            kw = _user_kwargs(user)
            if kw:
                os.setgroups([])
                os.setresgid(kw['group'], kw['group'], kw['group'])
                os.setresuid(kw['user'], kw['user'], kw['user'])
            os.chdir('/')
            full = argv or [OVPN3] + list(args)
            os.execve(full[0], full, _env(env))
        finally:
            os._exit(127)
    out = b''
    pending = list(answers)
    deadline = time.monotonic() + (timeout or t.CEILING)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            raise AssertionError('ovpn3 %s on a pty: timed out; output so far:\n%s'
                                 % (' '.join(args), out.decode(errors='replace')))
        ready, _, _ = select.select([fd], [], [], min(left, 0.2))
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b''
            if not chunk:
                break
            out += chunk
        if pending and pending[0][0].encode() in out:
            answer = pending[0][1]
            os.write(fd, b'\x03' if answer is None else answer.encode() + b'\n')
            pending.pop(0)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors='replace')


# ---- profiles ---------------------------------------------------------------------------------

PEM_CERT = '-----BEGIN CERTIFICATE-----\nMIIB%s\n-----END CERTIFICATE-----\n'
PEM_KEY = '-----BEGIN PRIVATE KEY-----\nMIIE%s\n-----END PRIVATE KEY-----\n'
STATIC_KEY = '-----BEGIN OpenVPN Static key V1-----\n%s\n-----END OpenVPN Static key V1-----\n'


class ProfileDir:
    """A temporary folder with a profile and the files it refers to, readable by everyone
    (or owned by `owner`)."""

    def __init__(self, owner=None):
        self.path = tempfile.mkdtemp(prefix='ovpn3-cli-test-')
        os.chmod(self.path, 0o755)
        self.owner = owner

    def write(self, name, content, mode=0o644, binary=False):
        full = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb' if binary else 'w') as f:
            f.write(content)
        os.chmod(full, mode)
        if self.owner is not None:
            pw = pwd.getpwnam(self.owner)
            os.chown(full, pw.pw_uid, pw.pw_gid)
        return full

    def basic(self, name='client.ovpn', extra=''):
        """A complete client profile with ca/cert/key/tls-auth as files."""
        self.write('ca.crt', PEM_CERT % 'ca')
        self.write('client.crt', PEM_CERT % 'client')
        self.write('client.key', PEM_KEY % 'key', mode=0o600)
        self.write('ta.key', STATIC_KEY % '00112233')
        return self.write(name, 'client\ndev tun\nproto udp\nremote 127.0.0.1 1194\n'
                          'ca ca.crt\ncert client.crt\nkey client.key\ntls-auth ta.key 1\n'
                          + extra)

    def inline_profile(self, name='inline.ovpn', extra=''):
        """A complete profile with everything inline."""
        return self.write(name, 'client\ndev tun\nremote 127.0.0.1 1194\n'
                          '<ca>\n' + PEM_CERT % 'ca' + '</ca>\n' + extra)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def import_profile(path, *extra, user=None):
    """config-import --json; returns the new object path."""
    r = ok('config-import', '--config', path, '--json', *extra, user=user)
    return r.json()['path']


def list_json(*extra, user=None):
    return ok('configs-list', '--json', *extra, user=user).json()


def remove_all():
    """Remove every profile root and the test users own (a clean slate between tests)."""
    for user in (None, USER_A, USER_B):
        uid = pwd.getpwnam(user).pw_uid if user else 0
        for p in list_json(user=user):
            if p['owner'] == uid:
                ok('config-remove', '--path', p['path'], '--force', user=user)


def main(*tests, clean=True):
    """Run the test functions in order, each (with `clean`) after removing every profile;
    print a line per test; exit 1 if any failed."""
    import traceback
    import sys
    t.require_devbus()
    failed = 0
    for fn in tests:
        try:
            if clean:
                remove_all()
            fn()
            print('ok - %s' % fn.__name__)
        except Exception:
            failed += 1
            print('not ok - %s' % fn.__name__)
            traceback.print_exc()
        sys.stdout.flush()
    if failed:
        sys.stderr.write('--- service log\n%s' % t.service_log()[-6000:])
    sys.exit(1 if failed else 0)


def pwd_uid(user):
    return pwd.getpwnam(user).pw_uid


class Monitor:
    """dbus-monitor on the devbus bus, collecting method calls (root may monitor)."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ['dbus-monitor', '--system', "type='method_call'"], stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        self.lines = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.bus = t.system_bus()
        self.mark('start')

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith('method call '):
                self.lines.append(line.strip())

    def mark(self, name):
        """Send a probe call and wait until the monitor has seen it; returns its index."""
        path = '/ovpn3/cli/test/' + name.replace('-', '_')
        deadline = time.monotonic() + t.CEILING
        while True:
            try:
                self.bus.call_blocking('org.freedesktop.DBus', path, 'org.freedesktop.DBus',
                                       'GetId', '', ())
            except dbus.exceptions.DBusException:
                pass
            for i, line in enumerate(self.lines):
                if 'path=%s;' % path in line:
                    return i
            assert time.monotonic() < deadline, 'dbus-monitor did not see the probe'
            time.sleep(0.1)

    def calls_between(self, a, b):
        return self.lines[a + 1:b]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=t.CEILING)
        self.bus.close()


def list_sessions(user=None):
    return ok('sessions-list', '--json', user=user).json()
