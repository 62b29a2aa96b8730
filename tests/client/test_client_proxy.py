# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client with proxies that want credentials: openvpn asks
>PASSWORD:Need 'HTTP Proxy' (or 'SOCKS Proxy') username/password, the backend
opens the (1, 2) slots http_proxy_user / http_proxy_pass (socks_proxy_user /
socks_proxy_pass, an ovpn3 addition; docs/dbus-api.md §6), and once they are provided and
Connect is called the tunnel comes up through the proxy (TCP)."""

import base64
import select
import socket
import threading

import ovpn3test as t
from clientlab import (CRED, G_PROXY, CFG_REQUIRE_USER, CONNECTED, DONE, CLIENT_IP, PASSWORD,
                       SERVER_IP, USERNAME, Lab, profile_text)

PROXY_PORT = 3128
PROXY_USER = 'proxy-user'
PROXY_PASS = 'proxy-Secret-31'


class Proxy:
    """A minimal HTTP CONNECT proxy with Basic authentication."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((CLIENT_IP, PROXY_PORT))
        self.sock.listen(4)
        self.auth_seen = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = conn.recv(4096)
            if not chunk:
                conn.close()
                return
            data += chunk
        head, rest = data.split(b'\r\n\r\n', 1)
        lines = head.decode(errors='replace').split('\r\n')
        auth = [l.split(':', 1)[1].strip() for l in lines
                if l.lower().startswith('proxy-authorization:')]
        self.auth_seen.append(auth[0] if auth else None)
        want = 'Basic ' + base64.b64encode(('%s:%s' % (PROXY_USER, PROXY_PASS)).encode()).decode()
        if not auth or auth[0] != want:
            conn.sendall(b'HTTP/1.0 407 Proxy Authentication Required\r\n'
                         b'Proxy-Authenticate: Basic realm="test"\r\n\r\n')
            conn.close()
            return
        target = lines[0].split()[1]
        host, port = target.rsplit(':', 1)
        up = socket.create_connection((host, int(port)))
        conn.sendall(b'HTTP/1.0 200 Connection established\r\n\r\n')
        if rest:
            up.sendall(rest)
        socks = [conn, up]
        try:
            while True:
                readable, _, _ = select.select(socks, [], [], 1)
                if self.stop:
                    break
                for s in readable:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    (up if s is conn else conn).sendall(chunk)
        except OSError:
            pass
        finally:
            conn.close()
            up.close()

    def close(self):
        self.stop = True
        self.sock.close()


class Socks5:
    """A minimal SOCKS5 proxy (RFC 1928/1929) that wants a user name and password."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((CLIENT_IP, port))
        self.sock.listen(4)
        self.logins = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    @staticmethod
    def _read(conn, n):
        data = b''
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise OSError('eof')
            data += chunk
        return data

    def _serve(self, conn):
        try:
            ver, nmethods = self._read(conn, 2)
            methods = self._read(conn, nmethods)
            if 2 not in methods:
                conn.sendall(b'\x05\xff')
                return
            conn.sendall(b'\x05\x02')
            _, ulen = self._read(conn, 2)
            user = self._read(conn, ulen).decode()
            plen = self._read(conn, 1)[0]
            password = self._read(conn, plen).decode()
            self.logins.append(user)
            if (user, password) != (PROXY_USER, PROXY_PASS):
                conn.sendall(b'\x01\x01')
                return
            conn.sendall(b'\x01\x00')
            _, cmd, _, atyp = self._read(conn, 4)
            if atyp == 1:
                host = socket.inet_ntoa(self._read(conn, 4))
            elif atyp == 3:
                host = self._read(conn, self._read(conn, 1)[0]).decode()
            else:
                return
            port = int.from_bytes(self._read(conn, 2), 'big')
            up = socket.create_connection((host, port))
            conn.sendall(b'\x05\x00\x00\x01' + socket.inet_aton('0.0.0.0') + b'\x00\x00')
            relay(conn, up, lambda: self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop = True
        self.sock.close()


def relay(a, b, stopped):
    try:
        while not stopped():
            readable, _, _ = select.select([a, b], [], [], 1)
            for s in readable:
                chunk = s.recv(65536)
                if not chunk:
                    return
                (b if s is a else a).sendall(chunk)
    except OSError:
        pass
    finally:
        b.close()


def socks(lab):
    proxy = Socks5(1080)
    try:
        text = profile_text(lab.pki, extra='socks-proxy %s 1080 stdin' % CLIENT_IP)
        text = text.replace('proto udp', 'proto tcp-client')
        be, _ = lab.new_session(text)
        be.walk_queue({'username': USERNAME, 'password': PASSWORD})
        mark = len(be.statuses())
        be.call('Connect')
        _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
        assert msg == 'SOCKS proxy credentials', msg
        assert be.walk_queue({'socks_proxy_user': PROXY_USER, 'socks_proxy_pass': PROXY_PASS}) \
            == [(1, 2, 0, 'socks_proxy_user', 'SOCKS proxy username', False),
                (1, 2, 1, 'socks_proxy_pass', 'SOCKS proxy password', True)]
        be.call('Ready')
        mark = len(be.statuses())
        be.call('Connect')
        be.wait_status(CONNECTED, after=mark, timeout=60)
        assert lab.ping_server(), 'no traffic through the SOCKS proxy'
        assert proxy.logins == [PROXY_USER], proxy.logins
        mark = len(be.statuses())
        be.call('Disconnect')
        be.wait_status(DONE, after=mark)
        assert be.wait_exit(20) == 0
        lab.assert_clean(be)
    finally:
        proxy.close()


lab = None
proxy = None
be = None


def test_server_proxy_and_services_start():
    global lab, proxy
    lab = Lab(server_extra=['--proto', 'tcp-server'])
    t.cleanup(lab.close)
    proxy = Proxy()
    t.cleanup(proxy.close)


def test_http_proxy_asks_for_its_credentials():
    global be
    text = profile_text(lab.pki, extra='http-proxy %s %d stdin basic' % (CLIENT_IP, PROXY_PORT))
    text = text.replace('proto udp', 'proto tcp-client')
    be, _ = lab.new_session(text)
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
    assert msg == 'HTTP proxy credentials', msg
    be.wait_attention((CRED, G_PROXY, 'HTTP proxy credentials'))
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_PROXY)]
    assert be.walk_queue({'http_proxy_user': PROXY_USER, 'http_proxy_pass': PROXY_PASS}) == [
        (1, 2, 0, 'http_proxy_user', 'HTTP proxy username', False),
        (1, 2, 1, 'http_proxy_pass', 'HTTP proxy password', True)]


def test_tunnel_through_the_http_proxy():
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    # through a proxy openvpn reports the proxy as the remote end
    assert be.prop('connection') == ('tcp', SERVER_IP, CLIENT_IP, PROXY_PORT), \
        be.prop('connection')
    assert lab.ping_server(), 'no traffic through the proxied tunnel'
    assert any(a is not None for a in proxy.auth_seen), proxy.auth_seen
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def test_socks_proxy():
    socks(lab)


def test_no_secret_logged():
    lab.assert_no_secret_logged(PASSWORD, PROXY_PASS)


t.main()
