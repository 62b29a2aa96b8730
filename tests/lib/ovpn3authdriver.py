# SPDX-License-Identifier: GPL-2.0-or-later
"""Drives the authentication decisions of a real openvpn 2.6 server run with
`--management-client-auth`, so a test decides each outcome. A thread reads
the server's management socket; for every >CLIENT:CONNECT / REAUTH /
CR_RESPONSE block it calls self.policy(kind, env), which returns
('auth',), ('deny', reason), ('pending', extra, timeout[, approve_after_s])
or ('ignore',). policy None = authorise everyone. Used as a base class by
the labs that start the server (tests/lib/ovpn3server.py,
tests/mgmt/mgmtlab.py)."""

import socket
import threading
import time


class AuthDriver:
    policy = None

    def _start_driver(self, sock_path, connect_timeout=10):
        self.log = []        # '< ' lines read, '> ' commands sent
        self.events = []     # (kind, env) of every client request
        self.clients = {}    # cid -> kid
        self.last_cid = None
        self._buf = b''
        self._lock = threading.Lock()
        self._stop = False
        deadline = time.time() + connect_timeout
        while True:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self._sock.connect(sock_path)
                break
            except OSError:
                self._sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _read_line(self, timeout):
        self._sock.settimeout(timeout)
        while b'\n' not in self._buf:
            data = self._sock.recv(65536)
            if not data:
                return None
            self._buf += data
        line, self._buf = self._buf.split(b'\n', 1)
        return line.rstrip(b'\r').decode(errors='replace')

    def _send(self, line):
        with self._lock:
            self.log.append('> ' + line)
            try:
                self._sock.sendall(line.encode() + b'\n')
            except OSError:
                pass

    def _run(self):
        head, env = None, {}
        while not self._stop:
            try:
                line = self._read_line(0.5)
            except socket.timeout:
                continue
            except OSError:
                return
            if line is None:
                return
            self.log.append('< ' + line)
            if line.startswith('>CLIENT:ENV,'):
                kv = line[len('>CLIENT:ENV,'):]
                if kv == 'END':
                    if head is not None:
                        self._decide(head, env)
                    head, env = None, {}
                else:
                    k, _, v = kv.partition('=')
                    env[k] = v
            elif line.startswith('>CLIENT:'):
                head = line[len('>CLIENT:'):].split(',')
                env = {}

    def _decide(self, head, env):
        kind = head[0]
        if kind not in ('CONNECT', 'REAUTH', 'CR_RESPONSE'):
            return
        cid, kid = head[1], head[2]
        self.clients[cid] = kid
        self.last_cid = cid
        if kind == 'CR_RESPONSE':
            env['cr_response'] = head[3] if len(head) > 3 else ''
        self.events.append((kind, dict(env)))
        action = self.policy(kind, env) if self.policy is not None else ('auth',)
        if action[0] == 'auth':
            self._send('client-auth-nt %s %s' % (cid, kid))
        elif action[0] == 'deny':
            self._send('client-deny %s %s "denied" "%s"' % (cid, kid, action[1]))
        elif action[0] == 'pending':
            self._send('client-pending-auth %s %s "%s" %d' % (cid, kid, action[1], action[2]))
            if len(action) > 3:  # approve later (web auth)
                threading.Timer(action[3], self._send,
                                ['client-auth-nt %s %s' % (cid, kid)]).start()

    def approve_last(self):
        self._send('client-auth-nt %s %s' % (self.last_cid, self.clients[self.last_cid]))

    def kill_last(self, how='RESTART', timeout=10):
        """client-kill of the last client; waits for the server's answer and
        retries while it does not know the client yet (raises on failure)."""
        deadline = time.time() + timeout
        while True:
            start = len(self.log)
            self._send('client-kill %s %s' % (self.last_cid, how))
            answer = self._wait_answer(start, deadline)
            if answer.startswith('SUCCESS'):
                return
            if time.time() >= deadline:
                raise AssertionError('client-kill %s %s: %s' % (self.last_cid, how, answer))
            time.sleep(0.2)

    def _wait_answer(self, start, deadline):
        while time.time() < deadline:
            for line in self.log[start:]:
                if line.startswith(('< SUCCESS: client-kill', '< ERROR: client-kill')):
                    return line[2:]
            time.sleep(0.02)
        return 'no answer'

    def _stop_driver(self):
        self._stop = True
        try:
            self._sock.close()
        except OSError:
            pass
