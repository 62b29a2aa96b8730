# SPDX-License-Identifier: GPL-2.0-or-later
"""No override is accepted and then ignored (issue 15 item 4, docs/compatibility.md §4).

- configmgr refuses at SetOverride, with the reason, the values nothing applies:
  dns-fallback-google true, dns-sync-lookup false, enterprise-profile, persist-tun false;
  it accepts the values that are what ovpn3 always does (their opposites);
- the backend applies the others, shown by what openvpn was given and what happened, with one
  real server (TCP, with IPv6): proxy-host/-port/-username/-auth-cleartext become
  `--http-proxy HOST PORT stdin basic --proto tcp-client` and the tunnel comes up through a
  Basic-auth HTTP proxy (in this file) with proxy-username/-password answered on the management
  interface (no queue slot, nothing on argv); enable-legacy-algorithms adds `--providers legacy
  default` and `--data-ciphers` with BF-CBC (openvpn runs with them); `ipv6 no` adds the pull
  filters and the device gets no IPv6 address or route though the server pushes both;
- proxy-auth-cleartext unset: `auto-nct`, and no credentials go to a Basic-only proxy;
- proxy-username without proxy-password: only the password slot is asked for; the legacy
  ciphers join a profile's own data-ciphers;
- a proxy setting without proxy-host fails the registration with the reason; a stored
  profile with a value now refused loads without it.
"""

import base64
import json
import select
import socket
import socketserver
import threading

import dbus

import ovpn3test as t
from clientlab import (G_PROXY, CFG_REQUIRE_USER, CONNECTED, RECONNECTING, DONE, CLIENT_IP,
                       PASSWORD, SERVER_IP, USERNAME, Lab, profile_text, read, sh)

GDBUSPP = 'net.openvpn.gdbuspp'
CLIENT_ERROR = 'net.openvpn.v3.error.client'
PROXY_PORT = 3129
PROXY_USER = 'proxy-user'
PROXY_PASS = 'proxy-Override-47'
BASIC = 'Basic ' + base64.b64encode(('%s:%s' % (PROXY_USER, PROXY_PASS)).encode()).decode()


class Proxy(socketserver.ThreadingTCPServer):
    """An HTTP CONNECT proxy that wants Basic authentication; auth_seen: each request's
    Proxy-Authorization (None if it had none)."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__((CLIENT_IP, PROXY_PORT), ProxyHandler)
        self.auth_seen = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self):
        self.shutdown()
        self.server_close()


class ProxyHandler(socketserver.StreamRequestHandler):
    def handle(self):
        target = self.rfile.readline().split()[1].decode()
        headers = []
        while (line := self.rfile.readline().strip()):
            headers.append(line.decode())
        auth = [h.split(':', 1)[1].strip() for h in headers
                if h.lower().startswith('proxy-authorization:')]
        self.server.auth_seen.append(auth[0] if auth else None)
        if auth != [BASIC]:
            self.wfile.write(b'HTTP/1.0 407 Proxy Authentication Required\r\n'
                             b'Proxy-Authenticate: Basic realm="test"\r\n\r\n')
            return
        host, port = target.rsplit(':', 1)
        with socket.create_connection((host, int(port))) as up:
            self.wfile.write(b'HTTP/1.0 200 Connection established\r\n\r\n')
            socks = [self.connection, up]
            while True:
                for s in select.select(socks, [], [], 1)[0]:
                    chunk = s.recv(65536)
                    if not chunk:
                        return
                    (up if s is self.connection else self.connection).sendall(chunk)

lab = None
proxy = None


def set_override(cfg, name, value):
    t.call(lab.mgr.root_bus, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'SetOverride', name, value,
           signature='sv')


def ready_session(overrides, extra=''):
    """A backend for a new profile (profile_text + extra) with these overrides, registered
    and its credentials given; Connect is the caller's."""
    cfg = lab.mgr.import_profile(profile_text(lab.pki, extra=extra))
    for name, value in overrides:
        set_override(cfg, name, value)
    be = lab.mgr.spawn()
    be.config_path = cfg
    lab.mgr.register(be, cfg)
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    return be


