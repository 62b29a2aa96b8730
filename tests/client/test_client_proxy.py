# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client with an HTTP proxy that wants credentials: openvpn asks
>PASSWORD:Need 'HTTP Proxy' username/password, the backend opens the (1, 2)
slots http_proxy_user / http_proxy_pass (spec §6), and once they are provided
and Connect is called the tunnel comes up through the proxy (TCP)."""

import base64
import select
import socket
import sys
import threading

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


def main():
    lab = Lab(server_extra=['--proto', 'tcp-server'])
    proxy = Proxy()
    try:
        text = profile_text(lab.pki, extra='http-proxy %s %d stdin basic' % (CLIENT_IP, PROXY_PORT))
        text = text.replace('proto udp', 'proto tcp-client')
        be, _ = lab.new_session(text)
        be.walk_queue({'username': USERNAME, 'password': PASSWORD})
        be.call('Ready')
        mark = len(be.statuses())
        be.call('Connect')
        _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
        assert msg == 'HTTP proxy credentials', msg
        assert (CRED, G_PROXY, 'HTTP proxy credentials') in be.attentions()
        assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_PROXY)]
        assert be.walk_queue({'http_proxy_user': PROXY_USER, 'http_proxy_pass': PROXY_PASS}) == [
            (1, 2, 0, 'http_proxy_user', 'HTTP proxy username', False),
            (1, 2, 1, 'http_proxy_pass', 'HTTP proxy password', True)]
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
        lab.assert_no_secret_logged(PASSWORD, PROXY_PASS)
    finally:
        proxy.close()
        lab.close()
    print('ok')


if __name__ == '__main__':
    sys.exit(main())
