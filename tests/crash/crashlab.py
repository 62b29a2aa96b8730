# SPDX-License-Identifier: GPL-2.0-or-later
"""The crash matrix of issue 14 (docs/architecture.md §2): one process is
SIGKILLed at each stage of a session, against a real openvpn 2.6 server
(tests/lib/ovpn3server.py), inside scripts/devbus. One meson test per killed
process (test_crash.py <process>); each stage is one TAP case that prints
its cell of the matrix:

    # crash-matrix: <process> | <stage> | <result>

    lab = crashlab.CrashLab('netcfg')     # one server lab for the whole row
    lab.cell('connected')                 # for each of crashlab.STAGES, in order

Stages: NewTunnel in flight (the log service is SIGSTOPped, so the new
backend client waits for it and sessionmgr for the client; for the
backendstart row, backendstart is SIGSTOPped with StartClient sent to it),
waiting for input (CFG_REQUIRE_USER), connecting (the server holds its
authentication answer: openvpn runs, not connected), connected, paused,
disconnecting (openvpn is SIGSTOPped after Disconnect, so the client waits
for it to exit). The rule each cell checks:
- a killed service (log, configmgr, sessionmgr, backendstart, netcfg): the
  session stays listed, its status readable, the tunnel passes traffic (after
  Resume / the credentials / the server's answer where the stage needs
  them) and Disconnect ends it; an in-flight NewTunnel answers a session or
  a clear error, never hangs;
- a killed log service: besides, a LogForward subscriber of the session from
  before the kill is served again (the session manager asks the new log
  service for its proxy, the backend client assigns its session again) and a
  new LogForward works; both hear from the session before its end;
- a killed backend client or openvpn: the session ends with a final
  StatusChange (seen on the bus by a monitor connection: it is addressed to
  the log service), also forwarded to a LogForward subscriber of the
  session, and SESS_DESTROYED; a client killed while NewTunnel is in flight
  fails it at once (its exit is seen on a pidfd, or its connection's end),
  never with the start bound's "did not register in time";
- always: nothing left (client/openvpn process, tun, route, resolv.conf
  entry, runtime directory with its socket), the persistent profile still
  there, and a new session on it connects, passes traffic and disconnects.
A process that does not exist yet at a stage is "n/a" (the case checks that
it does not exist then)."""

import os
import signal
import sys
import time

import dbus

import ovpn3server as lab
import ovpn3test as t

sys.path.insert(0, os.path.join(os.environ.get('OVPN3_SOURCEDIR', '.'), 'tests', 'sessions'))
import sesstest as s  # noqa: E402 (tests/sessions helpers, reused)
from e2elab import assert_clean, openvpn_clients, openvpn_of  # noqa: E402

SERVICES = {'log': t.LOG_NAME, 'configmgr': t.CONFIG_NAME, 'sessionmgr': t.SESSIONS_NAME,
            'backendstart': t.BACKENDS_NAME, 'netcfg': t.NETCFG_NAME}
STAGES = ['newtunnel_in_flight', 'waiting_for_input', 'connecting', 'connected', 'paused',
          'disconnecting']
CONNECTED = (2, 7)
PAUSED = (2, 14)
REQUIRE_USER = (2, 4)
NO_REPLY = 'org.freedesktop.DBus.Error.NoReply'
# CFG_ERROR, CONN_DISCONNECTED, CONN_FAILED, CONN_DONE, PROC_STOPPED, PROC_KILLED
FINAL_MINORS = (1, 9, 10, 16, 28, 29)


class BusMonitor:
    """A monitor connection (BecomeMonitor, as root) that records every
    StatusChange, addressed to the log service whoever may be listening, as
    (sender, path, major, minor) in .seen, and counts StartClient calls."""

    def __init__(self):
        self.bus = t.system_bus()
        self.seen = []
        self.start_client_calls = 0
        self.bus.add_message_filter(self._on_message)
        rules = ["type='signal',member='StatusChange'", "type='method_call',member='StartClient'"]
        t.call(self.bus, 'org.freedesktop.DBus', '/org/freedesktop/DBus',
               'org.freedesktop.DBus.Monitoring', 'BecomeMonitor',
               dbus.Array(rules, signature='s'), dbus.UInt32(0), signature='asu')

    def _on_message(self, _conn, msg):
        if msg.get_member() == 'StartClient':
            self.start_client_calls += 1
        elif msg.get_member() == 'StatusChange' and msg.get_signature() == 'uus':
            args = msg.get_args_list()
            self.seen.append((str(msg.get_sender()), str(msg.get_path()), int(args[0]),
                              int(args[1])))

    def final_of(self, senders, paths):
        for sender, path, major, minor in self.seen:
            if (sender in senders or path in paths) and minor in FINAL_MINORS:
                return (major, minor)
        return None


