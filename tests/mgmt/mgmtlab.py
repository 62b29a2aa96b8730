"""Test lab for the OpenVPN 2.6 management client (issue 4).

Runs inside a private network + mount namespace (re-execs itself through
`unshare`), makes a throw-away PKI with openssl, starts a real openvpn 2.6
server with --management-client-auth whose decisions are made by a Python
policy, and starts openvpn 2.6 clients whose management socket is driven
either by a raw recording client (RawMgmt, the transcript recorder) or by our
C library through tests/mgmt/mgmt-drive (LibMgmt, the integration test).

Everything started here is stopped by PID; the temp dir is removed.
"""

import base64
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import ovpn3authdriver  # noqa: E402
import ovpn3pki  # noqa: E402

OPENVPN = os.environ.get("OVPN3_OPENVPN", "/usr/sbin/openvpn")
NS_MARK = "OVPN3_MGMT_LAB_NS"


def enter_namespace():
    """Re-exec the calling script inside a private net+mount namespace."""
    if os.environ.get(NS_MARK) == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(["mount", "--make-rprivate", "/"], check=True)
        # A private 0666 tun node, so openvpn never depends on host perms.
        tmp = tempfile.mkdtemp(prefix="mgmt-tun-")
        node = os.path.join(tmp, "tun")
        os.mknod(node, 0o666 | 0o020000, os.makedev(10, 200))
        os.chmod(node, 0o666)
        if os.path.exists("/dev/net/tun"):
            subprocess.run(["mount", "--bind", node, "/dev/net/tun"], check=True)
        os.unlink(node)
        os.rmdir(tmp)
        return
    env = dict(os.environ)
    env[NS_MARK] = "1"
    args = ["unshare", "--net", "--mount", "--fork", "--kill-child",
            "/usr/bin/python3"] + sys.argv
    r = subprocess.run(args, env=env)
    sys.exit(r.returncode)


def sh(*args, **kw):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, **kw)


def make_pki(d):
    """CA, server, client (plain and passphrase-encrypted key)."""
    ovpn3pki.make_pki(d, "mgmt-test-ca", "key-secret")


class LineSock:
    """A unix-socket line reader (CRLF) that also sees an unterminated prompt.
    listen=True: bind and accept openvpn's connection (--management-client)."""

    def __init__(self, path, timeout=10, listen=False):
        self.buf = b""
        self.listener = None
        if listen:
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(path)
            self.listener.listen(1)
            self.path = path
            self.s = None
            return
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.buf = b""

    def _accept(self):
        if self.s is None:
            self.listener.settimeout(10)
            self.s, _ = self.listener.accept()
            self.listener.close()
            os.unlink(self.path)

    def read_line(self, timeout):
        """Returns (bytes line without CRLF, terminated) or None at EOF."""
        if self.listener is not None:
            self._accept()
        self.s.settimeout(timeout)
        while b"\n" not in self.buf:
            if self.buf == b"ENTER PASSWORD:":
                self.buf = b""
                return b"ENTER PASSWORD:", False
            data = self.s.recv(65536)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        if line.endswith(b"\r"):
            line = line[:-1]
        return line, True

    def send(self, line):
        self.s.sendall(line.encode() + b"\n")

    def close(self):
        if self.s is not None:
            self.s.close()
        if self.listener is not None and self.s is None:
            self.listener.close()
            os.unlink(self.path)


