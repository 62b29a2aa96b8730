# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg's crash with the real backend client and a real openvpn 2.6
server (tests/lib/ovpn3server.py): a session is connected and passes
traffic; netcfg is SIGKILLed; the next start (activated by the next call)
adopts the session's device, because its creator, the backend client, is
alive (docs/architecture.md §6 "Its own state, and cleanup"): the tunnel
passes traffic throughout, the device is listed at the path the backend
client holds, and Disconnect — the backend client Destroys its device —
leaves nothing: no tun, route, DNS entry or process."""

import os
import signal
import subprocess

import ovpn3server as lab
import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
a = t.USER_A


def test_server_lab_is_up():
    global srv, text
    srv = lab.ServerLab('ovpn3-netcfg-adopt-e2e-')
    t.cleanup(srv.close)
    text = lab.profile_text(srv.pki)


def test_a_connected_session_passes_traffic():
    global path, dev, backend_pid
    path, _elapsed, _seen, info = t.run_as(a, lab.cli_session_start, 'adopt', text,
                                           lab.USERNAME, lab.PASSWORD, timeout=120, fresh=True)
    dev, backend_pid = info['device_name'], int(info['backend_pid'])
    assert lab.ping(dev), 'no traffic through the tunnel'


def listed():
    return [str(p) for p in t.call(bus, n.NETCFG, n.NETCFG_PATH, n.NETCFG, 'FetchInterfaceList')]


def test_netcfg_killed_and_restarted_adopts_the_device():
    global devpath
    [devpath] = listed()
    assert devpath.endswith('/%d_%s' % (backend_pid, dev)), devpath
    addrs, routes = n.addrs_of(dev), n.routes_of(dev)
    n.stop_netcfg(bus, signal.SIGKILL)
    assert lab.ping(dev), 'traffic stopped while netcfg was gone'
    n.ensure_netcfg(bus)
    assert listed() == [devpath], listed()
    assert (n.addrs_of(dev), n.routes_of(dev)) == (addrs, routes)
    assert lab.ping(dev), 'traffic stopped after netcfg came back'
    # still the backend client's: it reads its properties as before
    assert t.get_property(bus, n.NETCFG, devpath, n.NETCFG, 'device_name') == dev


def openvpn_clients():
    out = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                argv = f.read().split(b'\0')
        except OSError:
            continue
        if argv and argv[0].endswith(b'openvpn') and b'--management-client' in argv:
            out.append(int(pid))
    return out


def test_disconnect_destroys_the_adopted_device_and_leaves_nothing():
    t.call_as(a, t.SESSIONS_NAME, path, lab.SESSIONS_IFACE, 'Disconnect')
    t.wait_until(lambda: listed() == [], 20, 'the adopted device destroyed')
    t.wait_until(lambda: not n.link_exists(dev), 20, 'tun device removal')
    t.wait_until(lambda: n.process_gone(backend_pid), 20, 'the backend client to exit')
    t.wait_until(lambda: openvpn_clients() == [], 20, 'openvpn to exit')
    routes = subprocess.run(['ip', 'route', 'show'], capture_output=True, text=True).stdout
    assert lab.PUSHED_NET not in routes and '10.213.0.' not in routes, routes
    t.wait_until(lambda: lab.read('/etc/resolv.conf') == srv.resolv_before, 20,
                 'resolv.conf restored')


t.main()
