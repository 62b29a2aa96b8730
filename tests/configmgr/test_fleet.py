#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Fleet profiles (README.md "Fleets"): NAME.ovpn (+ NAME.conf) in the
profiles directory (devbus puts a fresh tmpfs on it) become root-owned,
persistent, read-only profiles at start; bad modes, owners and lines are
refused with the file (and line) while the others load; SIGHUP and Reload
pick up new, changed and removed files (same path for the same NAME, a
running session is not closed); a session of a fleet profile starts; the
autostart generator links ovpn3-session@NAME.service for autostart=true."""
import grp
import os
import signal
import subprocess
import tempfile

import dbus

import ovpn3test as t
from cfgtest import A, ACCESS_DENIED, B, BUS, GDBUSPP, IFACE, MGR, PROFILE, get, mgr_call, obj_call

t.require_devbus()
bus = t.system_bus()
cfg = t._devbus_config()['devbus']
DIR = cfg['profilesdir']
STATE = os.path.join(cfg['statedir'], 'configs')
SVC_GID = t.pwd.getpwnam(t.service_user()).pw_gid
SESSIONS_IFACE = 'net.openvpn.v3.sessions'
MANAGED = 'is managed from %s/work.ovpn' % DIR

WORK_CONF = """[profile]
name=Work VPN
tags=fleet;office
acl-users=%s
acl-groups=%s
public-access=false