class Server(ovpn3authdriver.AuthDriver):
    """openvpn server + its --management-client-auth driver thread."""

    def __init__(self, tmp, pki):
        self.tmp = tmp
        self.sock_path = f"{tmp}/server.sock"
        self.policy = None  # callable(kind, env) -> action; None = authorise
        args = [OPENVPN, "--mode", "server", "--tls-server", "--dev", "tun",
                "--dev-type", "tun", "--topology", "subnet",
                "--server", "10.213.0.0", "255.255.255.0",
                "--server-ipv6", "fd00:213::/64",
                "--proto", "udp", "--local", "127.0.0.1", "--port", "1194",
                "--ca", f"{pki}/ca.crt", "--cert", f"{pki}/server.crt",
                "--key", f"{pki}/server.key", "--dh", "none",
                "--management", self.sock_path, "unix",
                "--management-client-auth",
                "--push", "route 10.214.0.0 255.255.0.0",
                "--push", "route-ipv6 fd00:214::/64",
                "--push", "dhcp-option DNS 10.213.0.53",
                "--push", "dhcp-option DOMAIN example.test",
                "--keepalive", "2", "60", "--verb", "3",
                "--script-security", "0", "--duplicate-cn",
                "--auth-user-pass-optional"]
        self.logf = open(f"{tmp}/server.log", "w")
        self.proc = subprocess.Popen(args, stdout=self.logf,
                                     stderr=subprocess.STDOUT)
        self._start_driver(self.sock_path)

    def kill_last(self, how="HALT"):
        super().kill_last(how)

    def close(self):
        self._stop_driver()
        stop_proc(self.proc)
        self.logf.close()


def stop_proc(proc, timeout=5):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Client:
    """openvpn 2.6 client with the enforced management flags (docs/architecture.md §3)."""

    def __init__(self, tmp, pki, name, extra=(), key="client.key",
                 auth_user_pass=True, persist_tun=True, management_client=False):
        self.sock_path = f"{tmp}/{name}.sock"
        self.proc = None
        args = [OPENVPN, "--client", "--dev", "tun", "--dev-type", "tun",
                "--proto", "udp", "--remote", "127.0.0.1", "1194",
                "--nobind", "--ca", f"{pki}/ca.crt",
                "--cert", f"{pki}/client.crt", "--key", f"{pki}/{key}",
                "--management", self.sock_path, "unix",
                "--management-hold", "--management-query-passwords",
                "--management-up-down", "--auth-retry", "interact",
                "--ifconfig-noexec", "--route-noexec",
                "--script-security", "0", "--disable-dco", "--persist-key",
                "--verb", "3", "--connect-retry", "1", "1",
                "--setenv", "IV_GUI_VER", "ovpn3-mgmt-test 1",
                "--setenv", "IV_SSO", "webauth,openurl,crtext"]
        if persist_tun:
            args.append("--persist-tun")
        if auth_user_pass:
            args.append("--auth-user-pass")
        if management_client:
            args.append("--management-client")
        args += list(extra)
        self.args = args
        self.logf = open(f"{tmp}/{name}.log", "w")
        if not management_client:
            self.spawn()

    def spawn(self):
        self.proc = subprocess.Popen(self.args, stdout=self.logf,
                                     stderr=subprocess.STDOUT)

    def wait(self, timeout=15):
        return self.proc.wait(timeout)

    def close(self):
        if self.proc is not None:
            stop_proc(self.proc)
        self.logf.close()


# ---- Management front-ends -------------------------------------------------

SHAPES = {"hold": "single", "username": "single", "password": "single",
          "static_challenge": "single", "crv1": "single",
          "cr_response": "single", "signal": "single", "bytecount": "single",
          "status": "multi", "pid": "single", "version": "none",
          "exit": "none", "forget_passwords": "single"}


def quote(v):
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'


def b64(s):
    return base64.b64encode(s.encode()).decode()


def raw_line(op):
    """Independent (Python) rendering of a command, for the recorder."""
    name, args = op[0], list(op[1:])
    if name == "hold":
        return "hold" + (" " + quote(args[0]) if args else "")
    if name in ("username", "password", "needstr"):
        return f"{name} {quote(args[0])} {quote(args[1])}"
    if name == "static_challenge":
        return (f"password {quote(args[0])} "
                + quote(f"SCRV1:{b64(args[1])}:{b64(args[2])}"))
    if name == "crv1":
        return f'password "Auth" {quote(f"CRV1::{args[0]}::{args[1]}")}'
    if name == "cr_response":
        return f"cr-response {quote(b64(args[0]))}"
    if name in ("state", "log", "echo"):
        return name + "".join(" " + quote(a) for a in " ".join(args).split())
    if name in ("signal", "bytecount", "version"):
        return f"{name} {quote(str(args[0]))}"
    if name == "forget_passwords":
        return "forget-passwords"
    return " ".join([name] + [quote(a) for a in args])


