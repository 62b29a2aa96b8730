# SPDX-License-Identifier: GPL-2.0-or-later
"""netcfg starts as root (devbus: like its unit, bounding set NET_ADMIN,
SETUID, SETGID, SETPCAP, no-new-privs) and runs as the service user with
CAP_NET_ADMIN only; it refuses to run with more (or without
CAP_NET_ADMIN) unless given the --keep-privileges test switch."""

import pwd
import subprocess

import ovpn3test as t
import netcfgtest as n

CAP_NET_ADMIN = 1 << 12

t.require_devbus()
bus = t.system_bus()
user = t.service_user()
pw = pwd.getpwnam(user)
binary = t.service_binary('netcfg')


def status(pid):
    out = {}
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            k, v = line.split(':', 1)
            out[k] = v.strip()
    return out


def test_runs_as_service_user_with_only_cap_net_admin():
    pid = n.ensure_netcfg(bus)
    st = status(pid)
    assert st['Uid'].split() == [str(pw.pw_uid)] * 4, st['Uid']
    assert st['Gid'].split() == [str(pw.pw_gid)] * 4, st['Gid']
    assert st['Groups'] == '', st['Groups']
    assert int(st['CapEff'], 16) == CAP_NET_ADMIN, st['CapEff']
    assert int(st['CapPrm'], 16) == CAP_NET_ADMIN, st['CapPrm']
    assert int(st['CapInh'], 16) == 0, st['CapInh']
    assert int(st['CapBnd'], 16) == 0, st['CapBnd']
    assert int(st['CapAmb'], 16) == 0, st['CapAmb']


# and the bus sees the service user, not root
def test_bus_sees_the_service_user():
    uid = bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                            'GetConnectionUnixUser', 's', (n.NETCFG,))
    assert uid == pw.pw_uid, uid


def run(argv, timeout=20):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=timeout)
    return r.returncode, r.stdout


# it can still do its job (create a device) with just that
def test_creates_a_device_with_just_that():
    be = n.Backend()
    path = be.create('ovpn3p', layer=3)
    assert n.link_exists(be.get(path, 'device_name'))
    be.call(path, 'Destroy')
    be.stop()


# more than CAP_NET_ADMIN: refused
def test_more_than_cap_net_admin_refused():
    rc, out = run(['setpriv', '--reuid', user, '--regid', str(pw.pw_gid), '--clear-groups',
                   '--bounding-set', '-all,+net_admin,+net_raw',
                   '--inh-caps', '+net_admin,+net_raw', '--ambient-caps', '+net_admin,+net_raw',
                   '--', binary, '--idle-exit', '1'])
    assert rc == 1 and 'refusing to run with capability' in out and 'net_raw' in out, (rc, out)


# without CAP_NET_ADMIN: refused
def test_without_cap_net_admin_refused():
    rc, out = run(['setpriv', '--reuid', user, '--regid', str(pw.pw_gid), '--clear-groups',
                   '--bounding-set', '-all', '--', binary, '--idle-exit', '1'])
    assert rc == 1 and 'CAP_NET_ADMIN is missing' in out, (rc, out)


# root that cannot change its uid: refused, never runs as root
def test_root_that_cannot_change_its_uid_refused():
    rc, out = run(['setpriv', '--bounding-set', '-all,+net_admin', '--inh-caps', '-all', '--',
                   binary, '--idle-exit', '1'])
    assert rc == 1 and 'cannot change to' in out, (rc, out)


# the documented test switch: runs with what it was given (root here)
def test_keep_privileges_switch_runs_with_what_it_was_given():
    t.kill_service(bus, n.NETCFG)
    proc = subprocess.Popen([binary, '--keep-privileges', '--idle-exit', '0',
                             '--state-dir', '/run/ovpn3/netcfg'],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        t.wait_for_name(bus, n.NETCFG)
        assert t.name_pid(bus, n.NETCFG) == proc.pid
        assert status(proc.pid)['Uid'].split()[1] == '0'
    finally:
        proc.terminate()
        out = proc.communicate(timeout=20)[0]
    assert '--keep-privileges given' in out, out


t.main()
