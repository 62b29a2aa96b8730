#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ovpn3-session-unattended, the helper behind ovpn3-session@.service, run the way systemd runs
it: NOTIFY_SOCKET is a datagram socket this test reads, CREDENTIALS_DIRECTORY a 0700 folder of
0400 files; the real services, backend client and openvpn against the real server of
tests/lib/ovpn3server.py (one lab for the file). It proves: READY=1 once connected, STATUS= on
the way, traffic through the tunnel, SIGTERM disconnects and exits 0 with the session gone (also
before it connected); a passphrase asked after Connect answered from its file; the session
ending by itself exits 1 (systemd restarts it); a wrong (inline) password exits 77 after one
attempt at the server; a static or dynamic challenge, a web login, a missing or world-readable
credential file, no profile or two of that name (unless one is the caller's own) exit 78; no
secret in what it prints or sends to systemd."""

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import clitest as c
import ovpn3server as lab
import ovpn3test as t

HELPER = os.path.join(os.environ.get('OVPN3_BUILDDIR', 'build'), 'cli', 'unattended',
                      'ovpn3-session-unattended')
EXIT_OK, EXIT_FAILED, EXIT_AUTH, EXIT_CONFIG = 0, 1, 77, 78
KEYPASS = 'key-Secret-99'  # tests/lib/ovpn3pki.py's client-enc.key
SECRETS = (lab.PASSWORD, KEYPASS, 'wrong-Secret-1')

t.require_devbus()
LAB = lab.ServerLab(prefix='ovpn3-unattended-')
t.cleanup(LAB.close)
PROFILES = tempfile.mkdtemp(prefix='ovpn3-unattended-profiles-')
t.cleanup(lambda: shutil.rmtree(PROFILES, ignore_errors=True))


def import_profile(name, text):
    """A persistent profile of root's, as the README's recipe makes it."""
    path = os.path.join(PROFILES, name + '.ovpn')
    with open(path, 'w') as f:
        f.write(text)
    c.ok('config-import', '--config', path, '--name', name, '--persistent')


def sessions():
    return c.ok('sessions-list', '--json').json()


def server_attempts():
    return len(LAB.server.events)


class Helper:
    """One run of the helper; creds: {name: (content, mode)} or None (no CREDENTIALS_DIRECTORY)."""

    def __init__(self, profile, creds=None):
        self.tmp = tempfile.mkdtemp(prefix='ovpn3-unattended-run-')
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.tmp + '/notify')
        self.notes = []
        env = dict(os.environ, NOTIFY_SOCKET=self.tmp + '/notify', LC_ALL='C.UTF-8')
        env.pop('CREDENTIALS_DIRECTORY', None)
        if creds is not None:
            cdir = self.tmp + '/credentials'
            os.mkdir(cdir, 0o700)
            for name, (content, mode) in creds.items():
                fd = os.open(os.path.join(cdir, name), os.O_WRONLY | os.O_CREAT, mode)
                os.write(fd, content.encode())
                os.close(fd)
                os.chmod(os.path.join(cdir, name), mode)
            env['CREDENTIALS_DIRECTORY'] = cdir
        self.proc = subprocess.Popen([HELPER, profile], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd='/')

    def _read_notes(self, timeout):
        self.sock.settimeout(timeout)
        try:
            self.notes += self.sock.recv(4096).decode().splitlines()
        except socket.timeout:
            pass

    def wait_note(self, note, timeout=None):
        deadline = time.monotonic() + (timeout or t.CEILING)
        while note not in self.notes:
            assert self.proc.poll() is None, 'the helper exited (%d) before %s:\n%s' % (
                self.proc.returncode, note, self.finish())
            assert time.monotonic() < deadline, 'no %s from the helper: %s' % (note, self.notes)
            self._read_notes(0.2)

    def finish(self, timeout=None):
        """Waits for the exit; (status, stdout, stderr), after checking no secret leaked."""
        out, err = self.proc.communicate(timeout=timeout or t.CEILING)
        self.sock.setblocking(False)
        try:
            while True:
                self.notes += self.sock.recv(4096).decode().splitlines()
        except BlockingIOError:
            pass
        self.sock.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        for secret in SECRETS:
            assert secret not in out + err + '\n'.join(self.notes), 'a secret was printed'
        sys_print(out, err, self.notes)
        return self.proc.returncode, out, err

    def statuses(self):
        return [n[len('STATUS='):] for n in self.notes if n.startswith('STATUS=')]


def sys_print(out, err, notes):
    print('--- stdout\n%s--- stderr\n%s--- notify\n%s' % (out, err, '\n'.join(notes)))


def user_pass_creds(password=lab.PASSWORD):
    return {'username': (lab.USERNAME + '\n', 0o400), 'password': (password + '\n', 0o400)}


def test_connects_reports_ready_and_disconnects_on_sigterm():
    import_profile('work', lab.profile_text(LAB.pki))
    h = Helper('work', user_pass_creds())
    h.wait_note('READY=1')
    st = h.statuses()
    assert 'connecting' in st, st
    want = "connected with 'work' to %s port 1194" % lab.SERVER_IP
    connected = [s for s in st if s.startswith(want)]
    assert connected and h.notes.index('READY=1') > h.notes.index('STATUS=' + connected[0]), h.notes
    dev = re.search(r' on (\S+)$', connected[0]).group(1)
    assert lab.ping(dev), 'no traffic through the tunnel'
    [s] = sessions()
    assert s['config_name'] == 'work' and s['device_name'] == dev, s
    h.proc.send_signal(signal.SIGTERM)
    rc, out, err = h.finish()
    assert rc == EXIT_OK, (rc, err)
    assert 'STOPPING=1' in h.notes and h.statuses()[-1] == 'disconnected', h.notes
    # it waited for the end: nothing is left when it exits
    assert sessions() == [], sessions()
    t.wait_until(lambda: dev not in lab.sh('ip', '-o', 'link', 'show'), what='the tun device to go')


def test_a_passphrase_after_connect_and_the_session_ending_by_itself():
    import_profile('enc', lab.profile_text(LAB.pki, key='client-enc.key'))
    creds = dict(user_pass_creds(), pk_passphrase=(KEYPASS, 0o400))
    h = Helper('enc', creds)
    h.wait_note('READY=1')
    LAB.server.kill_last('HALT')
    rc, out, err = h.finish()
    assert rc == EXIT_FAILED and 'the session ended' in err, (rc, err)
    t.wait_until(lambda: sessions() == [], what='the session to go')


def test_a_wrong_inline_password_exits_77_after_one_attempt():
    text = lab.profile_text(LAB.pki) + (
        '<auth-user-pass>\n%s\nwrong-Secret-1\n</auth-user-pass>\n' % lab.USERNAME)
    import_profile('inline', text)
    before = server_attempts()
    h = Helper('inline')  # no credentials: the profile's own are used
    rc, out, err = h.finish()
    assert rc == EXIT_AUTH and 'authentication failed' in err, (rc, err)
    assert server_attempts() == before + 1, LAB.server.events[before:]
    t.wait_until(lambda: sessions() == [], what='the failed session to go')


def test_a_static_challenge_exits_78_without_trying():
    import_profile('otp', lab.profile_text(LAB.pki, extra='static-challenge "Enter OTP" 1'))
    before = server_attempts()
    rc, out, err = Helper('otp', user_pass_creds()).finish()
    assert rc == EXIT_CONFIG and "an answer to a challenge ('Enter OTP')" in err, (rc, err)
    assert server_attempts() == before
    t.wait_until(lambda: sessions() == [], what='the refused session to go')


def test_a_dynamic_challenge_and_a_web_login_exit_78():
    def challenge(kind, env):
        return ('deny', 'CRV1:R,E:state42:%s:Enter PIN' % lab.b64(lab.USERNAME))

    def web(kind, env):
        return ('pending', 'WEB_AUTH::https://auth.example.test/login', 30)
    try:
        for policy, said in ((challenge, 'an answer to a challenge'), (web, 'web login')):
            LAB.server.policy = policy
            rc, out, err = Helper('work', user_pass_creds()).finish()
            assert rc == EXIT_CONFIG and said in err, (rc, err)
            t.wait_until(lambda: sessions() == [], what='the refused session to go')
    finally:
        LAB.server.policy = lab.default_policy


def test_sigterm_before_it_connected_disconnects_too():
    """What TimeoutStartSec= does when the server does not answer: stop, 0, nothing left."""
    LAB.server.policy = lambda kind, env: ('ignore',)
    try:
        h = Helper('work', user_pass_creds())
        h.wait_note('STATUS=connecting')
        h.proc.send_signal(signal.SIGTERM)
        rc, out, err = h.finish()
    finally:
        LAB.server.policy = lab.default_policy
    assert rc == EXIT_OK and 'READY=1' not in h.notes, (rc, err, h.notes)
    assert h.statuses()[-1] == 'disconnected' and sessions() == [], (h.notes, sessions())


def test_missing_or_readable_credentials_exit_78():
    creds = user_pass_creds()
    del creds['password']
    rc, out, err = Helper('work', creds).finish()
    assert rc == EXIT_CONFIG and "no credential 'password'" in err, (rc, err)
    creds['password'] = (lab.PASSWORD, 0o644)
    rc, out, err = Helper('work', creds).finish()
    assert rc == EXIT_CONFIG and 'others can read' in err, (rc, err)
    rc, out, err = Helper('work').finish()
    assert rc == EXIT_CONFIG and 'CREDENTIALS_DIRECTORY is not set' in err, (rc, err)
    t.wait_until(lambda: sessions() == [], what='the refused sessions to go')


def test_no_profile_or_two_of_that_name_exit_78():
    rc, out, err = Helper('nowhere').finish()
    assert rc == EXIT_CONFIG and "no profile named 'nowhere'" in err, (rc, err)
    import_profile('twin', lab.profile_text(LAB.pki))
    import_profile('twin', lab.profile_text(LAB.pki))
    rc, out, err = Helper('twin').finish()
    assert rc == EXIT_CONFIG and "2 profiles are named 'twin'" in err, (rc, err)
    # root sees another user's profile of the same name too: its own is taken
    with c.ProfileDir(owner=c.USER_A) as d:
        c.ok('config-import', '--config', d.write('shared.ovpn', lab.profile_text(LAB.pki)),
             user=c.USER_A)
    import_profile('shared', lab.profile_text(LAB.pki, extra='static-challenge "Root OTP" 1'))
    found = t.call(t.system_bus(), t.CONFIG_NAME, t.CONFIG_PATH, 'net.openvpn.v3.configuration',
                   'LookupConfigName', 'shared', signature='s')
    assert len(found) == 2, found
    rc, out, err = Helper('shared', user_pass_creds()).finish()
    assert rc == EXIT_CONFIG and "('Root OTP')" in err, (rc, err)
    r = subprocess.run([HELPER], capture_output=True, text=True)
    assert r.returncode == 2 and 'give the name of one profile' in r.stderr, r


t.main(independent=True)
