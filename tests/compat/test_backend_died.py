#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 'Backend VPN process has died' (tests/compat/README.md): the backend
client dies while a call on its session is under way. openvpn2 looks for
' Backend VPN process has died' (find(...) > 1) in str(exception) and then
reports "VPN backend process stopped unexpectedly" (or, after a failed
login, just stops); the C++ CLI sees the same text in GDBus++'s
GetRawError(). Real backend client, stopped (SIGSTOP) so that the calls
are still pending when it is killed."""

import os
import shutil
import signal
import subprocess
import tempfile
import threading

import ovpn3test as t
import compat as c
import sesstest as s

TEXT = 'Backend VPN process has died'
BACKENDS = 'net.openvpn.v3.backends'


def in_thread(fn):
    out = {}

    def run():
        try:
            out['ok'] = fn()
        except Exception as e:     # the error is the result
            out['error'] = e
    th = threading.Thread(target=run)
    th.start()
    return th, out


def watch_ready_calls():
    """Ready calls on the backends interface (the session manager's
    forwards), seen by dbus-monitor; returns (monitor, list they go to)."""
    seen = []
    mon = subprocess.Popen(['/usr/bin/dbus-monitor', '--system',
                            "type='method_call',interface='%s',member='Ready'" % BACKENDS],
                           stdout=subprocess.PIPE, text=True)

    def read():
        for line in mon.stdout:
            seen.append(line)
    threading.Thread(target=read, daemon=True).start()
    # it prints NameLost once it is a monitor
    t.wait_until(lambda: any('member=NameLost' in x for x in seen), what='dbus-monitor')
    return mon, seen


t.require_devbus()


def _cleanup():
    if pid is not None:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)


bus = t.system_bus()
events = s.Events(bus)
tmp = tempfile.mkdtemp(prefix='ovpn3-compat-')
pid = None
t.cleanup(_cleanup)


def test_calls_under_way_when_the_backend_dies_get_upstreams_error():
    global e, pid
    _, path = c.start_session(t.USER_A, 'compat-died', c.real_profile(tmp))
    pid = s.session_get(t.USER_A, path, 'backend_pid')
    mon, seen = watch_ready_calls()
    os.kill(pid, signal.SIGSTOP)
    py, py_out = in_thread(lambda: c.python_call(t.USER_A, t.SESSIONS_NAME, path,
                                                 c.SESSIONS_IFACE, 'Ready'))
    gd, gd_out = in_thread(lambda: c.gdbuspp_call(t.USER_A, t.SESSIONS_NAME, path,
                                                  c.SESSIONS_IFACE, 'Ready'))
    # both calls forwarded to the stopped backend
    t.wait_until(lambda: sum('member=Ready' in x for x in seen) >= 2,
                 what='two Ready calls to the backend')
    mon.terminate()
    assert py.is_alive() and gd.is_alive(), (py_out, gd_out)
    os.kill(pid, signal.SIGKILL)
    py.join(t.CEILING)
    gd.join(t.CEILING)
    e, g = py_out.get('error'), gd_out.get('error')
    assert isinstance(e, c.PythonError), py_out
    assert e.text.find(' ' + TEXT) > 1, e.text
    assert isinstance(g, c.GDBusppError), gd_out
    assert TEXT in g.raw, g
    events.wait_for(path, s.SESS_DESTROYED)


t.main()
