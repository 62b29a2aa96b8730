# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg's own state (the device record and the resolv.conf backup) is out
of reach of every other process of the service user (docs/architecture.md §6 and
docs/security.md §9), and
what netcfg recovers after its own crash is only what it made itself.

The admin (root, this test) has two tun devices netcfg did not make (one
named like netcfg's, ovpn3z5), static routes through the uplink
(IPv4 and IPv6, proto static like netcfg's) and an /etc/resolv.conf. A
backend establishes a device with a server route and resolv.conf DNS.

1. As the service user: list, read, replace or plant netcfg's state
   files (the current ones and the names netcfg used before), read
   netcfg's descriptors through /proc: each is refused (permission). It
   can still SIGKILL netcfg (same uid); after the restart (its creator
   killed too) the legitimately recorded device is gone, the admin's devices and routes are untouched
   and /etc/resolv.conf is the original again.
2. As the service user: move the whole state directory aside (its parent,
   the runtime directory, is the service user's) and put a directory of
   its own there with well-formed forged records, then SIGKILL netcfg.
   netcfg refuses that directory (not root's), touches nothing of the
   admin's, and does not write the forged backup into resolv.conf; once
   root puts the real directory back, the next start recovers from it.

Failures are collected and listed at the end (so that one run shows
everything that does not hold)."""

import json
import os
import pwd
import signal
import time

import dbus

import ovpn3test as t
import netcfgtest as n
import netcfgstore as s

t.require_devbus()
bus = t.system_bus()
uplink = n.Uplink()
su = t.service_user()
STATE_DIR = s.STATE_DIR
ASIDE = STATE_DIR + '.aside'
FOREIGN = STATE_DIR + '.foreign'
ORIGINAL = b'# original\nnameserver 192.0.2.53\nsearch home.example\n'
PLANTED = b'# planted by the service user\nnameserver 192.0.2.66\n'
ADMIN_TUNS = ('ovpn3z5', 'admtun0')
ADMIN_ROUTES = (('-4', '192.0.2.128/25', n.UPLINK_GW4), ('-6', '2001:db8:77::/48', n.UPLINK_GW6))

failures = []
T0 = time.monotonic()


def check(ok, what):
    print('%6.1fs %s %s' % (time.monotonic() - T0, 'ok    ' if ok else 'FAILED', what), flush=True)
    if not ok:
        failures.append(what)


def read_resolv():
    with open('/etc/resolv.conf', 'rb') as f:
        return f.read()


def admin_route_present(family, dst):
    return any(r.get('dst') == dst and r.get('dev') == n.UPLINK_DEV
               for r in n.ipj(family, 'route', 'show', 'table', 'main'))


def admin_setup():
    for dev in ADMIN_TUNS:
        if not n.link_exists(dev):
            n.ip('tuntap', 'add', 'dev', dev, 'mode', 'tun')
    for family, dst, gw in ADMIN_ROUTES:
        if not admin_route_present(family, dst):
            n.ip(family, 'route', 'add', dst, 'via', gw, 'dev', n.UPLINK_DEV, 'proto', 'static')


def admin_intact(when):
    for dev in ADMIN_TUNS:
        check(n.link_exists(dev), '%s: the admin\'s tun device %s is still there' % (when, dev))
    for family, dst, _gw in ADMIN_ROUTES:
        check(admin_route_present(family, dst),
              '%s: the admin\'s static route %s is still there' % (when, dst))


def forged():
    """Files a service-user process would like netcfg to find: the admin's
    devices and routes as netcfg's own, and a resolv.conf backup of its
    own, in netcfg's current format (well-formed, a generation beyond
    netcfg's, 'written' matching what resolv.conf holds now) and in the
    plain files netcfg used before."""
    devices = [{'name': dev, 'path': '/net/openvpn/v3/netcfg/1_' + dev,
                'ifindex': n.ipj('link', 'show', dev)[0]['ifindex'], 'dns': 'resolvconf',
                'uplink_routes': [
                    {'dst': '192.0.2.128', 'prefix': 25, 'gateway': n.UPLINK_GW4,
                     'oif': uplink.ifindex, 'metric': -1},
                    {'dst': '2001:db8:77::', 'prefix': 48, 'gateway': n.UPLINK_GW6,
                     'oif': uplink.ifindex, 'metric': -1}]}
               for dev in ADMIN_TUNS]
    out = {'netcfg-state.json': json.dumps({'version': 1, 'devices': devices}).encode(),
           'resolv.conf.backup': PLANTED}
    state = s.state_payload(devices)
    backup = s.backup_payload(PLANTED, [read_resolv()])
    for gen, name in enumerate(s.files(s.DEVICES)):
        out[name] = s.encode(s.DEVICES, 10 ** 9 + gen, state)
    for gen, name in enumerate(s.files(s.RESOLV_BACKUP)):
        out[name] = s.encode(s.RESOLV_BACKUP, 10 ** 9 + gen, backup)
    return out


def attempt(out, what, fn):
    try:
        fn()
        out[what] = 'done'
    except OSError as e:
        out[what] = 'refused (%s)' % os.strerror(e.errno)


def write_private(path, data):
    """As netcfg would have written it: 0600, the writer's own."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)


def attack_in_place(_bus, files, netcfg_pid):
    """As the service user: every way at the files where they are."""
    out = {}
    attempt(out, 'list ' + STATE_DIR, lambda: os.listdir(STATE_DIR))
    for name in sorted(files):
        path = os.path.join(STATE_DIR, name)
        attempt(out, 'read ' + name, lambda p=path: open(p, 'rb').read())
    for name, data in sorted(files.items()):
        path = os.path.join(STATE_DIR, name)

        def plant(p=path, d=data):
            write_private(p, d)           # replaces it, or creates it
        attempt(out, 'write ' + name, plant)
        attempt(out, 'remove ' + name, lambda p=path: os.unlink(p))
        attempt(out, 'plant ' + name, plant)
    attempt(out, 'list netcfg\'s descriptors', lambda: os.listdir('/proc/%d/fd' % netcfg_pid))
    for fd in range(3, 16):
        attempt(out, 'open netcfg\'s fd %d' % fd,
                lambda fd=fd: os.close(os.open('/proc/%d/fd/%d' % (netcfg_pid, fd), os.O_RDONLY)))
    return out


def attack_swap(_bus, files):
    """As the service user: a state directory of its own in netcfg's place."""
    out = {}
    attempt(out, 'move %s aside' % STATE_DIR, lambda: os.rename(STATE_DIR, ASIDE))
    if out['move %s aside' % STATE_DIR] == 'done':
        os.mkdir(STATE_DIR, 0o700)
        for name, data in files.items():
            write_private(os.path.join(STATE_DIR, name), data)
    return out


def kill_as_service_user(pid):
    t.run_as(su, lambda _bus: os.kill(pid, signal.SIGKILL))
    t.wait_until(lambda: n.process_gone(pid), what='netcfg (pid %d) to exit' % pid)
    t.wait_name_gone(bus, n.NETCFG)


def wait_gone(dev):
    try:
        t.wait_until(lambda: not n.link_exists(dev), timeout=10,
                     what='device %s removed' % dev)
    except AssertionError:
        pass
    return not n.link_exists(dev)


def establish(be):
    path = be.create('ovpn3s', layer=3)
    name = be.get(path, 'device_name')
    be.call(path, 'AddIPAddress', '10.8.0.2', dbus.UInt32(24), '', False, signature='susb')
    be.call(path, 'SetRemoteAddress', n.SERVER_V4, False, signature='sb')
    be.set(path, 'reroute_ipv4', True)
    be.call(path, 'AddDNS', dbus.Array(['10.8.0.53'], signature='s'), signature='as')
    be.set(path, 'dns_scope', 'tunnel')
    be.call(path, 'Establish')
    assert read_resolv() != ORIGINAL
    return name


def report(title, outcomes, expect_refused):
    print('%s:' % title)
    for what, how in sorted(outcomes.items()):
        print('  %-48s %s' % (what, how))
    for what in expect_refused:
        how = outcomes.get(what, 'not tried')
        check(how.startswith('refused (Permission denied)')
              or how.startswith('refused (Operation not permitted)'),
              'the service user cannot %s (%s)' % (what, how))


with open('/etc/resolv.conf', 'wb') as f:
    f.write(ORIGINAL)
admin_setup()
before = n.dump()
be = n.Backend()


# ---- 1: at the files in place ---------------------------------------------
def test_forged_files_in_place_do_not_mislead_netcfg():
    global name
    name = establish(be)
    pid = n.netcfg_pid(bus)
    st = os.stat(STATE_DIR)
    print('%s: uid %d mode %o' % (STATE_DIR, st.st_uid, st.st_mode & 0o7777))
    files = forged()
    out = t.run_as(su, attack_in_place, files, pid)
    report('1. the service user at the state files', out,
           ['list ' + STATE_DIR] + ['read ' + f for f in sorted(files)]
           + ['write ' + f for f in sorted(files)] + ['remove ' + f for f in sorted(files)]
           + ['plant ' + f for f in sorted(files)] + ['list netcfg\'s descriptors'])
    kill_as_service_user(pid)
    check(n.link_exists(name), 'the device %s outlived netcfg (SIGKILL)' % name)
    be.kill()   # a live creator's device would be adopted (test_netcfg_adopt.py)
    n.ensure_netcfg(bus)
    check(wait_gone(name), 'the next start removed the recorded device %s' % name)
    admin_intact('after the restart')
    got = read_resolv()
    check(got == ORIGINAL, '/etc/resolv.conf is the original again (got %r)' % got[:60])
    check(got != PLANTED, '/etc/resolv.conf is not the planted backup')


# ---- 2: a directory of its own in netcfg's place ---------------------------
def test_own_directory_in_netcfgs_place_does_not_mislead_netcfg():
    global name, be
    be = n.Backend()
    admin_setup()
    name = establish(be)
    written = read_resolv()
    pid = n.netcfg_pid(bus)
    out = t.run_as(su, attack_swap, forged())
    report('2. the service user swaps the state directory', out, [])
    kill_as_service_user(pid)
    be.kill()
    n.ensure_netcfg(bus)
    admin_intact('after a restart with a forged directory')
    got = read_resolv()
    check(got != PLANTED, '/etc/resolv.conf is not the forged backup (got %r)' % got[:60])
    if out.get('move %s aside' % STATE_DIR) == 'done':
        check(got == written, '/etc/resolv.conf is left as netcfg wrote it')
        # netcfg said why it does not use that directory (on stderr before the
        # bus connection, then in its log)
        said = 'the state directory %s belongs to uid %d' % (STATE_DIR, pwd.getpwnam(su).pw_uid)
        try:
            t.wait_until(lambda: t.service_log().count(said) >= 2, timeout=10,
                         what='the refusal in the log')
            check(True, 'netcfg said why it refuses the directory: %s ...' % said)
        except AssertionError:
            check(False, 'netcfg said why it refuses the directory: %s ...' % said)
        # root puts the real one back: the next start recovers from it
        os.rename(STATE_DIR, FOREIGN)
        os.rename(ASIDE, STATE_DIR)
        n.stop_netcfg(bus, signal.SIGKILL)
        n.ensure_netcfg(bus)
        check(wait_gone(name), 'with its own directory back, netcfg removed %s' % name)
        got = read_resolv()
        check(got == ORIGINAL, 'and /etc/resolv.conf is the original again (got %r)' % got[:60])
        admin_intact('after the recovery from the real directory')


# an orderly stop removes what is left; nothing else changed
def test_orderly_stop_removes_what_is_left():
    n.stop_netcfg(bus, signal.SIGTERM)
    check(wait_gone(name), 'netcfg removed %s when stopped' % name)
    admin_setup()
    check(n.dump() == before, 'the namespace is as before (admin\'s things included)')
    check(read_resolv() == ORIGINAL, '/etc/resolv.conf is the original at the end')
    be.stop()
    uplink.close()
    assert not failures, '%d check(s) failed:\n  %s' % (len(failures), '\n  '.join(failures))


t.main()