class Session:
    """A live session of root on the lab's profile."""

    def __init__(self, crash, path):
        self.path = path
        self.bus = crash.bus
        self.backend_pid = self.get('backend_pid')
        self.backend_name = crash.owner('net.openvpn.v3.backends.be%d' % self.backend_pid)
        self.dev = None

    def call(self, method, *args, signature=None):
        return t.call(self.bus, t.SESSIONS_NAME, self.path, s.SESSIONS_IFACE, method, *args,
                      signature=signature)

    def get(self, prop):
        return t.get_property(self.bus, t.SESSIONS_NAME, self.path, s.SESSIONS_IFACE, prop)

    def status(self):
        return tuple(self.get('status')[:2])

    def wait_status(self, want, timeout=60):
        started = time.monotonic()
        t.wait_until(lambda: self.status() == want, timeout, 'status %r' % (want,))
        if time.monotonic() - started > 5:
            print('status %r after %.1f s' % (want, time.monotonic() - started))

    def credentials(self):
        s.provide_credentials('root', self.path, lab.USERNAME, lab.PASSWORD)
        self.call('Ready')

    def connect(self):
        self.call('Connect')
        self.wait_status(CONNECTED)
        self.dev = self.get('device_name')

    def openvpn_pid(self):
        return t.wait_until(lambda: openvpn_of(self.backend_pid), 20, 'openvpn of the session')