[overrides]
dns-scope=tunnel
auth-fail-retry=false
""" % (A, B)


def put(name, text, mode=0o640, uid=0, gid=None):
    path = os.path.join(DIR, name)
    with open(path, 'w') as f:
        f.write(text)
    os.chown(path, uid, SVC_GID if gid is None else gid)
    os.chmod(path, mode)
    return path


def lookup(name):
    return mgr_call(bus, 'LookupConfigName', name, signature='s')


def reload():
    return mgr_call(bus, 'Reload')


def fleet_paths():
    return sorted(p for p in mgr_call(bus, 'FetchAvailableConfigs'))


def test_files_written_before_configmgr_starts():
    assert not t.name_has_owner(bus, BUS)
    assert oct(os.stat(DIR).st_mode & 0o7777) == oct(0o750)
    put('work.ovpn', PROFILE)
    put('work.conf', WORK_CONF)
    put('plain.ovpn', PROFILE)
    put('bad-mode.ovpn', PROFILE, mode=0o644)
    put('bad-owner.ovpn', PROFILE, uid=t.uid_of(A))
    lines = PROFILE.splitlines()
    lines.insert(4, 'plugin /tmp/evil.so')
    put('bad-line.ovpn', '\n'.join(lines) + '\n')
    put('bad-conf.ovpn', PROFILE)
    put('bad-conf.conf', '[profile]\ncolour=blue\n')
    put('bad-auto.ovpn', PROFILE)
    put('bad-auto.conf', '[profile]\nname=Other\nautostart=true\n')
    put('boot.ovpn', PROFILE)
    put('boot.conf', '[profile]\nautostart=true\n')
    put('README', 'not a profile')


def test_good_profiles_loaded_owned_by_root_read_only():
    global work, plain, boot
    [work] = lookup('Work VPN')
    [plain] = lookup('plain')
    [boot] = lookup('boot')
    assert fleet_paths() == sorted([work, plain, boot]), fleet_paths()
    assert get(bus, work, 'owner') == 0
    assert get(bus, work, 'persistent') is True
    assert get(bus, work, 'readonly') is True
    assert get(bus, work, 'single_use') is False
    assert sorted(get(bus, work, 'tags')) == ['fleet', 'office']
    assert get(bus, work, 'overrides') == {'dns-scope': 'tunnel', 'auth-fail-retry': False}
    # acl-groups: ovpn3-test-b's own group, whose only member is its primary one
    assert grp.getgrnam(B).gr_mem == []
    assert sorted(get(bus, work, 'acl')) == sorted([t.uid_of(A), t.uid_of(B)])
    assert get(bus, work, 'public_access') is False
    assert get(bus, plain, 'acl') == [] and get(bus, plain, 'tags') == []
    # the ACL works: a user on it fetches the profile, one not on it does not see plain
    assert 'remote 192.0.2.1 1194' in t.call_as(B, BUS, work, IFACE, 'Fetch')
    t.expect_error(lambda: t.call_as(A, BUS, plain, IFACE, 'Fetch'), ACCESS_DENIED)
    # nothing goes to the state directory
    assert os.listdir(STATE) == [] if os.path.isdir(STATE) else True


def test_bad_files_refused_with_file_and_line():
    log = t.service_log()
    for name in ('bad-mode', 'bad-owner', 'bad-line', 'bad-conf', 'bad-auto'):
        assert 'Fleet profile refused: %s/%s.' % (DIR, name) in log, (name, log[-3000:])
    refused = reload()
    assert len(refused) == 5, refused
    by = {r.split(':', 1)[0]: r for r in refused}
    assert 'mode 0644' in by[DIR + '/bad-mode.ovpn'], refused
    assert 'owner %d' % t.uid_of(A) in by[DIR + '/bad-owner.ovpn'], refused
    assert "line 5: 'plugin' is not allowed" in by[DIR + '/bad-line.ovpn'], refused
    assert "unknown key 'colour'" in by[DIR + '/bad-conf.conf'], refused
    assert 'autostart=true needs name=bad-auto' in by[DIR + '/bad-auto.conf'], refused
    assert fleet_paths() == sorted([work, plain, boot])


def test_every_change_over_dbus_is_refused_naming_the_file():
    changes = [('Remove', (), ''), ('Seal', (), ''), ('AddTag', ('x',), 's'),
               ('RemoveTag', ('fleet',), 's'), ('SetOverride', ('dns-scope', 'global'), 'sv'),
               ('UnsetOverride', ('dns-scope',), 's'), ('AccessGrant', (0,), 'u'),
               ('AccessRevoke', (t.uid_of(A),), 'u'), ('SetOption', ('a', 'b'), 'ss')]
    for method, args, sig in changes:
        t.expect_error(lambda: obj_call(bus, work, method, *args, signature=sig), GDBUSPP,
                       MANAGED)
    for prop, value in (('name', dbus.String('x')), ('public_access', dbus.Boolean(True)),
                        ('locked_down', dbus.Boolean(True)), ('dco', dbus.Boolean(True))):
        t.expect_error(lambda: t.set_property(bus, BUS, work, IFACE, prop, value), None, MANAGED)
    t.expect_error(lambda: mgr_call(bus, 'TransferOwnership', work, t.uid_of(A), signature='ou'),
                   GDBUSPP, MANAGED)
    assert get(bus, work, 'name') == 'Work VPN' and get(bus, work, 'owner') == 0
    assert 'remote 192.0.2.1 1194' in obj_call(bus, work, 'Fetch')


def test_reload_is_for_root_and_manage_others():
    t.expect_error(lambda: t.call_as(A, BUS, MGR, IFACE, 'Reload'), ACCESS_DENIED)
    t.polkit_allow('net.openvpn.v3.manage-others')
    assert len(t.call_as(A, BUS, MGR, IFACE, 'Reload')) == 5
    t.polkit_deny_all()


def test_a_session_of_a_fleet_profile_starts():
    global session
    session = t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, SESSIONS_IFACE, 'NewTunnel', work,
                     signature='o')
    assert t.get_property(bus, t.SESSIONS_NAME, session, SESSIONS_IFACE, 'owner') == 0
    assert t.get_property(bus, t.SESSIONS_NAME, session, SESSIONS_IFACE,
                          'config_name') == 'Work VPN'
    # the backend client fetched it: a use, counted in memory, never written
    t.wait_until(lambda: get(bus, work, 'used_count') == 1, what='the use by the backend')
    assert not os.path.isdir(STATE) or os.listdir(STATE) == []


def test_sighup_picks_up_new_changed_and_removed_files():
    put('work.conf', WORK_CONF.replace('tags=fleet;office', 'tags=moved')
        .replace('name=Work VPN', 'name=Work VPN 2'))
    put('new.ovpn', PROFILE)
    os.unlink(os.path.join(DIR, 'plain.ovpn'))
    os.chmod(os.path.join(DIR, 'bad-mode.ovpn'), 0o640)
    os.kill(t.name_pid(bus, BUS), signal.SIGHUP)
    t.wait_until(lambda: lookup('new') != [], what='new.ovpn loaded after SIGHUP')
    assert lookup('Work VPN 2') == [work]          # changed in place, same path
    assert get(bus, work, 'tags') == ['moved']
    assert get(bus, work, 'used_count') == 1
    assert lookup('plain') == [] and plain not in fleet_paths()
    assert len(lookup('bad-mode')) == 1
    assert len(reload()) == 4


def test_removed_file_leaves_the_running_session():
    os.unlink(os.path.join(DIR, 'work.ovpn'))
    reload()
    assert work not in fleet_paths()
    assert session in t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, SESSIONS_IFACE,
                             'FetchAvailableSessions')
    st = t.get_property(bus, t.SESSIONS_NAME, session, SESSIONS_IFACE, 'status')
    assert tuple(st[:2]) == (2, 4), st   # still waiting for credentials
    t.call(bus, t.SESSIONS_NAME, session, SESSIONS_IFACE, 'Disconnect')


def test_same_path_after_a_restart():
    put('work.ovpn', PROFILE)
    t.kill_service(bus, BUS, signal.SIGTERM)
    assert lookup('Work VPN 2') == [work]


def test_generator_links_autostart_profiles():
    gen = os.path.join(os.environ['OVPN3_BUILDDIR'], 'services', 'configmgr',
                       'ovpn3-autostart-generator')
    put('new.conf', '[profile]\nautostart=false\n')
    put('bad-mode.conf', '[profile]\nautostart=true\n')
    os.chmod(os.path.join(DIR, 'bad-mode.ovpn'), 0o644)
    with tempfile.TemporaryDirectory() as out:
        r = subprocess.run([gen, out, out + '/early', out + '/late'], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        assert r.returncode == 0, r.stdout
        assert 'bad-mode: not started at boot: %s/bad-mode.ovpn: refused' % DIR in r.stdout
        assert 'bad-auto: not started at boot: %s/bad-auto.conf: autostart=true needs' % DIR \
            in r.stdout
        wants = os.path.join(out, 'multi-user.target.wants')
        assert os.listdir(wants) == ['ovpn3-session@boot.service'], os.listdir(wants)
        target = os.readlink(os.path.join(wants, 'ovpn3-session@boot.service'))
        assert target.endswith('/ovpn3-session@.service'), target
    print('# generator output: %s' % r.stdout.strip().replace('\n', ' | '))


t.main()