def test_lab_starts():
    global lab, proxy
    lab = Lab(server_extra=['--proto', 'tcp-server', '--server-ipv6', 'fd00:213::/64',
                            '--push', 'route-ipv6 fd00:99::/64'])
    t.cleanup(lab.close)
    proxy = Proxy()
    t.cleanup(proxy.close)


def test_refused_at_set_override_with_the_reason():
    cfg = lab.mgr.import_profile(profile_text(lab.pki))
    for name, value, why in (
            ('dns-fallback-google', dbus.Boolean(True), 'never sends DNS queries to a third-party'),
            ('dns-sync-lookup', dbus.Boolean(False), 'resolves server names synchronously only'),
            ('enterprise-profile', 'corp', 'OpenVPN 3 Core feature'),
            ('persist-tun', dbus.Boolean(False), 'always keeps the tunnel device')):
        e = t.expect_error(lambda: set_override(cfg, name, value), GDBUSPP,
                           "(SetOverride) Override '%s' = " % name)
        assert why in e.message, e.message
    # what ovpn3 always does is accepted
    for name, value in (('dns-fallback-google', dbus.Boolean(False)),
                        ('dns-sync-lookup', dbus.Boolean(True)),
                        ('persist-tun', dbus.Boolean(True))):
        set_override(cfg, name, value)
    overrides = t.get_property(lab.mgr.root_bus, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'overrides')
    assert dict(overrides) == {'dns-fallback-google': False, 'dns-sync-lookup': True,
                               'persist-tun': True}, overrides


def test_stored_refused_value_is_dropped_when_loaded():
    """A persistent profile stored before a value was refused loads without it."""
    cfg = t.call(lab.mgr.root_bus, t.CONFIG_NAME, t.CONFIG_PATH, t.CONFIG_NAME, 'Import',
                 'stored', profile_text(lab.pki), False, True, signature='ssbb')
    set_override(cfg, 'persist-tun', dbus.Boolean(True))
    set_override(cfg, 'dns-scope', 'tunnel')
    t.kill_service(lab.mgr.root_bus, t.CONFIG_NAME)
    path = '/var/lib/ovpn3/configs/%s.json' % cfg.rsplit('/', 1)[1]
    data = json.load(open(path))
    data['overrides']['persist-tun'] = False
    with open(path, 'w') as f:
        json.dump(data, f)
    overrides = t.get_property(lab.mgr.root_bus, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'overrides')
    assert dict(overrides) == {'dns-scope': 'tunnel'}, overrides
    assert "dropping override 'persist-tun'" in t.service_log(), t.service_log()[-2000:]
    t.call(lab.mgr.root_bus, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'Remove')


def test_proxy_setting_without_proxy_host_fails_the_registration():
    cfg = lab.mgr.import_profile(profile_text(lab.pki))
    set_override(cfg, 'proxy-username', PROXY_USER)
    be = lab.mgr.spawn()
    be.config_path = cfg
    e = t.expect_error(lambda: lab.mgr.register(be, cfg), CLIENT_ERROR,
                       'The proxy-username override is set but proxy-host is not')
    assert 'set proxy-host or unset proxy-username' in e.message, e.message


def cmdline(be):
    return read('/proc/%d/cmdline' % be.openvpn_pids()[0]).split('\0')


