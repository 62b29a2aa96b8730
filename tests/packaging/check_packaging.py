# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks of the generated packaging files (suite 'packaging').

  check_packaging.py busconfig FILE
      (after creating the service user if missing, as scripts/devbus does)
      dbus-daemon's own parser accepts the policy file (unknown elements or
      attributes are errors there; the busconfig DTD shipped by Debian is the
      2003 one and rejects every real policy file, system.conf included).
  check_packaging.py activation FILE NAME USER UNIT EXEC
      GKeyFile parses it; [D-BUS Service] has exactly Name, Exec, User,
      SystemdService with these values; the file is named NAME.service.
  check_packaging.py unit FILE
      `systemd-analyze verify` on the unit in a temporary root (host units +
      ours + stand-in executables at the ExecStart path), with no warning at
      all; it must fail when the executable is missing; and the offline
      `systemd-analyze security` exposure stays within the unit's budget.
  check_packaging.py syscalls FILE
      the unit's SystemCallFilter= lines, expanded with systemd-analyze
      syscall-filter and applied in order, allow every system call the
      service is known to make (NEEDED_SYSCALLS).
  check_packaging.py sysusers SYSUSERS TMPFILES USER RUNTIMEDIR
      systemd-sysusers --root=<tmp> creates the system user (nologin), then
      systemd-tmpfiles --root=<tmp> --create makes the runtime dirs it owns.
  check_packaging.py polkit-rules FILE USER
      the rules file names the user and the six resolve1 actions, has no
      unsubstituted @VARIABLES@ and balanced brackets.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

import gi
gi.require_version('GLib', '2.0')
from gi.repository import GLib  # noqa: E402

# Exposure budget per unit (systemd-analyze security, 0 = best, 10 = worst).
EXPOSURE_BUDGET = {
    'ovpn3-log.service': 1.0,
    'ovpn3-configmgr.service': 1.0,
    'ovpn3-sessionmgr.service': 1.0,
    # CAP_SETUID/CAP_SETGID (ambient) and the set*id calls: each session's
    # openvpn runs under an engine uid of its own (docs/security.md §3)
    'ovpn3-backendstart.service': 2.5,
    'ovpn3-netcfg.service': 3.0,
}