def shape_of(op):
    if op[0] in ("state", "log", "echo"):
        arg = " ".join(op[1:])
        if arg == "":
            return "multi"
        if arg in ("on", "off"):
            return "single"
        if arg == "on all":
            return "success_multi"
        return "multi"
    return SHAPES[op[0]]


class RawMgmt:
    """Recording management client: every byte in and out is kept."""

    parsed = False

    def __init__(self, sock_path, listen=False):
        self.sock = LineSock(sock_path, listen=listen)
        self.transcript = []
        self.pending = []  # notification lines not yet expected
        self.closed = False

    def _read(self, timeout):
        r = self.sock.read_line(timeout)
        if r is None:
            self.closed = True
            return None
        line, term = r
        text = line.decode()
        self.transcript.append(("<" if term else "<?", text))
        return text

    def expect(self, prefix, contains="", timeout=20):
        """Waits for a notification starting with prefix; returns {'line':…}."""
        deadline = time.time() + timeout
        while True:
            for i, line in enumerate(self.pending):
                if line.startswith(prefix) and contains in line:
                    del self.pending[:i + 1]
                    return {"line": line}
            left = deadline - time.time()
            if left <= 0 or self.closed:
                raise AssertionError(f"timeout waiting for {prefix!r}; "
                                     f"pending={self.pending[-5:]}")
            line = self._read(left)
            if line is not None:
                self.pending.append(line)

    def expect_any(self, choices, timeout=20):
        """Waits for the first line matching any (prefix, contains) pair;
        returns (index, event)."""
        deadline = time.time() + timeout
        while True:
            for i, line in enumerate(self.pending):
                for n, (prefix, contains) in enumerate(choices):
                    if line.startswith(prefix) and contains in line:
                        del self.pending[:i + 1]
                        return n, {"line": line}
            left = deadline - time.time()
            if left <= 0 or self.closed:
                raise AssertionError(f"timeout waiting for {choices!r}")
            line = self._read(left)
            if line is not None:
                self.pending.append(line)

    def cmd(self, *op, timeout=15):
        line = raw_line(op)
        shape = shape_of(op)
        self.transcript.append((">", f"{shape} {line}"))
        self.sock.send(line)
        if shape == "none":
            return {"status": None, "lines": []}
        deadline = time.time() + timeout
        got_success = False
        lines = []
        while True:
            text = self._read(max(0.1, deadline - time.time()))
            if text is None:
                return {"error": "closed"}
            if text.startswith(">") or text == "ENTER PASSWORD:":
                self.pending.append(text)
                continue
            if shape == "single":
                if text.startswith("SUCCESS:"):
                    return {"status": text[8:].strip(), "lines": []}
                if text.startswith("ERROR:"):
                    return {"error": text}
            elif shape in ("multi", "success_multi"):
                if shape == "success_multi" and not got_success:
                    if text.startswith("SUCCESS:"):
                        got_success = True
                        continue
                    if text.startswith("ERROR:"):
                        return {"error": text}
                if text == "END":
                    return {"status": None, "lines": lines}
                if text.startswith("ERROR:") and not lines:
                    return {"error": text}
                lines.append(text)

    def wait_closed(self, timeout=15):
        deadline = time.time() + timeout
        while not self.closed:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("management connection did not close")
            try:
                line = self._read(left)
            except socket.timeout:
                continue
            if line is not None:
                self.pending.append(line)

    def close_connection(self):
        """Our side hangs up (not recorded: the replay ends with EOF)."""
        self.sock.close()
        self.closed = True

    def close(self):
        self.sock.close()

    def write_transcript(self, path, title):
        with open(path, "w") as f:
            f.write(f"# {title}\n# recorded from openvpn 2.6 by "
                    "tests/mgmt/mgmt-record.py\n")
            for kind, text in self.transcript:
                f.write(f"{kind} {text}\n")


