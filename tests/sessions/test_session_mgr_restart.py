# SPDX-License-Identifier: GPL-2.0-or-later
"""The session manager dies (SIGKILL) and comes back without anyone noticing
(services/sessionmgr/README.md "Restart"), with the real backend client and a
real openvpn 2.6 server (tests/lib/ovpn3server.py): a connected session of
user A, shared with B, whose log A follows (LogForward), passes traffic; the
session manager is killed while its backend client is stopped (SIGSTOP), so
that the outage lasts: traffic still passes; the next session manager
(activated) waits for the recorded session: a list call waits, a forged
re-registration (the service user, another connection) is refused; the
backend client resumes and is taken back: the list answers with the same
path, owner, ACL, status and creation time, SESS_CREATED is sent again, the
LogForward subscriber still gets the session's log. Killed again, the
session manager is brought back by the backend client itself (activation).
Disconnect then leaves nothing, and a new session works right after."""

import json
import os
import signal
import subprocess
import threading

import dbus

import ovpn3server as lab
import ovpn3test as t
import e2elab

t.require_devbus()
bus = t.system_bus()
a, b = t.USER_A, t.USER_B
IFACE = lab.SESSIONS_IFACE
STATE_DIR = '/run/ovpn3/sessionmgr'
STATE_FILE = STATE_DIR + '/sessions.json'
PROPS = ('owner', 'acl', 'public_access', 'restrict_log_access', 'status', 'session_created',
         'config_path', 'config_name', 'backend_pid')
journal = t.Journal()
events = t.Signals(bus, signal_name='SessionManagerEvent', dbus_interface=IFACE,
                   path=t.SESSIONS_PATH)

# A LogForward subscriber of user A that stays on the bus: prints each signal
# the log service forwards for the session as a JSON line.
SUBSCRIBER = r'''
import json, sys, dbus
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib
DBusGMainLoop(set_as_default=True)
bus = dbus.SystemBus()
path = sys.argv[1]
def on(*args, member=None, sender=None):
    print(json.dumps([str(member)] + [str(a) for a in args]), flush=True)
bus.add_signal_receiver(on, dbus_interface='net.openvpn.v3.backends', path=path,
                        member_keyword='member', sender_keyword='sender')
bus.call_blocking('net.openvpn.v3.sessions', path, 'net.openvpn.v3.sessions', 'LogForward',
                  'b', (True,))
print('ready', flush=True)
GLib.MainLoop().run()
'''


def props(path):
    return {k: t.get_property(bus, t.SESSIONS_NAME, path, IFACE, k) for k in PROPS}


def kill_sessionmgr():
    """SIGKILL; waits until its connection left the bus (the name may have a new owner
    already: the backend client activates it again)."""
    old = bus.get_name_owner(t.SESSIONS_NAME)
    os.kill(t.name_pid(bus, t.SESSIONS_NAME), signal.SIGKILL)
    t.wait_until(lambda: not t.name_has_owner(bus, old), what='%s to leave the bus' % old)


def listed(user):
    return t.run_as(user, lambda bus: t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, IFACE,
                                             'FetchAvailableSessions'))


def test_server_lab_is_up():
    global srv, text
    srv = lab.ServerLab('ovpn3-sessmgr-restart-')
    t.cleanup(srv.close)
    text = lab.profile_text(srv.pki)


def start_subscriber(path):
    global sub, sub_lines
    pw = __import__('pwd').getpwnam(a)
    sub = subprocess.Popen(['/usr/bin/setpriv', '--reuid=%d' % pw.pw_uid,
                            '--regid=%d' % pw.pw_gid, '--init-groups', '/usr/bin/python3',
                            '-c', SUBSCRIBER, path], stdout=subprocess.PIPE, text=True)
    t.cleanup(lambda: (sub.kill(), sub.wait()))
    sub_lines = []
    threading.Thread(target=lambda: sub_lines.extend(iter(sub.stdout.readline, '')),
                     daemon=True).start()
    t.wait_until(lambda: 'ready\n' in sub_lines, what='the LogForward subscriber')


def test_a_shared_connected_session_whose_log_is_followed_passes_traffic():
    global path, dev, backend_pid, before
    path, _elapsed, _seen, info = t.run_as(a, lab.cli_session_start, 'restart', text,
                                           lab.USERNAME, lab.PASSWORD, timeout=120, fresh=True)
    dev, backend_pid = info['device_name'], int(info['backend_pid'])
    t.call_as(a, t.SESSIONS_NAME, path, IFACE, 'AccessGrant', t.uid_of(b), signature='u')
    start_subscriber(path)
    assert lab.ping(dev), 'no traffic through the tunnel'
    before = props(path)
    assert before['acl'] == [t.uid_of(b)], before


def test_the_state_file_is_the_service_users_and_private():
    st, dst = os.stat(STATE_FILE), os.stat(STATE_DIR)
    uid = t.uid_of(t.service_user())
    assert (st.st_uid, st.st_mode & 0o777) == (uid, 0o600), (st.st_uid, oct(st.st_mode))
    assert (dst.st_uid, dst.st_mode & 0o777) == (uid, 0o700), (dst.st_uid, oct(dst.st_mode))
    with open(STATE_FILE) as f:
        [record] = json.load(f)['sessions']
    assert record['path'] == path and record['backend_pid'] == backend_pid, record
    assert record['acl'] == [t.uid_of(b)] and len(record['log_forwards']) == 1, record


