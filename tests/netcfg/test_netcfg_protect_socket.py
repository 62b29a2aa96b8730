# SPDX-License-Identifier: GPL-2.0-or-later
"""ProtectSocket without DCO: the socket travels as one unix fd outside the
signature (sbo). netcfg checks it (exactly one fd, a valid address, a
device of the caller's) and records the remote like SetRemoteAddress, so
that Establish with redirect-gateway adds the host route to the server
through the previous gateway; the socket itself is left alone. Only the
backend client of a live session may call it (docs/security.md §5)."""

import os
import socket

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
n.ensure_netcfg(t.system_bus())
uplink = n.Uplink()
sm = n.sessions()   # before the fork: the child confirms itself through it


def backend(_bus):
    from gi.repository import Gio, GLib
    conn = Gio.DBusConnection.new_for_address_sync(
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def call(path, method, params, reply=None, fds=None, iface=n.NETCFG):
        try:
            res = conn.call_with_unix_fd_list_sync(
                n.NETCFG, path, iface, method, params,
                GLib.VariantType(reply) if reply else None, Gio.DBusCallFlags.NONE, 10000, fds,
                None)
            return ('ok', res[0].unpack() if res[0] is not None else None)
        except GLib.Error as e:
            return ('error', Gio.DBusError.get_remote_error(e), e.message)

    out = {}
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    one = Gio.UnixFDList()
    one.append(sock.fileno())
    # no session yet: a stranger of the service user
    out['no_session'] = call(n.NETCFG_PATH, 'ProtectSocket',
                             GLib.Variant('(sbo)', (n.SERVER_V4, False, '/')), '(b)', fds=one)
    sm.add(conn.get_unique_name(), pid=os.getpid())
    path = call(n.NETCFG_PATH, 'CreateVirtualInterface', GLib.Variant('(s)', ('ovpn3s',)),
                '(o)')[1][0]
    call(path, 'Set', GLib.Variant('(ssv)', (n.NETCFG, 'layer', GLib.Variant('u', 3))),
         iface=t.PROPS)
    two = Gio.UnixFDList()
    two.append(sock.fileno())
    two.append(sock.fileno())
    args = GLib.Variant('(sbo)', (n.SERVER_V4, False, path))
    out['no_fd'] = call(n.NETCFG_PATH, 'ProtectSocket', args, '(b)')
    out['two_fds'] = call(n.NETCFG_PATH, 'ProtectSocket', args, '(b)', fds=two)
    out['bad_ip'] = call(n.NETCFG_PATH, 'ProtectSocket',
                         GLib.Variant('(sbo)', ('203.0.113', False, path)), '(b)', fds=one)
    out['bad_dev'] = call(n.NETCFG_PATH, 'ProtectSocket',
                          GLib.Variant('(sbo)', (n.SERVER_V4, False, n.NETCFG_PATH + '/1_x')),
                          '(b)', fds=one)
    out['ok'] = call(n.NETCFG_PATH, 'ProtectSocket', args, '(b)', fds=one)
    out['sock_still_usable'] = sock.getsockopt(socket.SOL_SOCKET, socket.SO_MARK) == 0
    call(path, 'AddIPAddress', GLib.Variant('(susb)', ('10.8.0.2', 24, '', False)))
    call(path, 'Set', GLib.Variant('(ssv)', (n.NETCFG, 'reroute_ipv4', GLib.Variant('b', True))),
         iface=t.PROPS)
    out['establish'] = call(path, 'Establish', None)
    out['routes'] = n.routes_of(n.UPLINK_DEV, '-4')
    out['destroy'] = call(path, 'Destroy', None)
    sock.close()
    conn.close_sync(None)
    return out


def test_protect_socket_checks_the_fd_and_routes_the_server_via_uplink():
    out = t.run_as(t.service_user(), backend)
    assert out['no_session'][1] == 'org.freedesktop.DBus.Error.AccessDenied', out['no_session']
    assert out['no_fd'][0] == 'error' and 'exactly one socket fd' in out['no_fd'][2], out['no_fd']
    assert out['no_fd'][1] == 'net.openvpn.v3.netcfg.error', out['no_fd']
    assert out['two_fds'][0] == 'error', out['two_fds']
    assert out['bad_ip'][1] == 'org.freedesktop.DBus.Error.InvalidArgs', out['bad_ip']
    assert out['bad_dev'][1] == 'org.freedesktop.DBus.Error.InvalidArgs', out['bad_dev']
    assert out['ok'] == ('ok', (True,)), out['ok']
    assert out['sock_still_usable']
    assert out['establish'][0] == 'ok', out['establish']
    assert (n.SERVER_V4, n.UPLINK_GW4, 'static') in [tuple(r) for r in out['routes']], out['routes']
    assert out['destroy'][0] == 'ok', out['destroy']
    t.wait_until(lambda: (n.SERVER_V4, n.UPLINK_GW4, 'static') not in n.routes_of(n.UPLINK_DEV, '-4'),
                 what='host route removed')
    uplink.close()
    sm.close()


t.main()
