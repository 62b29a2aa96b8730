# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client network settings from >UPDOWN:UP, with the docs/architecture.md §6 policy:
a pushed redirect-gateway (invisible in the ENV under --route-noexec in 2.6,
read from the PUSH_REPLY log line) becomes reroute_ipv4 on the netcfg device;
a plain pushed 0.0.0.0/1 route, a route over the VPN server and a bad search
domain are refused and logged; DNS goes to netcfg. Also: StatusChange/Log
reach a log-service proxy (ProxyLogEvents, as the session manager's
LogForward does) as (uus) from net.openvpn.v3.log with the session path."""

import dbus

import ovpn3test as t
from clientlab import (CONNECTED, DONE, PASSWORD, USERNAME, SERVER_IP, Lab, profile_text, pump,
                       read, sh)


def run(lab):
    be, _ = lab.new_session()

    # a front-end's LogForward: the log service forwards the backend's signals
    listener = t.system_bus()
    got = []
    listener.add_signal_receiver(
        lambda *a, **kw: got.append((kw['member'], t.plain(list(a)), kw['path'], kw['sender'],
                                     kw['interface'])),
        bus_name=t.LOG_NAME, dbus_interface='net.openvpn.v3.backends',
        member_keyword='member', path_keyword='path', sender_keyword='sender',
        interface_keyword='interface')
    proxy = t.call(lab.mgr.bus, t.LOG_NAME, t.LOG_PATH, t.LOG_NAME, 'ProxyLogEvents',
                   listener.get_unique_name(), be.session_path, signature='so')
    assert proxy.startswith('/net/openvpn/v3/log/proxy/'), proxy

    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    dev = be.prop('device_name')
    devpath = be.prop('device_path')
    reroute = t.get_property(lab.mgr.bus, t.NETCFG_NAME, devpath, t.NETCFG_NAME, 'reroute_ipv4')
    assert reroute is True, reroute
    assert 'dev ' + dev in sh('ip', 'route', 'get', '192.0.2.1'), sh('ip', 'route')
    # the server stays reachable outside the tunnel
    assert 'dev ' + dev not in sh('ip', 'route', 'get', SERVER_IP), sh('ip', 'route')
    assert lab.ping_server(), 'no traffic'
    warnings = [l[3] for l in be.logs() if l[1] == 5]
    assert any('0.0.0.0/1' in w and 'redirect-gateway' in w for w in warnings), warnings
    assert any('covers the VPN server' in w for w in warnings), warnings
    assert any("bad;name" in w for w in warnings), warnings
    assert '10.213.0.53' in read('/etc/resolv.conf'), read('/etc/resolv.conf')
    assert 'bad;name' not in read('/etc/resolv.conf')

    # forwarded through the log service
    def forwarded():
        pump()
        return [g for g in got if g[0] == 'StatusChange' and g[1][:2] == [2, CONNECTED]]
    fw = t.wait_until(forwarded, 10, 'forwarded StatusChange')[0]
    assert fw[2] == be.session_path and fw[4] == 'net.openvpn.v3.backends', fw
    assert fw[3] == listener.get_name_owner(t.LOG_NAME), fw
    logs = [g for g in got if g[0] == 'Log']
    assert logs and all(len(g[1]) == 3 for g in logs), logs[:3]

    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)
    assert dev not in sh('ip', 'route', 'show'), sh('ip', 'route', 'show')
    lab.assert_no_secret_logged(PASSWORD)
    listener.close()


def overrides(lab):
    """Profile overrides the backend applies: dns-setup-disabled, log-level,
    server/port/proto-override, allow-compression, tls-version-min."""
    cfg = lab.mgr.import_profile(profile_text(lab.pki))
    for name, value in (('dns-setup-disabled', dbus.Boolean(True)), ('log-level', '5')):
        t.call(lab.mgr.root_bus, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'SetOverride', name, value,
               signature='sv')
    be = lab.mgr.spawn()
    lab.mgr.register(be, cfg)
    assert be.prop('log_level') == 5, be.prop('log_level')
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert read('/etc/resolv.conf') == lab.resolv_before, read('/etc/resolv.conf')
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)

    # server-override / port-override (answered on >REMOTE), and overrides that map
    # onto openvpn flags
    text = profile_text(lab.pki).replace('remote %s 1194' % SERVER_IP, 'remote 10.99.0.77 1999')
    cfg = lab.mgr.import_profile(text)
    for name, value in (('server-override', SERVER_IP), ('port-override', '1194'),
                        ('proto-override', 'udp'), ('allow-compression', 'no'),
                        ('tls-version-min', 'tls_1_2')):
        t.call(lab.mgr.root_bus, t.CONFIG_NAME, cfg, t.CONFIG_NAME, 'SetOverride', name, value,
               signature='sv')
    be = lab.mgr.spawn()
    lab.mgr.register(be, cfg)
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    assert be.prop('connection') == ('udp', SERVER_IP, SERVER_IP, 1194), be.prop('connection')
    cmdline = read('/proc/%d/cmdline' % be.openvpn_pids()[0]).split('\0')
    i = cmdline.index('--allow-compression')
    assert cmdline[i + 1] == 'no' and i < cmdline.index('--client'), cmdline
    assert cmdline[cmdline.index('--tls-version-min') + 1] == '1.2', cmdline
    assert '--management-query-remote' in cmdline, cmdline
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


lab = None


def test_server_and_services_start():
    global lab
    lab = Lab(server_extra=['--push', 'redirect-gateway def1',
                            '--push', 'route 0.0.0.0 128.0.0.0',
                            '--push', 'route %s 255.255.255.255' % SERVER_IP,
                            '--push', 'dhcp-option DOMAIN bad;name'])
    t.cleanup(lab.close)


def test_redirect_gateway_refusals_dns_and_log_forwarding():
    run(lab)


def test_profile_overrides():
    overrides(lab)


t.main()
