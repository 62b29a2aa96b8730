#!/usr/bin/python3
"""Persistent profiles survive a service restart with all their properties;
corrupt and foreign state files are logged and left in place, never deleted."""
import json
import os
import signal

import dbus

import ovpn3test as t
from cfgtest import BUS, IFACE, get, import_profile, mgr_call, obj_call, set_

t.require_devbus()
bus = t.system_bus()
STATE = '/var/lib/ovpn3/configs'


def test_set_up_persistent_sealed_and_temporary_profiles():
    global before, fetched, gone, keep, sealed
    keep = import_profile(bus, 'keep', persistent=True)
    obj_call(bus, keep, 'AddTag', 'kept', signature='s')
    grantee = t.pwd.getpwnam(t.USER_B).pw_uid
    obj_call(bus, keep, 'AccessGrant', grantee, signature='u')
    obj_call(bus, keep, 'SetOverride', 'dns-scope', 'global', signature='sv')
    set_(bus, keep, 'locked_down', dbus.Boolean(True))
    sealed = import_profile(bus, 'sealed', persistent=True)
    obj_call(bus, sealed, 'Seal')
    gone = import_profile(bus, 'temporary', persistent=False)
    before = {p: t.call(bus, BUS, p, t.PROPS, 'GetAll', IFACE, signature='s') for p in (keep, sealed)}
    fetched = obj_call(bus, keep, 'Fetch')


# a corrupt file and a file owned by someone else, both with valid names
def test_write_corrupt_foreign_and_root_owned_state_files():
    global corrupt, foreign, rootfile
    svc = t.service_user()
    import pwd
    pw = pwd.getpwnam(svc)
    corrupt = os.path.join(STATE, '11111111x2222x3333x4444x555555555555.json')
    with open(corrupt, 'w') as f:
        f.write('{"object_path": "/net/openvpn/v3/configuration/1111')
    os.chown(corrupt, pw.pw_uid, pw.pw_gid)
    os.chmod(corrupt, 0o600)
    foreign = os.path.join(STATE, '66666666x2222x3333x4444x555555555555.json')
    data = json.load(open(os.path.join(STATE, keep.rsplit('/', 1)[1] + '.json')))
    data['object_path'] = '/net/openvpn/v3/configuration/66666666x2222x3333x4444x555555555555'
    data['profile']['plugin'] = ['/tmp/evil.so']
    with open(foreign, 'w') as f:
        json.dump(data, f)
    os.chown(foreign, pw.pw_uid, pw.pw_gid)
    os.chmod(foreign, 0o600)
    rootfile = os.path.join(STATE, '77777777x2222x3333x4444x555555555555.json')
    data['object_path'] = '/net/openvpn/v3/configuration/77777777x2222x3333x4444x555555555555'
    del data['profile']['plugin']
    with open(rootfile, 'w') as f:
        json.dump(data, f)
    os.chmod(rootfile, 0o600)   # owned by root, not by the service user

    t.kill_service(bus, BUS, signal.SIGTERM)


# the next call activates it again and everything persistent is back
def test_restart_restores_persistent_ignores_bad_files():
    paths = mgr_call(bus, 'FetchAvailableConfigs')
    assert sorted(paths) == sorted([keep, sealed]), paths
    for p in (keep, sealed):
        after = t.call(bus, BUS, p, t.PROPS, 'GetAll', IFACE, signature='s')
        assert after == before[p], (p, before[p], after)
    assert obj_call(bus, keep, 'Fetch') == fetched
    assert get(bus, sealed, 'readonly') is True
    assert gone not in paths
    for f in (corrupt, foreign, rootfile):
        assert os.path.exists(f), f
    log = t.service_log()
    assert 'Ignoring state file %s' % corrupt in log, log[-2000:]
    assert 'Ignoring state file %s' % foreign in log and "'plugin' is not allowed" in log
    assert 'Ignoring state file %s' % rootfile in log


# a change after the restart is saved again (a second restart keeps it)
def test_change_after_restart_is_saved_again():
    obj_call(bus, keep, 'RemoveTag', 'kept', signature='s')
    t.kill_service(bus, BUS, signal.SIGTERM)
    assert get(bus, keep, 'tags') == []


t.main()
