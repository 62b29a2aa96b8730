#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile engine (docs/security.md §2): tests/security/
hostile_engine.py runs in openvpn's place, started by real sessions through
the real services. A victim session (user B) waits with its management
socket open; an attacker session (user A) tries every attack of issue 12's
list, then plays openvpn so that netcfg brings its tun up and writes router
advertisements into it, and leaves a process behind.

  test_hostile_engine.py engine        every attack must be refused; the
                                       leftover process blocks its uid's reuse
  test_hostile_engine.py service-user  (OVPN3_TEST_ENGINE_AS_SERVICE_USER=1)
                                       the attacks that only the uid
                                       separation stops must succeed: the test
                                       knows it bites

Prints, per attack, what happened and the defence that stopped it."""

import fcntl
import json
import os
import pwd
import signal
import subprocess
import sys
import time

import ovpn3test as t

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sessions'))
import sesstest as s  # noqa: E402

WORK = '/run/ovpn3-hostile'
BUS = 'no bus connection for an engine uid (no user entry)'
PROFILE = s.PROFILE.replace('auth-user-pass\n', '')
DEFENCES = {
    'read the state directory': 'statedir 0700, service user only',
    'list the runtime directory': 'runtimedir 0711: engines may pass, not list',
    'read netcfg\'s state': 'runtimedir/netcfg 0700, root only',
    'read the engine uid locks': 'runtimedir/engines 0700, service user only',
    'read /proc/PID/mem of the victim\'s backend client':
        'another uid, and every service is non-dumpable',
    'read /proc/PID/environ of the victim\'s backend client':
        'another uid, and every service is non-dumpable',
    'read /proc/PID/mem of the victim\'s engine': 'another engine uid',
    'find the victim\'s registration token in /proc':
        'the token goes through an inherited descriptor, never argv or environ',
    'setresuid to the victim engine\'s uid': 'no capabilities (all sets 0, NO_NEW_PRIVS)',
    'unshare a user namespace': 'seccomp filter: CLONE_NEWUSER refused',
    'connect to the victim\'s management socket':
        'socket directory 0710, group = the victim engine\'s gid',
    'signal the session manager': 'another uid, no CAP_KILL',
    'signal the victim\'s backend client': 'another uid, no CAP_KILL',
    # engines cannot even connect: dbus-daemon admits no uid without a user
    # entry; behind that, the D-Bus policy and the services' own checks
    'Fetch another user\'s profile': BUS + ', then configmgr\'s ACL',
    'own a backend client\'s bus name (be<N>)': BUS + ', then own_prefix for the service user',
    'forge a RegistrationRequest':
        BUS + ', then sessionmgr: unknown token / not the process StartClient started',
    'AssignSession to the victim\'s session': BUS + ', then the log policy: service user only',
    'netcfg CreateVirtualInterface': BUS + ', then netcfg: service user and root only',
    'netcfg FetchInterfaceList': BUS + ', then netcfg: service user and root only',
}
# what only the uid separation stops: with the engine as the service user
# these must succeed, or the test does not know that it bites
# (netcfg's state is out of reach of the service user too: root's, docs/architecture.md §6)
UID_ONLY = ['read the state directory', 'list the runtime directory',
            'read the engine uid locks', 'read /proc/PID/mem of the victim\'s engine',
            'connect to the victim\'s management socket', 'signal the session manager',
            'signal the victim\'s backend client']


def read_json(name):
    with open(os.path.join(WORK, name)) as f:
        return json.load(f)


def proc_uid(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('Uid:'):
                return int(line.split()[1])
    return None


def processes_of(uid):
    out = []
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                if proc_uid(int(pid)) == uid:
                    out.append(int(pid))
            except OSError:
                pass
    return out


def name_pid(bus, name):
    return int(t.call(bus, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                      'GetConnectionUnixProcessID', name, signature='s'))


def start(user, cfg):
    path = s.start_session(user, cfg)
    s.session_call(user, path, 'Ready')
    s.session_call(user, path, 'Connect')
    return path


def check_status(status, mode):
    print('engine /proc/self/status: %s' % json.dumps(status))
    svc = pwd.getpwnam(t.service_user()).pw_uid
    uid = int(status['Uid'][0])
    for cap in ('CapInh', 'CapPrm', 'CapEff', 'CapAmb'):
        assert status[cap] == ['0000000000000000'], (cap, status[cap])
    assert status['NoNewPrivs'] == ['1'], status['NoNewPrivs']
    assert status['Seccomp'] == ['2'], status['Seccomp']
    if mode == 'engine':
        first, last = t.engine_uid_range()
        assert first <= uid <= last and uid != svc, uid
        assert set(status['Uid']) == {str(uid)} and set(status['Gid']) == {str(uid)}, status
        assert status['Groups'] == [], status['Groups']
    else:
        assert uid == svc, uid


t.require_devbus()
t.require_test_switches()
mode = sys.argv[1]
assert mode in ('engine', 'service-user'), mode
if mode == 'service-user':
    assert os.environ.get('OVPN3_TEST_ENGINE_AS_SERVICE_USER') == '1'
bus = t.system_bus()
os.makedirs(WORK)
os.chmod(WORK, 0o1777)
journal = t.Journal()
a, b = t.USER_A, t.USER_B
vcfg = t.call_as(b, t.CONFIG_NAME, t.CONFIG_PATH, s.CONFIG_IFACE, 'Import', 'victim',
                 PROFILE, False, True, signature='ssbb')
acfg = s.import_profile(a, 'attacker', PROFILE)


# the victim: its engine waits with the management socket open
def test_victim_engine_waits_with_its_management_socket_open():
    global client_pid, vpath
    vpath = start(b, vcfg)
    t.wait_until(lambda: os.path.exists(os.path.join(WORK, 'victim.json')),
                 what='the victim engine')
    victim = read_json('victim.json')
    client_pid = int(s.session_get(b, vpath, 'backend_pid'))
    targets = {
        'statedir': '/var/lib/ovpn3', 'runtimedir': '/run/ovpn3',
        'victim_config': vcfg, 'victim_session': vpath, 'victim_mgmt': victim['mgmt'],
        'victim_engine_pid': victim['pid'], 'victim_engine_uid': victim['uid'],
        'victim_client_pid': client_pid,
        'victim_client_bus_name': 'net.openvpn.v3.backends.be%d' % client_pid,
        'sessionmgr_pid': name_pid(bus, t.SESSIONS_NAME),
    }
    with open(os.path.join(WORK, 'targets.json'), 'w') as f:
        json.dump(targets, f)
    os.chmod(os.path.join(WORK, 'targets.json'), 0o644)


# the attacker
def test_hostile_engines_attacks_are_refused():
    global apath, failures, report
    apath = start(a, acfg)
    t.wait_until(lambda: os.path.exists(os.path.join(WORK, 'report.json')), 60,
                 'the attacker engine\'s report')
    report = read_json('report.json')
    check_status(report['status'], mode)

    failures = []
    print('\n%-55s %-9s %s' % ('attack (%s mode)' % mode, 'outcome', 'detail / defence'))
    for r in report['attacks']:
        name, outcome = r['attack'], r['outcome']
        if name == 'forge a RegistrationRequest' and report['unique_name']:
            unique = report['unique_name']
            refused = journal.wait_for(lambda e: 'Ignoring a RegistrationRequest from %s'
                                       % unique in str(e.get('MESSAGE', '')))
            outcome = 'refused'
            r['detail'] = refused['MESSAGE']
        defence = DEFENCES.get(name, '?')
        print('%-55s %-9s %s\n%55s           -> %s' % (name, outcome, r['detail'][:120], '',
                                                     defence if outcome == 'refused' else ''))
        if mode == 'engine' and outcome != 'refused':
            failures.append('%s: %s' % (name, r['detail']))
        if mode == 'service-user' and name in UID_ONLY and outcome != 'succeeded':
            failures.append('%s was refused without uid separation: the test does not bite (%s)'
                            % (name, r['detail']))
    missing = set(DEFENCES) - {r['attack'] for r in report['attacks']}
    assert not missing, 'attacks not tried: %s' % missing
    if mode == 'service-user':
        # the socket was reachable without uid separation, but the victim's
        # client still took only its own openvpn (SO_PEERCRED uid and pid)
        t.wait_until(lambda: 'management connection refused: peer uid' in t.service_log(),
                     what='the victim client refusing the connection')
        print('%-55s %-9s %s' % ('... and talk to the victim\'s client through it', 'refused',
                                 'SO_PEERCRED: the peer is not the victim\'s openvpn'))


# the router advertisements written into the attacker's own tun, once up
def test_router_advertisements_into_its_own_tun_change_nothing():
    dev = report['dev']
    assert report.get('ra_sent') == 5, report
    time.sleep(2)
    routes = json.loads(subprocess.run(['ip', '-6', '-j', 'route', 'show', 'dev', dev],
                                       stdout=subprocess.PIPE, text=True).stdout or '[]')
    addrs = json.loads(subprocess.run(['ip', '-6', '-j', 'addr', 'show', 'dev', dev,
                                       'scope', 'global'], stdout=subprocess.PIPE,
                                      text=True).stdout or '[]')
    global_addrs = [x for i in addrs for x in i.get('addr_info', [])]
    print('%-55s %-9s routes %s, global addresses %s\n%55s           -> %s'
          % ('router advertisements into its own tun', 'refused' if not routes and not global_addrs
             else 'succeeded', routes, global_addrs, '',
             'netcfg: accept_ra 0, autoconf 0, no address generation before link up'))
    if routes or global_addrs:
        failures.append('the RA added %s %s' % (routes, global_addrs))


def leftover_blocks_reuse(bus, user, report):
    """The attacker left a process of its engine uid behind; with its backend
    client gone (SIGKILL: no clean-up) that uid must not be handed out. The
    test holds the locks of every lower uid, so that the leftover's uid is the
    first candidate."""
    uid = int(report['status']['Uid'][0])
    with open('/proc/%d/stat' % report['pid']) as f:
        client = int(f.read().rsplit(')', 1)[1].split()[1])
    os.kill(client, signal.SIGKILL)
    t.wait_until(lambda: client not in s.backend_processes(), what='the killed client to go')
    left = processes_of(uid)
    assert left, 'no process of uid %d was left behind' % uid
    held = []
    first, _ = t.engine_uid_range()
    for lower in range(first, uid):
        fd = os.open('/run/ovpn3/engines/%d.lock' % lower, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pass  # a live session holds it: busy all the same
        held.append(fd)
    try:
        cfg = s.import_profile(user, 'after-leftover', PROFILE)
        start(user, cfg)
        t.wait_until(lambda: [n for n in os.listdir(WORK) if n.startswith('plain-')], 30,
                     'the next engine')
    finally:
        for fd in held:
            os.close(fd)
    plain = read_json([n for n in os.listdir(WORK) if n.startswith('plain-')][0])
    print('%-55s %-9s uid %d left (pids %s); the next session got uid %d\n%55s           -> %s'
          % ('reuse a uid that has a process left', 'refused' if plain['uid'] != uid
             else 'succeeded', uid, left, plain['uid'], '',
             'a uid is handed out only if no process of it is left (getpriority PRIO_USER)'))
    assert plain['uid'] != uid, (plain, uid)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# the victim's session is undisturbed by the forged registrations
def test_victim_undisturbed_leftover_uid_not_reused_no_attack_got_through():
    assert s.session_get(b, vpath, 'backend_pid') == client_pid

    if mode == 'engine':
        leftover_blocks_reuse(bus, a, report)
    open(os.path.join(WORK, 'done'), 'w').close()
    for path, user in ((apath, a), (vpath, b)):
        try:
            s.session_call(user, path, 'Disconnect')
        except t.CallError:
            pass
    assert not failures, 'attacks that were not stopped:\n  ' + '\n  '.join(failures)
    print('\nok: %s mode' % mode)


t.main()
