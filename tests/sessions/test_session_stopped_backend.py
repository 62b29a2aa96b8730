#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One backend client that stops answering (SIGSTOP) holds up nobody but the
callers of its own session: while a read of its statistics waits for it,
the other session's properties (Get and GetAll) and FetchAvailableSessions
answer; the stopped session's own GetAll answers once, after one wait for
all its backend-backed properties, and FetchManagedInterfaces and
LookupInterface (which ask every session's backend at once) after that same
wait, with the other session's device. Then the stopped backend is closed (SESS_DESTROYED). Latencies
are printed; the only limits are the generous ceilings."""

import os
import signal
import time

import ovpn3test as t
import sesstest as s

PROXIED = ('statistics', 'device_path', 'device_name', 'session_name', 'connected_to')


class Pending:
    """One call made without waiting for it; records its answer and when."""

    def __init__(self, bus, label, path, iface, method, *args, signature=''):
        self.what = label
        self.started = time.monotonic()
        self.result = None
        self.took = None
        bus.call_async(t.SESSIONS_NAME, path, iface, method, signature, args,
                       self._ok, self._error, timeout=t.CEILING)

    def _ok(self, *reply):
        self._done(('ok', t.plain(reply[0]) if reply else None))

    def _error(self, e):
        self._done(('error', e.get_dbus_name(), e.get_dbus_message()))

    def _done(self, result):
        self.took = time.monotonic() - self.started
        self.result = result

    def wait(self):
        t.wait_until(lambda: self.result is not None, what=self.what)
        print('%-40s answered after %6.3f s' % (self.what, self.took))
        return self.result


def get(bus, which, path, prop):
    return Pending(bus, '%s: Get %s' % (which, prop), path, t.PROPS, 'Get', s.SESSIONS_IFACE,
                   prop, signature='ss')


def get_all(bus, which, path):
    return Pending(bus, '%s: GetAll' % which, path, t.PROPS, 'GetAll', s.SESSIONS_IFACE,
                   signature='s')


def manager(bus, method, *args, signature=''):
    return Pending(bus, 'manager: %s' % method, t.SESSIONS_PATH, s.SESSIONS_IFACE, method, *args,
                   signature=signature)


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_two_sessions_start():
    global device, good, stopped
    good = s.start_session(a, s.import_profile(a, 'autologin-good'))
    stopped = s.start_session(a, s.import_profile(a, 'autologin-stopped'))
    for path in (good, stopped):
        s.session_call(a, path, 'Connect')
        s.wait_status(a, path, 2, 7)
    device = s.session_get(a, good, 'device_name')
    assert device.startswith('tunfake'), device


def test_stopped_backend_holds_up_nobody_else():
    pid = s.session_get(a, stopped, 'backend_pid')

    os.kill(pid, signal.SIGSTOP)
    try:
        # the session manager now waits for the stopped backend ...
        waiting = get(bus, 'stopped', stopped, 'statistics')
        waiting_all = get_all(bus, 'stopped', stopped)
        # ... and meanwhile answers everything else
        others = [get(bus, 'other', good, p) for p in ('statistics', 'status', 'device_name',
                                              'session_name', 'connected_to', 'device_path')]
        others += [get_all(bus, 'other', good),
                   get(bus, 'stopped', stopped, 'status'),
                   manager(bus, 'FetchAvailableSessions')]
        # these ask every session's backend at once: they wait for the stopped one
        lookups = [manager(bus, 'FetchManagedInterfaces'),
                   manager(bus, 'LookupInterface', device, signature='s')]
        results = [p.wait() for p in others]
        # answered before the stopped backend's read gave up and closed it
        assert waiting.result is None, waiting.result
        assert s.SESS_DESTROYED not in events.of(stopped), events.of(stopped)
        for r in results:
            assert r[0] == 'ok', r
        stats, status, dev, name, connected, dev_path = [r[1] for r in results[:6]]
        assert stats == {'BYTES_IN': 1234, 'BYTES_OUT': 567}, stats
        assert tuple(status[:2]) == (2, 7), status
        assert dev == device and name == 'fake-session', (dev, name)
        assert connected == ('udp', '192.0.2.1', 1194), connected
        assert dev_path.startswith('/net/openvpn/v3/netcfg/'), dev_path
        props = results[6][1]
        assert props['statistics'] == stats and props['device_name'] == device, props
        assert tuple(results[7][1][:2]) == (2, 7), results[7]    # the stopped one's status
        assert sorted(results[8][1]) == sorted([good, stopped]), results[8]

        # the stopped backend's own callers: one wait, then "stopped"
        r = waiting.wait()
        assert r[0] == 'error' and r[1] == s.FAILED and 'VPN session is stopped' in r[2], r
        r = waiting_all.wait()
        assert r[0] == 'ok', r
        missing = [p for p in PROXIED if p in r[1]]
        assert missing == [], 'backend-backed properties of a stopped backend: %r' % missing
        assert r[1]['config_name'] == 'autologin-stopped', r[1]
        r = [p.wait() for p in lookups]
        assert r[0] == ('ok', [device]), r[0]
        assert r[1] == ('ok', good), r[1]

        # the backend that did not answer is closed
        started = time.monotonic()
        events.wait_for(stopped, s.SESS_DESTROYED)
        print('stopped session closed %.3f s after the read gave up' % (time.monotonic() - started))
        assert s.object_gone(bus, stopped)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert s.session_call(a, t.SESSIONS_PATH, 'FetchAvailableSessions') == [good]
    s.session_call(a, good, 'Disconnect')
    events.wait_for(good, s.SESS_DESTROYED)


# the stopped client got ForceShutdown once it ran again
def test_stopped_client_got_force_shutdown_once_it_ran():
    t.wait_until(lambda: s.backend_processes() == [], what='the backend clients to exit')


t.main()