def forge_registration(bus_, owner, backend_pid):
    """The service user, from another connection, claims the backend client's session."""
    msg = dbus.lowlevel.SignalMessage('/net/openvpn/v3/backends/session',
                                      'net.openvpn.v3.backends', 'RegistrationRequest')
    msg.set_destination(owner)
    msg.append('net.openvpn.v3.backends.be%d' % backend_pid, 'forged-token',
               dbus.Int32(backend_pid), signature='ssi')
    bus_.send_message(msg)
    bus_.flush()
    return bus_.get_unique_name()


def test_killed_while_its_backend_is_stopped_the_tunnel_goes_on_and_lists_wait():
    global pending, session_call
    session_call = []
    os.kill(backend_pid, signal.SIGSTOP)
    t.cleanup(lambda: os.kill(backend_pid, signal.SIGCONT) if os.path.exists(
        '/proc/%d' % backend_pid) else None)
    events.received.clear()
    kill_sessionmgr()
    assert lab.ping(dev), 'traffic stopped while the session manager was gone'
    # activated again (a property read does not wait for the recorded sessions)
    t.get_property(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, IFACE, 'version')
    pending = []
    bus.call_async(t.SESSIONS_NAME, t.SESSIONS_PATH, IFACE, 'FetchAvailableSessions', '', (),
                   lambda r: pending.append([str(p) for p in r]),
                   lambda e: pending.append(e), timeout=30)
    # so does a call on the session's own object (it is not exported yet)
    bus.call_async(t.SESSIONS_NAME, path, t.PROPS, 'Get', 'ss', (IFACE, 'owner'),
                   lambda r: session_call.append(int(r)),
                   lambda e: session_call.append(e), timeout=30)
    owner = bus.get_name_owner(t.SESSIONS_NAME)
    forger = t.run_as(t.service_user(), forge_registration, owner, backend_pid)
    journal.wait_for(lambda e: 'Ignoring a RegistrationRequest from %s' % forger
                     in e.get('MESSAGE', ''))
    # the journal wait ran the main loop: the list is still waiting for the session
    assert pending == [] and session_call == [], (pending, session_call)
    assert lab.ping(dev), 'traffic stopped while the session manager waited'


def test_the_resumed_backend_client_is_taken_back_as_it_was():
    os.kill(backend_pid, signal.SIGCONT)
    t.wait_until(lambda: pending and session_call, what='the calls held back')
    assert pending[0] == [path], pending
    assert session_call == [before['owner']], session_call
    events.wait_for([path, lab.SESS_CREATED, before['owner']])
    assert props(path) == before, (props(path), before)
    assert listed(a) == [path] and listed(b) == [path]
    assert lab.ping(dev), 'no traffic after the session was taken back'


def test_the_log_forward_subscriber_still_gets_the_sessions_log():
    t.wait_until(lambda: [l for l in sub_lines if 'taken back by the session manager' in l],
                 what='the backend client\'s log line through the log proxy')
    forwards = t.run_as(a, lambda bus: t.get_property(bus, t.SESSIONS_NAME, path, IFACE,
                                                      'log_forwards'))
    assert len(forwards) == 1, forwards


def test_killed_again_the_backend_client_brings_it_back():
    events.received.clear()
    kill_sessionmgr()
    # nobody else calls: the backend client activates the session manager
    events.wait_for([path, lab.SESS_CREATED, before['owner']])
    assert props(path) == before
    assert lab.ping(dev), 'no traffic after the second restart'


def test_disconnect_leaves_nothing_and_a_new_session_works():
    t.call_as(a, t.SESSIONS_NAME, path, IFACE, 'Disconnect')
    events.wait_for([path, 2, before['owner']])
    e2elab.assert_clean(srv.resolv_before)
    with open(STATE_FILE) as f:
        assert json.load(f)['sessions'] == []
    path2, _elapsed, _seen, info = t.run_as(a, lab.cli_session_start, 'restart2', text,
                                            lab.USERNAME, lab.PASSWORD, timeout=120, fresh=True)
    assert lab.ping(info['device_name']), 'no traffic through the new session'
    t.call_as(a, t.SESSIONS_NAME, path2, IFACE, 'Disconnect')
    e2elab.assert_clean(srv.resolv_before)



def restart_with_state(text, owner, mode):
    """The session manager restarted over a state file of this text, owner and mode."""
    kill_sessionmgr()
    with open(STATE_FILE, 'w') as f:
        f.write(text)
    os.chown(STATE_FILE, owner, -1)
    os.chmod(STATE_FILE, mode)
    return t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, IFACE, 'FetchAvailableSessions')


def test_a_foreign_or_bad_state_file_is_ignored():
    svc = t.uid_of(t.service_user())
    record = {'path': path, 'config_path': '/net/openvpn/v3/configuration/x',
              'backend_unique_name': ':1.1', 'backend_pid': 1}
    one = json.dumps({'version': 1, 'sessions': [record]})
    cases = [(one, 0, 0o644, 'owned by uid 0, not by us'),
             (one, svc, 0o640, 'readable by group or others'),
             ('{"version": 1, "sessions": [', svc, 0o600, 'Ignoring the session state'),
             (one, svc, 0o600, 'ignoring session 0')]
    for text_, owner, mode, warning in cases:
        seen = t.service_log().count(warning)
        # answered at once: nothing recorded is awaited
        assert restart_with_state(text_, owner, mode) == [], text_
        t.wait_until(lambda: t.service_log().count(warning) > seen,
                     what='the warning %r' % warning)

t.main()