class LibMgmt:
    """The same interface, through our C library (tests/mgmt/mgmt-drive)."""

    parsed = True

    def __init__(self, driver, sock_path, listen=False):
        args = [driver] + (["--listen"] if listen else []) + [sock_path]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.q = queue.Queue()
        self.pending = []
        self.results = {}
        self.next_id = 0
        self.closed = False
        self.events = []
        threading.Thread(target=self._reader, daemon=True).start()
        if listen:
            msg = self.q.get(timeout=10)
            if msg != {"listening": True}:
                raise AssertionError(f"driver did not listen: {msg}")

    def _reader(self):
        for line in self.proc.stdout:
            self.q.put(json.loads(line))
        self.q.put(None)

    def _pump(self, timeout):
        try:
            msg = self.q.get(timeout=max(0.05, timeout))
        except queue.Empty:
            return
        if msg is None:
            self.closed = True
        elif "event" in msg:
            self.events.append(msg["event"])
            self.pending.append(msg["event"])
        elif "id" in msg:
            self.results[msg["id"]] = msg
        elif "closed" in msg:
            self.closed = True

    def expect(self, prefix, contains="", timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, ev in enumerate(self.pending):
                if ev["line"].startswith(prefix) and contains in ev["line"]:
                    del self.pending[:i + 1]
                    return ev
            left = deadline - time.time()
            if left <= 0 or (self.closed and self.q.empty()):
                raise AssertionError(
                    f"timeout waiting for {prefix!r}; pending="
                    f"{[e['line'] for e in self.pending[-5:]]}")
            self._pump(left)

    def expect_any(self, choices, timeout=20):
        deadline = time.time() + timeout
        while True:
            for i, ev in enumerate(self.pending):
                for n, (prefix, contains) in enumerate(choices):
                    if ev["line"].startswith(prefix) and contains in ev["line"]:
                        del self.pending[:i + 1]
                        return n, ev
            left = deadline - time.time()
            if left <= 0 or (self.closed and self.q.empty()):
                raise AssertionError(f"timeout waiting for {choices!r}")
            self._pump(left)

    def cmd(self, *op, timeout=15):
        self.next_id += 1
        cid = self.next_id
        self.proc.stdin.write(json.dumps([str(a) for a in op]) + "\n")
        self.proc.stdin.flush()
        deadline = time.time() + timeout
        while cid not in self.results:
            if time.time() > deadline:
                raise AssertionError(f"no result for {op[0]}")
            self._pump(deadline - time.time())
        msg = self.results.pop(cid)
        res = dict(msg["result"])
        if "status_parsed" in msg:
            res["status_parsed"] = msg["status_parsed"]
        return res

    def wait_closed(self, timeout=15):
        deadline = time.time() + timeout
        while not self.closed:
            if time.time() > deadline:
                raise AssertionError("management connection did not close")
            self._pump(deadline - time.time())

    def close_connection(self):
        """ovpn3_mgmt_client_close() in the driver."""
        self.cmd("close")
        self.wait_closed()

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        stop_proc(self.proc)


class Lab:
    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="ovpn3-mgmt-lab-")
        self.pki = f"{self.tmp}/pki"
        os.mkdir(self.pki)
        make_pki(self.pki)
        self.server = Server(self.tmp, self.pki)
        self.clients = []
        self.n = 0

    def client(self, **kw):
        self.n += 1
        c = Client(self.tmp, self.pki, f"client{self.n}", **kw)
        self.clients.append(c)
        return c

    def dump_logs(self):
        for name in sorted(os.listdir(self.tmp)):
            if name.endswith(".log"):
                with open(f"{self.tmp}/{name}") as f:
                    sys.stderr.write(f"---- {name}\n{f.read()[-4000:]}\n")
        sys.stderr.write("---- server management\n" +
                         "\n".join(self.server.log[-60:]) + "\n")

    def close(self):
        for c in self.clients:
            c.close()
        self.server.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
