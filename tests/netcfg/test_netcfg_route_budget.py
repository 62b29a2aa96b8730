# SPDX-License-Identifier: GPL-2.0-or-later
"""The route budget (docs/architecture.md §6), enforced by netcfg whatever the backend
sends: without redirect-gateway the routes through the tunnel together
cover at most 1/16 of IPv4 and 1/256 of 2000::/3, counted as the union of
their prefixes; routes beyond it are refused in order, each logged once,
and the rest is applied (Establish succeeds). Excluded routes do not
count; with reroute_ipv4/6 set there is no budget for that family. The
kernel's routing table is the judge (`ip -j route`)."""

import time

import dbus

import ovpn3test as t
import netcfgtest as n

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
before = n.dump()
journal = t.Journal()
be = n.Backend()


def nets(*items):
    """(network, prefix[, exclude]) -> a(suibb)"""
    return dbus.Array([(i[0], dbus.UInt32(i[1]), dbus.Int32(-1), ':' in i[0],
                        len(i) > 2 and i[2]) for i in items], signature='(suibb)')


def tunnel_routes(dev):
    return sorted(r[0] for r in n.routes_of(dev, '-4') + n.routes_of(dev, '-6')
                  if r[2] == 'static')


def messages(dev):
    """What netcfg logged since the last call about routes it refused on dev
    (without the log service's "{tag:…} " prefix)."""
    start = '%s: ignoring route' % dev
    return [m[m.index(start):] for m in (str(e.get('MESSAGE', '')) for e in journal.entries())
            if start in m]


def session(routes, expect, refused, reroute4=False, reroute6=False, remote=False,
            check=None):
    path = be.create('ovpn3bud', layer=3)
    name = be.get(path, 'device_name')
    opener = n.TunOpener(name)
    assert opener.result == 'opened', opener.result
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'AddIPAddress', 'fd00:8::2', dbus.UInt32(64), '', True, signature='susb')
    if remote:
        be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
        be.call(path, 'SetRemoteAddress', n.SERVER_V6, True, signature='sb')
    be.call(path, 'AddNetworks', nets(*routes), signature='a(suibb)')
    be.set(path, 'reroute_ipv4', reroute4)
    be.set(path, 'reroute_ipv6', reroute6)
    be.call(path, 'Establish')
    got = tunnel_routes(name)
    assert got == sorted(expect), 'through %s: %r, expected %r' % (name, got, sorted(expect))
    # each refusal logged once, naming the route; nothing else refused
    want = ['%s: ignoring route %s: without redirect-gateway the pushed routes may cover at most '
            '%s together' % (name, r, '1/256 of 2000::/3' if ':' in r
                             else '1/16 of the IPv4 address space') for r in refused]
    logged = []

    def collect():
        logged.extend(messages(name))
        return len(logged) >= len(want)
    t.wait_until(collect, what='the refusals in the log')   # forwarded asynchronously
    time.sleep(0.5)
    collect()
    assert sorted(logged) == sorted(want), 'logged %r, expected %r' % (logged, want)
    if check is not None:
        check(name)
    opener.stop()
    be.call(path, 'Destroy')
    t.wait_until(lambda: not n.link_exists(name), what='device removed')
    return name


# ---- a default route in pieces: only 1/16 of IPv4 gets through, in order
def test_default_route_in_pieces_only_one_16th_of_ipv4_in_order():
    session([('128.0.0.0', 2), ('32.0.0.0', 3), ('16.0.0.0', 5), ('24.0.0.0', 6), ('8.0.0.0', 5),
             ('28.0.0.0', 7), ('30.0.0.0', 8), ('31.0.0.0', 8), ('64.0.0.0', 24),
             ('16.1.0.0', 16)],
            # together exactly 16.0.0.0/4; 16.1.0.0/16 lies inside it
            expect=['16.0.0.0/5', '24.0.0.0/6', '28.0.0.0/7', '30.0.0.0/8', '31.0.0.0/8',
                    '16.1.0.0/16'],
            refused=['128.0.0.0/2', '32.0.0.0/3', '8.0.0.0/5', '64.0.0.0/24'])


# ---- overlapping routes count once: 10.0.0.0/8 (twice) and 10.1.0.0/16 are
# one /8, so 15 more /8 fit and the 16th does not
def test_overlapping_routes_count_once():
    ones = [('%d.0.0.0' % i, 8) for i in range(11, 27)]
    session([('10.0.0.0', 8), ('10.1.0.0', 16), ('10.0.0.0', 8)] + ones,
            expect=['10.0.0.0/8', '10.1.0.0/16'] + ['%d.0.0.0/8' % i for i in range(11, 26)],
            refused=['26.0.0.0/8'])


# ---- IPv6: 1/256 of 2000::/3 (a /11); outside 2000::/3 nothing counts
def test_ipv6_budget_is_one_256th_of_2000_3():
    session([('2000::', 4), ('3000::', 12), ('3010::', 12), ('2a00::', 16), ('2001:db8::', 32),
             ('3000:1::', 32), ('fd00:1::', 48)],
            expect=['3000::/12', '3010::/12', '3000:1::/32', 'fd00:1::/48'],
            refused=['2000::/4', '2a00::/16', '2001:db8::/32'])


def excluded_outside(dev):
    assert ('128.0.0.0/2', n.UPLINK_GW4, 'static') in n.routes_of(n.UPLINK_DEV, '-4'), \
        n.routes_of(n.UPLINK_DEV, '-4')


# ---- excluded routes do not count (they leave through the uplink)
def test_excluded_routes_do_not_count():
    session([('128.0.0.0', 2, True), ('16.0.0.0', 4)], expect=['16.0.0.0/4'], refused=[],
            check=excluded_outside)


# ---- redirect-gateway: no budget for that family
# (3000::/4 and 2400::/6 stay clear of the VPN server's 2001:db8:203::10; no /2 but
# 128.0.0.0/2 stays clear of loopback, multicast and 0.0.0.0/8, which no route may cover)
def test_redirect_gateway_has_no_budget_for_that_family():
    session([('32.0.0.0', 3), ('128.0.0.0', 2), ('3000::', 4)], reroute4=True, remote=True,
            expect=['0.0.0.0/1', '128.0.0.0/1', '32.0.0.0/3', '128.0.0.0/2'],
            refused=['3000::/4'])
    session([('32.0.0.0', 3), ('3000::', 4), ('2400::', 6)], reroute6=True, remote=True,
            expect=['::/1', '8000::/1', '3000::/4', '2400::/6'], refused=['32.0.0.0/3'])

    be.stop()
    assert n.dump() == before, 'the namespace changed'
    uplink.close()


t.main()
