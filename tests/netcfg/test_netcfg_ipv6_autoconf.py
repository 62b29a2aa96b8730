# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 autoconfiguration is off on every device netcfg creates (docs/architecture.md §6):
accept_ra 0 and autoconf 0 in /proc/sys/net/ipv6/conf/<dev>/, address
generation mode "none" unless netcfg was given an IPv6 address for the
device (then the kernel's default mode, so the device has its link-local
address). A router advertisement written into the device by its owner --
what a hostile server or engine can send down the tunnel -- with an
autonomous /64 prefix and a default-router lifetime adds no route and no
address, on tun and on tap. A MTU below 1280 drops the device's IPv6 state
(it comes back with the kernel's defaults when the MTU grows again): the
next Establish turns autoconfiguration off again. netcfg does it as the
service user with only CAP_NET_ADMIN; its unit keeps ProtectKernelTunables
and makes only /proc/sys/net/ipv6/conf writable."""

import ipaddress
import os
import struct
import time

import dbus

import ovpn3test as t
import netcfgtest as n

RA_PREFIX = ipaddress.IPv6Network('2001:db8:5a5a::/64')
ROUTER_LL = ipaddress.IPv6Address('fe80::5a')
ALL_NODES = ipaddress.IPv6Address('ff02::1')
ROUTER_MAC = bytes.fromhex('02005a5a5a01')
ALL_NODES_MAC = bytes.fromhex('333300000001')
ETH_P_IPV6 = 0x86dd
ICMPV6 = 58
SENT = 5


def inet_checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def router_advertisement(tap):
    """An ICMPv6 router advertisement from fe80::5a to ff02::1: router
    lifetime 1800 s, a prefix information option for 2001:db8:5a5a::/64
    with the on-link and autonomous flags; an Ethernet frame on tap."""
    src, dst = ROUTER_LL.packed, ALL_NODES.packed
    # type, code, checksum, cur hop limit, flags, router lifetime, reachable, retrans
    ra = struct.pack('!BBHBBHII', 134, 0, 0, 64, 0, 1800, 0, 0)
    # type 3, length 4 (x 8 bytes), prefix length, L|A, valid, preferred, reserved, prefix
    ra += struct.pack('!BBBBIII', 3, 4, RA_PREFIX.prefixlen, 0xc0, 86400, 14400, 0)
    ra += RA_PREFIX.network_address.packed
    if tap:
        ra += struct.pack('!BB', 1, 1) + ROUTER_MAC   # source link-layer address
    pseudo = src + dst + struct.pack('!I', len(ra)) + b'\0\0\0' + bytes([ICMPV6])
    ra = ra[:2] + struct.pack('!H', inet_checksum(pseudo + ra)) + ra[4:]
    packet = struct.pack('!IHBB', 6 << 28, len(ra), ICMPV6, 255) + src + dst + ra
    if tap:
        packet = ALL_NODES_MAC + ROUTER_MAC + struct.pack('!H', ETH_P_IPV6) + packet
    return packet


def sysctl(dev, key):
    try:
        with open('/proc/sys/net/ipv6/conf/%s/%s' % (dev, key)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def addr_gen_mode(dev):
    return n.ipj('-d', 'link', 'show', dev)[0].get('inet6_addr_gen_mode')


def rx_packets(dev):
    return n.ipj('-s', 'link', 'show', dev)[0]['stats64']['rx']['packets']


def ra_effects(dev):
    """What an accepted RA leaves on dev: IPv6 default routes and routes the
    kernel learnt from RAs, and global addresses netcfg was not asked for."""
    routes = [r for r in n.ipj('-6', 'route', 'show', 'table', 'all')
              if r.get('dev') == dev and (r.get('dst') == 'default' or r.get('protocol') == 'ra'
                                          or r.get('dst') == str(RA_PREFIX))]
    addrs = []
    for a in n.ipj('-6', 'addr', 'show', 'dev', dev):
        for info in a.get('addr_info', []):
            if info.get('scope') == 'global' and (
                    info.get('dynamic') or ipaddress.IPv6Address(info['local']) in RA_PREFIX):
                addrs.append('%s/%s' % (info['local'], info['prefixlen']))
    return routes, addrs


def link_local(dev):
    return [i['local'] for a in n.ipj('-6', 'addr', 'show', 'dev', dev)
            for i in a.get('addr_info', []) if i.get('scope') == 'link']


def send_ras(opener, dev, tap):
    """Writes the RA SENT times and waits until the kernel counted them as
    received on dev, then a generous moment for it to act on them."""
    packet = router_advertisement(tap)
    before = rx_packets(dev)
    for _ in range(SENT):
        assert opener.write_packet(packet) == len(packet)
        time.sleep(0.1)
    t.wait_until(lambda: rx_packets(dev) >= before + SENT, what='the RAs received on %s' % dev)
    time.sleep(2)
    return rx_packets(dev) - before


def establish(be, path, ipv6, mtu=1500):
    be.set(path, 'mtu', dbus.UInt16(mtu))
    be.call(path, 'AddIPAddress', '10.77.0.2', dbus.UInt32(24), '', False, signature='susb')
    if ipv6:
        be.call(path, 'AddIPAddress', 'fd00:77::2', dbus.UInt32(64), '', True, signature='susb')
    be.call(path, 'Establish')


def check(be, layer, ipv6, previous=None):
    """previous: (ipv6, mtu) of an Establish before the one checked (a
    reconnect with other settings)."""
    tap = layer == 2
    kind = 'tap' if tap else 'tun'
    path = be.create('ovpn3ra', layer=layer)
    name = be.get(path, 'device_name')
    # before any Establish, while the link is down
    created = {k: sysctl(name, k) for k in ('accept_ra', 'autoconf')}
    created['addrgenmode'] = addr_gen_mode(name)
    opener = n.TunOpener(name, tap=tap)
    assert opener.result == 'opened', opener.result
    if previous is not None:
        establish(be, path, *previous)
        if previous[1] < 1280:
            # the device's IPv6 state is gone; at 1500 it returns with the
            # kernel's defaults (accept_ra 1 ...)
            assert sysctl(name, 'accept_ra') is None, 'IPv6 still on at MTU %d' % previous[1]
    establish(be, path, ipv6)
    state = {k: sysctl(name, k) for k in ('accept_ra', 'autoconf')}
    state['addrgenmode'] = addr_gen_mode(name)
    received = send_ras(opener, name, tap)
    routes, addrs = ra_effects(name)
    what = '%s, %s' % (kind, 'IPv4 + IPv6' if ipv6 else 'IPv4 only')
    if previous is not None:
        what += ' (after an Establish with %s, MTU %d)' % (
            'IPv6' if previous[0] else 'IPv4 only', previous[1])
    print('%s: at creation %s; established %s; %d RAs received; RA routes %s; RA addresses %s'
          % (what, created, state, received, [(r['dst'], r.get('gateway'), r.get('protocol'))
                                               for r in routes], addrs))
    problems = []
    if routes:
        problems.append('the RA added routes %r' % routes)
    if addrs:
        problems.append('the RA added addresses %r' % addrs)
    for key in ('accept_ra', 'autoconf'):
        if state[key] != '0':
            problems.append('%s is %r after Establish' % (key, state[key]))
        if created[key] != '0':
            problems.append('%s is %r after creation' % (key, created[key]))
    if created['addrgenmode'] != 'none':
        problems.append('addrgenmode %r after creation' % created['addrgenmode'])
    if ipv6:
        # the kernel's default mode (random for tun: it has no hardware address)
        if state['addrgenmode'] in (None, 'none'):
            problems.append('addrgenmode %r with IPv6 in use' % state['addrgenmode'])
        elif not link_local(name):
            problems.append('no link-local address with IPv6 in use')
    elif state['addrgenmode'] != 'none' or link_local(name):
        problems.append('addrgenmode %r, link-local %r without IPv6'
                        % (state['addrgenmode'], link_local(name)))
    opener.stop()
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    return ['%s: %s' % (what, p) for p in problems]


t.require_devbus()
bus = t.system_bus()
before = n.dump()
be = n.Backend()


def test_ipv6_autoconf_and_mtu_for_tun_and_tap_and_previous_states():
    global problems
    problems = []
    for layer in (3, 2):
        problems += check(be, layer, ipv6=False)
        problems += check(be, layer, ipv6=True)
    problems += check(be, 3, ipv6=False, previous=(False, 1000))
    problems += check(be, 3, ipv6=True, previous=(False, 1500))
    problems += check(be, 2, ipv6=False, previous=(True, 1500))


# all of it done by netcfg as the service user with only CAP_NET_ADMIN
def test_done_as_service_user_with_only_cap_net_admin():
    with open('/proc/%d/status' % n.netcfg_pid(bus)) as f:
        status = dict(line.split(':', 1) for line in f if ':' in line)
    assert int(status['Uid'].split()[0]) == n.pwd.getpwnam(t.service_user()).pw_uid, status['Uid']
    assert int(status['CapEff'], 16) == 1 << 12, status['CapEff']   # CAP_NET_ADMIN
    be.stop()
    assert n.dump() == before, 'the namespace changed'


# the installed unit lets it write there, and nowhere else in /proc/sys
def test_unit_allows_only_ipv6_conf_in_proc_sys_and_no_problem_found():
    with open(os.path.join(os.environ['OVPN3_BUILDDIR'], 'systemd', 'ovpn3-netcfg.service')) as f:
        unit = [line.strip() for line in f]
    assert 'ProtectKernelTunables=yes' in unit, unit
    assert [x for x in unit if x.startswith('ReadWritePaths=') and '/proc' in x] == \
        ['ReadWritePaths=-/proc/sys/net/ipv6/conf'], unit
    assert not problems, '\n'.join(problems)


t.main()
