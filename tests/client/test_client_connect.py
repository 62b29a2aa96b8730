# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client, the main path: registration with a token check, the
user-input queue for user/pass (docs/dbus-api.md §6 names, descriptions, ids, hidden
flags, errors), Ready, Connect to a real openvpn 2.6 server, traffic through
the tunnel, properties, Disconnect -> CONN_DONE, and nothing left behind."""

import json
import os
import pwd
import time

import ovpn3test as t
from clientlab import (CRED, G_USERPASS, CFG_OK, CFG_REQUIRE_USER, CONNECTING, CONNECTED,
                       DISCONNECTING, DONE, PASSWORD, USERNAME, SERVER_IP, PUSHED_NET, Lab,
                       read, sh)


def run(lab):
    mgr = lab.mgr
    cfg = mgr.import_profile(open_profile(lab))
    be = mgr.spawn()

    # before registration: queue empty, status unset, session_path unknown
    assert be.prop('session_path') == '/__unknown', be.prop('session_path')
    assert be.call('Ping') is True
    # only the session manager may call it
    t.expect_error(lambda: t.call(mgr.root_bus, be.bus_name, '/net/openvpn/v3/backends/session',
                                  'net.openvpn.v3.backends', 'Ping'),
                   'org.freedesktop.DBus.Error.AccessDenied', '')
    # wrong token
    t.expect_error(lambda: mgr.register(be, cfg, token='nope'),
                   'net.openvpn.v3.error.be_registration', 'Invalid registration token')
    name = mgr.register(be, cfg)
    assert name == 'client-test', name
    t.expect_error(lambda: mgr.register(be, cfg),
                   'net.openvpn.v3.error.be_registration', 'Backend service is already registered')
    assert be.prop('session_path') == be.session_path

    # the signals that came before the reply
    st = be.statuses()
    assert st[0] == (2, CFG_OK, 'config_path=' + cfg), st
    assert (2, CFG_REQUIRE_USER, 'Username/password credentials needed') in st, st
    be.wait_attention((CRED, G_USERPASS, 'Username/password credentials needed'))
    assert be.prop('status') == (2, CFG_REQUIRE_USER, 'Username/password credentials needed')
    assert be.signals('Log'), 'no Log signal'
    log = be.logs()[0]
    assert len(log) == 4 and log[2] == be.token, log

    # the queue, exactly as docs/dbus-api.md §6
    assert be.call('UserInputQueueGetTypeGroup') == [(CRED, G_USERPASS)]
    assert be.call('UserInputQueueCheck', 1, 1, signature='uu') == [0, 1]
    assert be.call('UserInputQueueCheck', 1, 3, signature='uu') == []
    assert be.call('UserInputQueueFetch', 1, 1, 0, signature='uuu') == \
        (1, 1, 0, 'username', 'Auth User name', False)
    assert be.call('UserInputQueueFetch', 1, 1, 1, signature='uuu') == \
        (1, 1, 1, 'password', 'Auth Password', True)
    t.expect_error(lambda: be.call('UserInputQueueFetch', 1, 1, 7, signature='uuu'),
                   'net.openvpn.gdbuspp.request', 'No requires queue element found')
    t.expect_error(lambda: be.call('Ready'), 'net.openvpn.v3.error.ready',
                   'Missing user credentials')
    t.expect_error(lambda: be.call('Connect'), 'net.openvpn.v3.error.client',
                   'Required user input not provided')
    t.expect_error(lambda: be.call('UserInputProvide', 1, 1, 0, '\x01\x02', signature='uuus'),
                   'net.openvpn.gdbuspp.request', 'No value provided for RequiresSlot ID 0')
    t.expect_error(lambda: be.call('UserInputProvide', 1, 3, 0, 'x', signature='uuus'),
                   'net.openvpn.gdbuspp.request', 'User input not required')
    be.call('UserInputProvide', 1, 1, 0, USERNAME, signature='uuus')
    t.expect_error(lambda: be.call('UserInputProvide', 1, 1, 0, USERNAME, signature='uuus'),
                   'net.openvpn.gdbuspp.request', 'Request ID 0 has already been provided')
    t.expect_error(lambda: be.call('UserInputQueueFetch', 1, 1, 0, signature='uuu'),
                   'net.openvpn.gdbuspp.request', 'User input already provided')
    assert be.call('UserInputQueueCheck', 1, 1, signature='uu') == [1]
    be.call('UserInputProvide', 1, 1, 1, PASSWORD, signature='uuus')
    assert be.call('UserInputQueueGetTypeGroup') == []
    be.call('Ready')

    # the device and openvpn are prepared at the registration and openvpn waits in its first
    # hold until Connect (docs/architecture.md §2 step 5): no status about it yet
    t.wait_until(lambda: be.prop('device_path') != '/' and len(be.openvpn_pids()) == 1,
                 what='device and openvpn prepared before Connect')
    assert be.prop('device_path').startswith('/net/openvpn/v3/netcfg/'), be.prop('device_path')
    assert [s[:2] for s in be.statuses()] == [(2, 2), (2, 4)], be.statuses()  # CFG_OK, CFG_REQUIRE_USER
    # properties the session manager reads
    assert be.prop('connection') == ('', '', '', 0)
    assert be.prop('statistics') == {}
    assert be.prop('log_level') == 3, be.prop('log_level')  # profile verb 3
    t.expect_error(lambda: t.set_property(mgr.bus, be.bus_name, '/net/openvpn/v3/backends/session',
                                          'net.openvpn.v3.backends', 'dco',
                                          t.dbus.Boolean(True)),
                   'org.freedesktop.DBus.Error.NotSupported', 'not supported')

    # connect
    mark = len(be.statuses())
    started = time.monotonic()
    be.call('Connect')
    be.wait_status(CONNECTING, after=mark)
    be.wait_status(CONNECTED, after=mark, timeout=60)
    print('connected in %.2f s' % (time.monotonic() - started))
    # Connect while connected is a no-op
    be.call('Connect')
    dev = be.prop('device_name')
    assert dev.startswith('ovpn3t'), dev
    assert be.prop('device_path').startswith('/net/openvpn/v3/netcfg/'), be.prop('device_path')
    assert be.prop('connection') == ('udp', SERVER_IP, SERVER_IP, 1194), be.prop('connection')
    assert be.prop('status') == (2, CONNECTED, '')
    assert be.prop('session_name') == 'server', be.prop('session_name')
    assert 'inet 10.213.0.' in sh('ip', 'addr', 'show', 'dev', dev)
    assert PUSHED_NET in sh('ip', 'route', 'show', 'dev', dev), sh('ip', 'route', 'show')
    assert lab.ping_server(3), 'no traffic through the tunnel'

    # openvpn: an engine uid and gid of its own (docs/security.md §3), no capabilities,
    # NO_NEW_PRIVS, the profile as a sealed memfd, no secret
    pids = be.openvpn_pids()
    assert len(pids) == 1, pids
    ovpn = pids[0]
    status = read('/proc/%d/status' % ovpn)
    field = {l.split(':')[0]: l.split()[1:] for l in status.splitlines() if ':' in l}
    uid, gid = field['Uid'], field['Gid']
    assert len(set(uid)) == 1 and set(uid) == set(gid), (uid, gid)
    engine_uid = int(uid[0])
    first, last = t.engine_uid_range()
    assert first <= engine_uid <= last, engine_uid
    assert engine_uid != pwd.getpwnam(t.service_user()).pw_uid
    assert field['Groups'] == [], field['Groups']
    for cap in ('CapEff', 'CapPrm', 'CapInh', 'CapAmb'):
        assert field[cap] == ['0000000000000000'], (cap, field[cap])
    assert field['NoNewPrivs'] == ['1'], field['NoNewPrivs']
    # the tun device belongs to the engine
    info = json.loads(sh('ip', '-d', '-j', 'link', 'show', 'dev', dev))[0]['linkinfo']['info_data']
    assert str(info.get('user')) == str(engine_uid), info
    cmdline = read('/proc/%d/cmdline' % ovpn).split('\0')
    environ = open('/proc/%d/environ' % ovpn, 'rb').read().decode(errors='replace')
    for secret in (PASSWORD,):
        assert secret not in ' '.join(cmdline) and secret not in environ
    assert '--management-client' in cmdline and '--disable-dco' in cmdline, cmdline
    assert cmdline[cmdline.index('--dev') + 1] == dev, cmdline
    assert cmdline[cmdline.index('--config') + 1] == '/dev/fd/3', cmdline
    rundir = os.path.dirname(cmdline[cmdline.index('--management') + 1])
    assert rundir.startswith('/run/ovpn3/client-'), rundir
    # openvpn has connected: the socket and the directory are gone
    assert not os.path.exists(rundir), os.listdir(rundir)
    assert [e for e in os.listdir('/run/ovpn3') if e.startswith('client-')] == []

    # BYTES_* come with >BYTECOUNT (every second), TUN_* from the kernel
    def counted():
        st = be.prop('statistics')
        return st.get('TUN_BYTES_IN') and st.get('BYTES_IN') and st
    stats = t.wait_until(counted, 20, 'statistics')
    assert stats['BYTES_IN'] > 0 and stats['BYTES_OUT'] > 0, stats
    assert stats['TUN_BYTES_IN'] > 0 and stats['TUN_BYTES_OUT'] > 0, stats
    assert all(v != 0 for v in stats.values()), stats
    llog = be.prop('last_log_line')
    assert 'log_message' in llog, llog

    # disconnect
    mark = len(be.statuses())
    be.call('Disconnect')
    be.wait_status(DISCONNECTING, after=mark)
    be.wait_status(DONE, after=mark)
    assert be.wait_exit(20) == 0, be.proc.returncode
    lab.assert_clean(be)
    lab.assert_no_secret_logged(PASSWORD)


def open_profile(lab):
    from clientlab import profile_text
    return profile_text(lab.pki)


lab = None


def test_server_and_services_start():
    global lab
    lab = Lab()
    t.cleanup(lab.close)


def test_register_fill_queue_connect_traffic_disconnect():
    run(lab)


t.main()
