#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""--log-method file / stderr and --log-file: the service started by hand
(as the service user, like the activation file does) writes text lines with
the settings applied; bad options are refused; without --idle-exit or
OVPN3_IDLE_EXIT it does not exit when idle."""

import os
import pwd
import re
import signal
import stat
import subprocess
import time

import dbus

import ovpn3test as t
from logactor import (LOG_IFACE, FakeBackend, FakeSessionManager, log_owner, manager_prop,
                      session_path)

WORK = '/run/ovpn3-log-test'
TS = r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} '


def start(*args, stderr=subprocess.DEVNULL):
    pw = pwd.getpwnam(t.service_user())
    env = {k: v for k, v in os.environ.items() if k != 'OVPN3_IDLE_EXIT'}
    return subprocess.Popen([t.service_binary('log'), '--state-dir', WORK + '/state'] + list(args),
                            user=pw.pw_uid, group=pw.pw_gid, env=env,
                            stdout=subprocess.DEVNULL, stderr=stderr)


def stop(bus, proc, output=None):
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=t.CEILING)
    assert code == 0, 'exit status %d%s' % (code, '' if output is None else ':\n' + read(output))
    t.wait_name_gone(bus, t.LOG_NAME)


def read(path):
    with open(path, errors='replace') as f:
        return f.read()


def wait_line(path, text):
    t.wait_until(lambda: text in read(path), what='%r in %s' % (text, path))
    return [line for line in read(path).splitlines() if text in line][0]


t.require_devbus()
bus = t.system_bus()
pw = pwd.getpwnam(t.service_user())
os.makedirs(WORK, exist_ok=True)
os.chown(WORK, pw.pw_uid, pw.pw_gid)
# the activated instance must not be running
if t.name_has_owner(bus, t.LOG_NAME):
    t.kill_service(bus, t.LOG_NAME)

# bad options


def test_bad_options_refused_before_owning_the_name():
    for args in (['--log-method', 'syslog'], ['--log-method', 'file'],
                 ['--log-file', '/nonexistent/dir/x.log']):
        proc = start(*args, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=t.CEILING)
        assert proc.returncode != 0, args
        assert err.strip(), args
        assert not t.name_has_owner(bus, t.LOG_NAME)

    # --log-file alone means the file method


def test_log_file_alone_means_the_file_method():
    logfile = WORK + '/ovpn3.log'
    errfile = WORK + '/stderr-file.txt'
    with open(errfile, 'w') as err:
        proc = start('--log-file', logfile, stderr=err)
    try:
        t.wait_for_name(bus, t.LOG_NAME)
        assert manager_prop(bus, 'log_method') == 'file'
        assert stat.S_IMODE(os.stat(logfile).st_mode) == 0o600
        line = wait_line(logfile, 'Log service started')
        assert re.fullmatch(TS + r'\[LOGGER\] INFO: Log service started \(file\)', line), line

        session = session_path()
        sm = FakeSessionManager()
        backend = FakeBackend(session, sm=sm)
        try:
            backend.send_log(6, 4, 'hello file', token='tok')
            tag = [s[0] for s in t.call(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE,
                                        'GetSubscriberList')][0]
            line = wait_line(logfile, 'hello file')
            assert re.fullmatch(TS + r'\[BACKENDPROC\] INFO session=%s: \{tag:%s\} hello file'
                                % (re.escape(session), tag), line), line
            # a sender cannot start a line of its own
            backend.send_log(6, 5, 'first\nFAKE line\rwith\x1bescape')
            wait_line(logfile, 'first')
            text = read(logfile)
            assert '\n    FAKE line with escape\n' in text, text
            assert '\nFAKE' not in text and '\x1b' not in text and '\r' not in text

            for prop, value in (('timestamp', False), ('log_prefix_logtag', False),
                                ('log_dbus_details', True)):
                t.set_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, prop,
                               dbus.Boolean(value))
            backend.send_log(6, 6, 'plain line')
            line = wait_line(logfile, 'plain line')
            assert line == ('[BACKENDPROC] ERROR (%s, /net/openvpn/v3/backends/session, '
                            'net.openvpn.v3.backends) session=%s: plain line'
                            % (backend.name, session)), line
        finally:
            backend.close()
            sm.close()

        # not activated, no idle exit configured: still there after a while
        time.sleep(3)
        assert proc.poll() is None
        assert log_owner(bus) == str(bus.get_name_owner(t.LOG_NAME))
    finally:
        if proc.poll() is None:
            stop(bus, proc, errfile)

    # stderr


def test_stderr_method_writes_to_stderr_with_persisted_settings():
    errfile = WORK + '/stderr.txt'
    with open(errfile, 'w') as err:
        proc = start('--log-method', 'stderr', stderr=err)
    try:
        t.wait_for_name(bus, t.LOG_NAME)
        assert manager_prop(bus, 'log_method') == 'stderr'
        # settings were persisted in the state dir by the previous instance
        assert manager_prop(bus, 'timestamp') is False
        backend = FakeBackend()
        try:
            backend.send_log(6, 7, 'to stderr')
            line = wait_line(errfile, 'to stderr')
            assert line.startswith('[BACKENDPROC] CRIT ('), line
        finally:
            backend.close()
    finally:
        stop(bus, proc, errfile)

    # --log-stderr copies every record to stderr as well


def test_log_stderr_copies_every_record_to_stderr():
    logfile = WORK + '/both.log'
    errfile = WORK + '/stderr-both.txt'
    with open(errfile, 'w') as err:
        proc = start('--log-file', logfile, '--log-stderr', stderr=err)
    try:
        t.wait_for_name(bus, t.LOG_NAME)
        assert manager_prop(bus, 'log_method') == 'file'
        backend = FakeBackend()
        try:
            backend.send_log(6, 5, 'in both places')
            in_file = re.sub('^' + TS, '', wait_line(logfile, 'in both places'))
            on_stderr = re.sub('^' + TS, '', wait_line(errfile, 'in both places'))
            assert in_file == on_stderr, (in_file, on_stderr)
        finally:
            backend.close()
    finally:
        stop(bus, proc, errfile)


t.main()