class CrashLab:
    def __init__(self, process):
        self.process = process
        self.bus = t.system_bus()
        self.events = s.Events(self.bus)
        self.monitor = BusMonitor()
        self.srv = lab.ServerLab('ovpn3-crash-', extra=['--duplicate-cn'])
        t.cleanup(self.srv.close)
        self.cfg = t.call(self.bus, t.CONFIG_NAME, t.CONFIG_PATH, s.CONFIG_IFACE, 'Import',
                          'crash-' + process, lab.profile_text(self.srv.pki), False, True,
                          signature='ssbb')
        self.held = None      # a connected session left by the last cell
        self.followers = []   # connections of LogForward subscribers (follow_log)
        self.log_check = None  # (session path, subscribers) to hear from after the log crash

    # ---- helpers ----------------------------------------------------------

    def service_pid(self, name):
        """PID of a service, activated first if it is not running."""
        t.call(self.bus, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
               'StartServiceByName', name, dbus.UInt32(0), signature='su')
        return t.name_pid(self.bus, name)

    def owner(self, name):
        try:
            return str(self.bus.get_name_owner(name))
        except dbus.exceptions.DBusException:
            return None

    def kill_service(self, name=None, pid=None):
        """SIGKILL a service (found through the bus) and wait until its
        connection is gone (its name may be activated again at once)."""
        name = name or SERVICES[self.process]
        old = self.owner(name)
        os.kill(pid or self.service_pid(name), signal.SIGKILL)
        t.wait_until(lambda: self.owner(name) != old, 20, name + ' to lose its owner')

    def new_session(self):
        path, _ = s.new_tunnel_ordered(self.bus, self.cfg)
        return Session(self, path)

    def connected_session(self):
        sess = self.new_session()
        sess.credentials()
        sess.connect()
        assert lab.ping(sess.dev), 'no traffic through the new session'
        return sess

    def disconnect(self, sess):
        sess.call('Disconnect')
        self.events.wait_for(sess.path, s.SESS_DESTROYED)
        if self.log_check is not None and self.log_check[0] == sess.path:
            for name, sigs, seen in self.log_check[1]:
                t.wait_until(lambda: len(sigs.received) > seen, 10,
                             'the session\'s log forwarded to the %s subscriber' % name)
            self.log_check = None

    def assert_controllable(self, sess, status):
        """Listed by FetchAvailableSessions, and its status readable and `status`."""
        listed = t.call(self.bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                        'FetchAvailableSessions')
        assert sess.path in listed, (sess.path, listed)
        assert sess.status() == status, (sess.status(), status)

    def follow_log(self, sess):
        """A LogForward subscriber of the session on a connection of its own: the
        signals the log service forwards to it (t.Signals)."""
        conn = t.system_bus()
        self.followers.append(conn)
        sigs = t.Signals(conn, dbus_interface='net.openvpn.v3.backends', path=sess.path)
        t.call(conn, t.SESSIONS_NAME, sess.path, s.SESSIONS_IFACE, 'LogForward', True,
               signature='b')
        return sigs

    def try_follow_log(self, sess):
        try:
            return self.follow_log(sess)
        except t.CallError as e:
            print('LogForward: %s' % e)
            return None

    def close_followers(self):
        for conn in self.followers:
            conn.close()
        self.followers = []

    def assert_ended(self, sess):
        self.events.wait_for(sess.path, s.SESS_DESTROYED)
        assert s.object_gone(self.bus, sess.path), sess.path

    def assert_nothing_left(self):
        runtime = '/run/ovpn3'
        dirs = [d for d in os.listdir(runtime) if d.startswith('client-')] \
            if os.path.isdir(runtime) else []
        # a backend client SIGKILLed just now may still be exiting: the runtime directory it
        # cannot remove may stay once its process is gone (one still there after 20 s fails)
        t.wait_until(lambda: all(t.process_gone(d.split('-')[1]) for d in dirs), 20,
                     'the backend clients of %s to be gone' % dirs)
        dead = [d for d in dirs if os.path.isdir(os.path.join(runtime, d))]
        assert_clean(self.srv.resolv_before, may_remain=dead)
        configs = t.call(self.bus, t.CONFIG_NAME, t.CONFIG_PATH, s.CONFIG_IFACE,
                         'FetchAvailableConfigs')
        assert self.cfg in configs, ('the persistent profile is lost', self.cfg, configs)
        return dead

    def after(self, keep):
        """Nothing left, the profile there, a new session works (kept
        connected for the next cell if `keep`)."""
        dead = self.assert_nothing_left()
        sess = self.connected_session()
        for d in dead:      # a killed client's directory: swept by the next client
            assert not os.path.exists('/run/ovpn3/' + d), 'runtime directory left: ' + d
        if keep:
            self.held = sess
            return
        self.disconnect(sess)
        self.assert_nothing_left()

    def take_connected(self):
        sess, self.held = self.held, None
        return sess or self.connected_session()

    def drop_held(self):
        if self.held is not None:
            self.disconnect(self.held)
            self.held = None
            self.assert_nothing_left()

    # ---- one cell ---------------------------------------------------------

    def cell(self, stage, keep=None):
        if stage not in ('connected', 'paused', 'disconnecting'):
            self.drop_held()
        result = getattr(self, 'stage_' + stage)()
        if keep is None:
            keep = STAGES.index(stage) + 1 < len(STAGES) and \
                STAGES[STAGES.index(stage) + 1] in ('connected', 'paused', 'disconnecting')
        if self.process == 'log' and result.startswith('kept'):
            result += '; LogForward: the first subscriber kept, a new one works'
        if result != 'n/a':
            self.after(keep)
            result += '; nothing left, profile kept, new session ok'
        self.close_followers()
        tap_diagnostic('crash-matrix: %s | %s | %s'
                       % (self.process, stage.replace('_', ' '), result))

    def kill_target(self, sess, live=True):
        """SIGKILL the process of this file; returns how the session is to end.
        A killed session manager comes back by activation (its backend
        clients ask for it) and takes a live session back: SESS_CREATED
        again (until then the list and lookup calls and the calls on the
        session's object wait for the take-back)."""
        if self.process == 'log' and live:
            self.kill_log(sess)
            return 'service'
        if self.process in SERVICES:
            created = self.events.of(sess.path).count(s.SESS_CREATED)
            self.kill_service()
            if self.process == 'sessionmgr' and live:
                t.wait_until(lambda: self.events.of(sess.path).count(s.SESS_CREATED) > created,
                             20, 'SESS_CREATED again for the session taken back')
            return 'service'
        if live:
            self.final_follower = self.follow_log(sess)
        if self.process == 'client':
            os.kill(sess.backend_pid, signal.SIGKILL)
        else:
            os.kill(sess.openvpn_pid(), signal.SIGKILL)
        return 'ended'

    def kill_log(self, sess):
        """The log service loses its records: the backend client tells it again
        which session it serves, the session manager asks again for the proxy
        of the LogForward subscriber it had; a new LogForward works. Both
        subscribers must hear from the session before its end (disconnect)."""
        old = self.follow_log(sess)
        before = [str(p) for p in sess.get('log_forwards')]
        self.kill_service()
        new = t.wait_until(lambda: self.try_follow_log(sess), 20,
                           'LogForward to work again after the log service returned')
        t.wait_until(lambda: len(sess.get('log_forwards')) == 2
                     and before[0] not in [str(p) for p in sess.get('log_forwards')], 20,
                     'the first subscriber\'s log proxy made again')
        self.log_check = (sess.path, [('first', old, len(old.received)), ('new', new, 0)])

    def ended_result(self, sess):
        """SESS_DESTROYED and a final StatusChange of the session on the bus,
        also forwarded to a LogForward subscriber of the session."""
        self.assert_ended(sess)
        final = t.wait_until(lambda: self.monitor.final_of({sess.backend_name}, {sess.path}),
                             10, 'a final StatusChange of the session')
        t.wait_until(lambda: [x for x in self.final_follower.received
                              if x['member'] == 'StatusChange' and x['args'][1] in FINAL_MINORS],
                     10, 'the final StatusChange forwarded to the LogForward subscriber')
        return 'ended: StatusChange(%d, %d), SESS_DESTROYED, forwarded to LogForward' % final

    # stage 1: NewTunnel in flight
    def stage_newtunnel_in_flight(self):
        started = time.monotonic()
        reply = self.new_tunnel_frozen()
        t.wait_until(lambda: reply, t.CEILING + 5, 'the NewTunnel reply')
        print('NewTunnel answered %.1f s after it was called: %r'
              % (time.monotonic() - started, reply[0]))
        if reply[0][0] == 'error':
            name, message = reply[0][1:]
            # only a killed session manager itself cannot answer
            assert message and (name != NO_REPLY or self.process == 'sessionmgr'), \
                ('an unclear error', name, message)
            assert self.process != 'openvpn', reply
            # killed before its RegistrationRequest, the client's exit is seen on its pidfd
            # ("exited before registering"), after it, its connection is followed ("went
            # away"): never the start bound's "did not register in time"
            assert self.process != 'client' or 'did not register in time' not in message, message
            return 'NewTunnel error %s "%s"' % (name.rsplit('.', 1)[-1], message[:76])
        sess = Session(self, reply[0][1])
        if self.process == 'openvpn':
            self.disconnect(sess)
            self.assert_nothing_left()
            return 'n/a'
        assert self.process != 'client', 'NewTunnel succeeded with a killed client'
        self.assert_controllable(sess, REQUIRE_USER)
        sess.credentials()
        sess.connect()
        assert lab.ping(sess.dev), 'no traffic'
        self.disconnect(sess)
        return 'NewTunnel answered the session; it connected, passed traffic, disconnected'

    def new_tunnel_async(self):
        reply = []
        self.bus.call_async(t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE, 'NewTunnel', 'o',
                            (self.cfg,), lambda p: reply.append(('ok', str(p))),
                            lambda e: reply.append(('error', e.get_dbus_name(),
                                                    e.get_dbus_message())), timeout=t.CEILING)
        return reply

    def new_tunnel_frozen(self):
        """NewTunnel while the log service is stopped (the new backend client
        waits for it, so does the NewTunnel reply), then the kill; returns the
        list the reply will be put in. backendstart is killed instead while it
        is stopped with StartClient sent to it (killed after its fork but
        before its answer, it would leave a client nobody knows, which exits
        after its registration timeout, 25 s)."""
        if self.process == 'backendstart':
            return self.new_tunnel_start_client_frozen()
        log_pid = self.service_pid(t.LOG_NAME)
        self.service_pid(t.NETCFG_NAME)
        before = set(s.backend_processes())
        os.kill(log_pid, signal.SIGSTOP)
        reply = self.new_tunnel_async()
        try:
            client = t.wait_until(lambda: set(s.backend_processes()) - before, 20,
                                  'the new backend client')
            assert not reply, ('NewTunnel answered while the log service is stopped', reply)
            if self.process == 'openvpn':
                assert openvpn_clients() == [], 'openvpn runs before Connect'
            elif self.process == 'client':
                os.kill(client.pop(), signal.SIGKILL)
            elif self.process == 'log':
                self.kill_service(t.LOG_NAME, log_pid)
            else:
                self.kill_service()
        finally:
            if self.process != 'log':
                os.kill(log_pid, signal.SIGCONT)
        return reply

    def new_tunnel_start_client_frozen(self):
        pid = self.service_pid(t.BACKENDS_NAME)
        calls = self.monitor.start_client_calls
        os.kill(pid, signal.SIGSTOP)
        try:
            reply = self.new_tunnel_async()
            t.wait_until(lambda: self.monitor.start_client_calls > calls, 20, 'StartClient')
            assert not reply, reply
        finally:
            self.kill_service(pid=pid)
        return reply

    # stage 2: waiting for input (CFG_REQUIRE_USER)
    def stage_waiting_for_input(self):
        sess = self.new_session()
        sess.wait_status(REQUIRE_USER)
        if self.process == 'openvpn':
            # prepared at the registration, held until Connect (docs/architecture.md §2 step 5):
            # killed there, a new one is started at Connect
            held = t.wait_until(lambda: openvpn_of(sess.backend_pid), 20, 'openvpn prepared')
            os.kill(held, signal.SIGKILL)
            t.wait_until(lambda: openvpn_of(sess.backend_pid) is None, 20, 'the held openvpn gone')
            self.assert_controllable(sess, REQUIRE_USER)
            sess.credentials()
            sess.connect()
            assert openvpn_of(sess.backend_pid) not in (None, held)
            assert lab.ping(sess.dev), 'no traffic'
            self.disconnect(sess)
            return 'kept: the held openvpn killed, a new one at Connect: connected, traffic, Disconnect'
        if self.kill_target(sess) == 'ended':
            return self.ended_result(sess)
        self.assert_controllable(sess, REQUIRE_USER)
        sess.credentials()
        sess.connect()
        assert lab.ping(sess.dev), 'no traffic'
        self.disconnect(sess)
        return 'kept: listed, status read, credentials taken, connected, traffic, Disconnect'

    # stage 3: connecting (openvpn runs, the server holds its answer)
    def stage_connecting(self):
        sess = self.new_session()
        sess.credentials()
        server = self.srv.server
        asked = len(server.events)
        server.policy = lambda kind, env: ('ignore',)
        try:
            sess.call('Connect')
            t.wait_until(lambda: len(server.events) > asked, 30, 'the server to be asked')
            assert sess.status() != CONNECTED, sess.status()
            how = self.kill_target(sess)
        finally:
            server.policy = lab.default_policy
        server.approve_last()
        if how == 'ended':
            return self.ended_result(sess)
        sess.wait_status(CONNECTED)
        sess.dev = sess.get('device_name')
        self.assert_controllable(sess, CONNECTED)
        assert lab.ping(sess.dev), 'no traffic'
        self.disconnect(sess)
        return 'kept: connected once answered, listed, status read, traffic, Disconnect'

    # stage 4: connected
    def stage_connected(self):
        sess = self.take_connected()
        if self.kill_target(sess) == 'ended':
            return self.ended_result(sess)
        assert lab.ping(sess.dev), 'the tunnel stopped passing traffic'
        self.assert_controllable(sess, CONNECTED)
        self.disconnect(sess)
        return 'kept: traffic goes on, listed, status read, Disconnect'

    # stage 5: paused
    def stage_paused(self):
        sess = self.take_connected()
        sess.call('Pause', 'crash matrix', signature='s')
        sess.wait_status(PAUSED)
        if self.kill_target(sess) == 'ended':
            return self.ended_result(sess)
        self.assert_controllable(sess, PAUSED)
        sess.call('Resume')
        sess.wait_status(CONNECTED)
        assert lab.ping(sess.dev), 'no traffic after Resume'
        self.disconnect(sess)
        return 'kept: listed, status read, Resume, traffic, Disconnect'

    # stage 6: disconnecting (Disconnect answered, openvpn frozen before its exit)
    def stage_disconnecting(self):
        sess = self.take_connected()
        ovpn = sess.openvpn_pid()
        os.kill(ovpn, signal.SIGSTOP)
        try:
            sess.call('Disconnect')
            self.events.wait_for(sess.path, s.SESS_DESTROYED)
            assert os.path.exists('/proc/%d' % sess.backend_pid), 'the client is gone already'
            self.kill_target(sess, live=False)
        finally:
            if os.path.exists('/proc/%d' % ovpn):
                os.kill(ovpn, signal.SIGCONT)
        assert s.object_gone(self.bus, sess.path), sess.path
        if self.process in SERVICES:
            return 'session ended (SESS_DESTROYED)'
        final = t.wait_until(lambda: self.monitor.final_of({sess.backend_name}, {sess.path}),
                             10, 'a final StatusChange of the session')
        return 'ended at Disconnect: StatusChange(%d, %d), SESS_DESTROYED' % final


# ovpn3tap.main() keeps the TAP stream on a duplicate of the original stdout
# and points fd 1 at stderr: the diagnostic goes to the descriptor that is
# still that original stdout (found by its device and inode), else to stderr.
_STDOUT = os.fstat(1)


def tap_diagnostic(line):
    """`# line` on the TAP stream (and the line on stderr)."""
    sys.stderr.write(line + '\n')
    for fd in sorted(int(f) for f in os.listdir('/proc/self/fd')):
        if fd == 1:
            continue
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (_STDOUT.st_dev, _STDOUT.st_ino):
            os.write(fd, ('# %s\n' % line).encode())
            return