def test_proxy_legacy_algorithms_and_ipv6_off_applied():
    be = ready_session((('proxy-host', CLIENT_IP), ('proxy-port', str(PROXY_PORT)),
                        ('proxy-username', PROXY_USER), ('proxy-password', PROXY_PASS),
                        ('proxy-auth-cleartext', dbus.Boolean(True)), ('ipv6', 'no'),
                        ('enable-legacy-algorithms', dbus.Boolean(True))))
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    argv = cmdline(be)
    i = argv.index('--http-proxy')
    assert argv[i + 1:i + 5] == [CLIENT_IP, str(PROXY_PORT), 'stdin', 'basic'], argv
    assert argv[argv.index('--proto') + 1] == 'tcp-client', argv
    i = argv.index('--providers')
    assert argv[i + 1:i + 3] == ['legacy', 'default'], argv
    assert argv[argv.index('--data-ciphers') + 1] == \
        'AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305:AES-256-CBC:AES-128-CBC:BF-CBC', argv
    assert ['--pull-filter', 'ignore', 'ifconfig-ipv6'] == argv[argv.index('ifconfig-ipv6') - 2:
                                                              argv.index('ifconfig-ipv6') + 1]
    assert 'route-ipv6' in argv and PROXY_PASS not in ' '.join(argv), argv
    # through the proxy, with the overrides' credentials after its 407; no slot was opened
    assert be.prop('connection') == ('tcp', SERVER_IP, CLIENT_IP, PROXY_PORT), \
        be.prop('connection')
    assert lab.ping_server(), 'no traffic through the proxied tunnel'
    assert proxy.auth_seen and all(a == BASIC for a in proxy.auth_seen), proxy.auth_seen
    assert not [a for a in be.attentions() if a[1] == G_PROXY], be.attentions()
    assert be.call('UserInputQueueGetTypeGroup') == [], be.call('UserInputQueueGetTypeGroup')
    # the server pushed IPv6 (ifconfig-ipv6, route-ipv6): none of it on the device
    dev = be.prop('device_name')
    assert sh('ip', '-6', 'addr', 'show', 'dev', dev).strip() == '', \
        sh('ip', '-6', 'addr', 'show', 'dev', dev)
    assert 'fd00:' not in sh('ip', '-6', 'route', 'show'), sh('ip', '-6', 'route', 'show')
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def test_no_cleartext_credentials_without_proxy_auth_cleartext():
    be = ready_session((('proxy-host', CLIENT_IP), ('proxy-port', str(PROXY_PORT)),
                        ('proxy-username', PROXY_USER), ('proxy-password', PROXY_PASS)))
    seen = len(proxy.auth_seen)
    be.call('Connect')
    # Basic is all this proxy offers: openvpn gives up on each try and tries again
    t.wait_until(lambda: RECONNECTING in [st[1] for st in be.statuses()]
                 and len(proxy.auth_seen) > seen + 1, 30, 'two tries through the proxy')
    assert (2, RECONNECTING, 'HTTP proxy error') in be.statuses(), be.statuses()
    i = cmdline(be).index('--http-proxy')
    assert cmdline(be)[i + 3:i + 5] == ['auto-nct', '--proto'], cmdline(be)
    assert proxy.auth_seen[seen:] and all(a is None for a in proxy.auth_seen[seen:]), \
        proxy.auth_seen
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def test_missing_proxy_password_is_asked_for():
    """proxy-username without proxy-password: only the password slot is opened; and the legacy
    ciphers are added to the profile's own data-ciphers."""
    be = ready_session((('proxy-host', CLIENT_IP), ('proxy-port', str(PROXY_PORT)),
                        ('proxy-username', PROXY_USER),
                        ('proxy-auth-cleartext', dbus.Boolean(True)),
                        ('enable-legacy-algorithms', dbus.Boolean(True))),
                       extra='data-ciphers AES-256-GCM:AES-128-CBC')
    mark = len(be.statuses())
    be.call('Connect')
    _, msg = be.wait_status(CFG_REQUIRE_USER, after=mark, timeout=60)
    assert msg == 'HTTP proxy credentials', msg
    assert be.walk_queue({'http_proxy_pass': PROXY_PASS}) == [
        (1, 2, 1, 'http_proxy_pass', 'HTTP proxy password', True)]
    seen = len(proxy.auth_seen)
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert proxy.auth_seen[seen:] == [BASIC], proxy.auth_seen[seen:]
    argv = cmdline(be)
    assert argv[argv.index('--data-ciphers') + 1] == \
        'AES-256-GCM:AES-128-CBC:AES-256-CBC:BF-CBC', argv
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def test_no_secret_logged():
    lab.assert_no_secret_logged(PASSWORD, PROXY_PASS)


t.main()
