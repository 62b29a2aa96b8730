#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Another local user floods the session manager with RegistrationRequests
carrying the victim's very token (handed to the test by slow_client.py, as if
stolen) and guessed ones, while the victim's NewTunnel is waiting for its
backend client: the victim's NewTunnel still succeeds (nothing is marked
before a request passed every check), and the journal gets a bounded number
of refusal lines (once per sender and minute, 20 a minute in all)."""

import os
import subprocess
import sys
import time

import ovpn3test as t

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sessions'))
import sesstest as s  # noqa: E402

WORK = '/run/ovpn3-flood'
FLOOD = 2000
FLOODER = r'''
import os, sys, time
import dbus, dbus.lowlevel
work, n = sys.argv[1], int(sys.argv[2])
while not os.path.exists(work + '/token'):
    time.sleep(0.005)
token = open(work + '/token').read()
bus = dbus.SystemBus()
owner = bus.call_blocking('org.freedesktop.DBus', '/org/freedesktop/DBus',
                          'org.freedesktop.DBus', 'GetNameOwner', 's', ('net.openvpn.v3.sessions',))
for i in range(n):
    # the stolen token as ourselves, as the victim's client, and guessed ones
    tok = token if i % 2 == 0 else '%08xt0000t0000t0000t%012x' % (i, i)
    pid = os.getpid() if i % 4 < 2 else 1
    msg = dbus.lowlevel.SignalMessage('/net/openvpn/v3/backends/session',
                                      'net.openvpn.v3.backends', 'RegistrationRequest')
    msg.set_destination(owner)
    msg.append('net.openvpn.v3.backends.be%d' % pid, tok, dbus.Int32(pid), signature='ssi')
    bus.send_message(msg)
bus.flush()
print('sent', n, 'as', bus.get_unique_name(), flush=True)
'''


t.require_devbus()


def test_new_tunnel_succeeds_during_a_flood_of_forged_registrations():
    os.makedirs(WORK)
    os.chmod(WORK, 0o1777)
    cfg = s.import_profile(t.USER_A, 'flood-victim')
    journal = t.Journal()
    flooder = subprocess.Popen(
        ['/usr/bin/setpriv', '--reuid=' + t.USER_B, '--regid=' + t.USER_B, '--init-groups',
         '/usr/bin/python3', '-c', FLOODER, WORK, str(FLOOD)],
        stdout=subprocess.PIPE, text=True)
    started = time.monotonic()
    path = s.start_session(t.USER_A, cfg)
    took = time.monotonic() - started
    out, _ = flooder.communicate(timeout=t.CEILING)
    assert flooder.returncode == 0, out
    print('victim NewTunnel succeeded in %.2f s during the flood: %s; %s'
          % (took, path, out.strip()))
    assert s.session_get(t.USER_A, path, 'owner') == t.uid_of(t.USER_A)
    time.sleep(1)
    refusals = [e for e in journal.entries()
                if 'Ignoring a RegistrationRequest' in str(e.get('MESSAGE', ''))]
    print('%d forged requests -> %d journal lines' % (FLOOD, len(refusals)))
    for e in refusals[:3]:
        print('  ' + e['MESSAGE'])
    assert 1 <= len(refusals) <= 20, len(refusals)
    s.session_call(t.USER_A, path, 'Disconnect')


t.main()