def fail(msg):
    raise AssertionError(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


def busconfig(path):
    # The policy names the service user, which a fresh machine does not have
    # yet (on an installed system the sysusers.d file makes it before the
    # bus reads the policy): make it the way every devbus run does.
    src = os.environ.get('OVPN3_SOURCEDIR') or os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.realpath(__file__))))
    subprocess.run([os.path.join(src, 'scripts', 'devbus'), 'users'], check=True)
    with tempfile.TemporaryDirectory(prefix='ovpn3-busconfig-') as tmp:
        conf = os.path.join(tmp, 'bus.conf')
        with open(conf, 'w') as f:
            f.write('<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"\n'
                    ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">\n'
                    '<busconfig><type>system</type><listen>unix:path=%s/s</listen>'
                    '<auth>EXTERNAL</auth><policy context="default"><allow user="*"/></policy>'
                    '<include>%s</include></busconfig>\n' % (tmp, os.path.abspath(path)))
        p = subprocess.Popen(['dbus-daemon', '--config-file=' + conf, '--nofork', '--nopidfile',
                              '--nosyslog', '--print-address=1'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = p.stdout.readline()
        finally:
            p.terminate()
            _, err = p.communicate(timeout=30)
        check(line.startswith('unix:'), 'dbus-daemon refused %s: %s' % (path, err.strip()))
        # Warnings about the file also count.
        bad = [ln for ln in err.splitlines() if 'fd limit' not in ln]
        check(not bad, 'dbus-daemon complained about %s: %s' % (path, bad))
    print('%s: accepted by dbus-daemon' % path)


def activation(path, name, user, unit, exec_line):
    kf = GLib.KeyFile()
    kf.load_from_file(path, GLib.KeyFileFlags.NONE)
    check(kf.get_groups()[0] == ['D-BUS Service'], 'groups: %s' % kf.get_groups()[0])
    keys = sorted(kf.get_keys('D-BUS Service')[0])
    check(keys == ['Exec', 'Name', 'SystemdService', 'User'], 'keys: %s' % keys)
    got = {k: kf.get_string('D-BUS Service', k) for k in keys}
    want = {'Name': name, 'Exec': exec_line, 'User': user, 'SystemdService': unit}
    check(got == want, 'values:\n%s\nwant\n%s' % (got, want))
    check(os.path.basename(path) == name + '.service', 'file name %s' % path)
    check(os.path.isabs(exec_line.split()[0]), 'Exec is not absolute')
    print('%s: %s' % (path, got))


def unit(path):
    name = os.path.basename(path)
    settings = {}
    with open(path) as f:
        for line in f:
            if '=' in line and not line.startswith('#'):
                k, v = line.rstrip('\n').split('=', 1)
                settings.setdefault(k, []).append(v)
    exec_path = settings['ExecStart'][0].split()[0]
    for key, want in (('Type', 'dbus'), ('NoNewPrivileges', 'yes'), ('ProtectSystem', 'strict'),
                      ('ProtectHome', 'yes'), ('PrivateTmp', 'yes')):
        check(settings.get(key) == [want], '%s: %s=%s' % (name, key, settings.get(key)))
    check(settings.get('BusName', [''])[0].startswith('net.openvpn.v3.'), 'BusName')
    check('CapabilityBoundingSet' in settings, 'no CapabilityBoundingSet')

    with tempfile.TemporaryDirectory(prefix='ovpn3-unit-') as root:
        os.makedirs(root + '/usr/lib/systemd')
        shutil.copytree('/lib/systemd/system', root + '/usr/lib/systemd/system', symlinks=True)
        os.makedirs(root + '/etc/systemd/system')
        shutil.copy(path, root + '/etc/systemd/system/' + name)
        argv = ['systemd-analyze', 'verify', '--man=no', '--root=' + root,
                '/etc/systemd/system/' + name]

        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(r.returncode != 0 and 'not executable' in r.stdout,
              'verify did not notice the missing executable: %s' % r.stdout)

        os.makedirs(root + os.path.dirname(exec_path), exist_ok=True)
        with open(root + exec_path, 'w') as f:
            f.write('#!/bin/sh\n')
        os.chmod(root + exec_path, 0o755)
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(r.returncode == 0 and r.stdout.strip() == '',
              'systemd-analyze verify %s (status %d):\n%s' % (name, r.returncode, r.stdout))

        r = subprocess.run(['systemd-analyze', 'security', '--offline=yes', '--root=' + root,
                            '--no-pager', '/etc/systemd/system/' + name],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        m = re.search(r'Overall exposure level for \S+: ([0-9.]+)', r.stdout)
        check(m is not None, 'no exposure level:\n' + r.stdout)
        level = float(m.group(1))
        check(level <= EXPOSURE_BUDGET[name],
              '%s exposure %.1f > budget %.1f:\n%s' % (name, level, EXPOSURE_BUDGET[name], r.stdout))
    print('%s: verify clean, exposure %.1f (budget %.1f)' % (name, level, EXPOSURE_BUDGET[name]))


def sysusers(sysusers_file, tmpfiles_file, user, runtimedir):
    with tempfile.TemporaryDirectory(prefix='ovpn3-sysusers-') as root:
        os.makedirs(root + '/etc')
        r = subprocess.run(['systemd-sysusers', '--root=' + root, sysusers_file],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(r.returncode == 0, 'systemd-sysusers: ' + r.stdout)
        entry = None
        with open(root + '/etc/passwd') as f:
            for line in f:
                fields = line.rstrip('\n').split(':')
                if fields[0] == user:
                    entry = fields
        check(entry is not None, '%s not created in %s/etc/passwd' % (user, root))
        uid, gid = int(entry[2]), int(entry[3])
        check(0 < uid < 1000, 'not a system uid: %d' % uid)
        check(entry[6] in ('/usr/sbin/nologin', '/sbin/nologin'), 'shell %s' % entry[6])
        with open(root + '/etc/group') as f:
            check(any(line.split(':')[0] == user for line in f), 'no group %s' % user)

        r = subprocess.run(['systemd-tmpfiles', '--root=' + root, '--create', tmpfiles_file],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(r.returncode == 0, 'systemd-tmpfiles: ' + r.stdout)
        # netcfg's own state is root's (docs/architecture.md §6: out of reach of the
        # service user's other processes; netcfg opens it before the drop)
        for sub, mode, owner in (('', 0o711, (uid, gid)), ('/netcfg', 0o700, (0, 0)),
                                 ('/engines', 0o700, (uid, gid))):
            st = os.stat(root + runtimedir + sub)
            check((st.st_uid, st.st_gid) == owner and st.st_mode & 0o7777 == mode,
                  '%s%s: %d:%d %o' % (runtimedir, sub, st.st_uid, st.st_gid, st.st_mode & 0o7777))
    print('%s created (uid %d), %s owned by it, %s/netcfg by root'
          % (user, uid, runtimedir, runtimedir))


def polkit_rules(path, user):
    with open(path) as f:
        text = f.read()
    check(not re.search(r'@[A-Z_]+@', text), 'unsubstituted variable')
    check('subject.user == "%s"' % user in text, 'user %s not named' % user)
    for action in ('set-dns-servers', 'set-domains', 'set-default-route', 'set-dnssec',
                   'set-dns-over-tls', 'revert'):
        check('"org.freedesktop.resolve1.%s"' % action in text, 'missing ' + action)
    code = re.sub(r'//.*', '', text)
    for a, b in ('()', '[]', '{}'):
        check(code.count(a) == code.count(b), 'unbalanced %s%s' % (a, b))
    check('polkit.Result.YES' in code and 'polkit.addRule(' in code, 'no rule')
    print('%s: ok' % path)


# System calls each service (and, for backendstart, the backend clients and
# the engine children it forks) is known to make beyond the usual ones: a
# unit's SystemCallFilter= must allow every one (docs/security.md §3; ~@privileged
# would forbid the switch to an engine uid).
NEEDED_SYSCALLS = {
    'ovpn3-log.service': {'prctl'},
    'ovpn3-configmgr.service': {'prctl'},
    'ovpn3-sessionmgr.service': {'prctl'},
    'ovpn3-backendstart.service': {
        'prctl', 'seccomp', 'setresuid', 'setresgid', 'setgroups', 'setfsgid', 'capset',
        'getpriority', 'kill', 'flock', 'memfd_create', 'fcntl', 'clone', 'vfork', 'execve',
        'wait4', 'socket', 'ioctl', 'setsockopt'},
    'ovpn3-netcfg.service': {
        'prctl', 'capset', 'capget', 'setresuid', 'setresgid', 'setgroups', 'ioctl', 'socket',
        'sendmsg', 'recvmsg',
        # its state, rewritten in place through descriptors opened as root
        'mkdir', 'openat', 'fchmod', 'unlinkat', 'pread64', 'pwrite64', 'ftruncate', 'fdatasync'},
}


def syscall_groups():
    """{'@group': [members…]} from systemd-analyze syscall-filter."""
    out = subprocess.run(['systemd-analyze', 'syscall-filter', '--no-pager'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         check=True).stdout
    groups, current = {}, None
    for line in out.splitlines():
        if line.startswith('@'):
            current = groups.setdefault(line.split()[0], [])
        elif current is not None and line.strip() and not line.strip().startswith('#'):
            current.append(line.split()[0])
    return groups


def expand(names, groups, seen=None):
    seen = set() if seen is None else seen
    out = set()
    for n in names:
        if n.startswith('@'):
            if n not in seen:
                seen.add(n)
                out |= expand(groups.get(n, []), groups, seen)
        else:
            out.add(n)
    return out


def syscalls(path):
    """The unit's SystemCallFilter= lines, applied in order as systemd does
    (the first decides allow- or deny-list; later ones add or remove), must
    allow every call the service makes."""
    name = os.path.basename(path)
    groups = syscall_groups()
    everything = expand(['@known'], groups) | expand([g for g in groups], groups)
    allowed = None
    with open(path) as f:
        for line in f:
            if not line.startswith('SystemCallFilter='):
                continue
            value = line.split('=', 1)[1].strip()
            deny = value.startswith('~')
            items = expand(value.lstrip('~').split(), groups)
            if allowed is None:
                # systemd always lets the basics through (@default)
                allowed = (everything - items) if deny else (items | expand(['@default'], groups))
            elif deny:
                allowed -= items
            else:
                allowed |= items
    check(allowed is not None, '%s: no SystemCallFilter=' % name)
    missing = sorted(NEEDED_SYSCALLS[name] - allowed)
    check(not missing, '%s: SystemCallFilter= denies %s, which the service calls' % (name, missing))
    print('%s: SystemCallFilter= allows the %d calls the service needs'
          % (name, len(NEEDED_SYSCALLS[name])))


if __name__ == '__main__':
    # one TAP case: the check named on the command line, on its files
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
    import ovpn3tap
    kind, args = sys.argv[1], sys.argv[2:]
    check_fn = {'busconfig': busconfig, 'activation': activation, 'unit': unit,
                'sysusers': sysusers, 'polkit-rules': polkit_rules, 'syscalls': syscalls}[kind]
    globals()['test_' + kind.replace('-', '_')] = lambda: check_fn(*args)
    ovpn3tap.main()
