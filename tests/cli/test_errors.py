#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Errors before dispatch are retried with back-off, then reported in plain words (exit 5);
a call that reached the service is never repeated, even when its reply never comes (NoReply),
so nothing is imported twice; raw D-Bus error names only with --verbose."""

import os
import signal
import subprocess
import time

import clitest as c
import ovpn3test as t

ACTIVATION = os.path.join(os.environ.get('OVPN3_DEVBUS_DIR', '/run/ovpn3-devbus'), 'services',
                          'net.openvpn.v3.configuration.service')
HIDDEN = ACTIVATION + '.hidden'


def reload_bus():
    t.call(t.system_bus(), 'org.freedesktop.DBus', '/org/freedesktop/DBus',
           'org.freedesktop.DBus', 'ReloadConfig')


def hide_service():
    os.rename(ACTIVATION, HIDDEN)
    reload_bus()


def restore_service():
    os.rename(HIDDEN, ACTIVATION)
    reload_bus()


def test_service_not_activatable():
    bus = t.system_bus()
    assert not t.name_has_owner(bus, t.CONFIG_NAME)
    hide_service()
    try:
        start = time.monotonic()
        r = c.fails(c.EXIT_UNAVAILABLE, 'configs-list', user=c.USER_A)
        elapsed = time.monotonic() - start
        # retried for about 5 s (0.1+0.2+0.4+0.8+1.6+1.6 s of waits), not forever
        assert 4.0 <= elapsed < 15, elapsed
        assert 'the configuration service is not available' in r.err, r
        assert 'hint:' in r.err and '--verbose' in r.err, r
        assert 'org.freedesktop' not in r.err and 'GDBus' not in r.err, r
        r = c.fails(c.EXIT_UNAVAILABLE, 'config-dump', '--config', 'x', '--verbose')
        assert 'D-Bus error: org.freedesktop.DBus.Error.ServiceUnknown' in r.err, r
        with c.ProfileDir() as d:
            r = c.fails(c.EXIT_UNAVAILABLE, 'config-import', '--config', d.inline_profile())
        assert 'not available' in r.err, r
    finally:
        restore_service()


def test_retry_until_the_service_can_start():
    """The service becomes startable 1 s after the first attempt: the import succeeds, once."""
    hide_service()
    restored = False
    try:
        with c.ProfileDir() as d:
            profile = d.inline_profile()
            start = time.monotonic()
            proc = subprocess.Popen([c.OVPN3, 'config-import', '--config', profile, '--json'],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=c._env(None))
            time.sleep(1.0)
            restore_service()
            restored = True
            out, err = proc.communicate(timeout=t.CEILING)
            assert proc.returncode == 0, (out, err)
            assert time.monotonic() - start >= 1.0
        assert [p['path'] for p in c.list_json()] == [c.json.loads(out)['path']]
    finally:
        if not restored:
            restore_service()


def test_no_retry_after_dispatch():
    """The service receives the Import and dies before answering: ovpn3 must not send it
    again (it cannot know whether it was carried out), and says so."""
    bus = t.system_bus()
    c.ok('configs-list')                          # the service is running
    pid = t.name_pid(bus, t.CONFIG_NAME)
    mon = c.Monitor()
    try:
        os.kill(pid, signal.SIGSTOP)              # it will receive, but not answer
        with c.ProfileDir() as d:
            proc = subprocess.Popen([c.OVPN3, 'config-import', '--config', d.inline_profile()],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=c._env(None))
            t.wait_until(lambda: any('member=Import' in x for x in mon.lines),
                         what='the Import call on the bus')
            os.kill(pid, signal.SIGKILL)          # now the reply can never come
            out, err = proc.communicate(timeout=t.CEILING)
        assert proc.returncode == c.EXIT_UNAVAILABLE, (proc.returncode, out, err)
        assert 'did not answer' in err and 'may have been carried out' in err, err
        time.sleep(0.5)                           # time for a (wrong) retry to show
        end = mon.mark('end')
        imports = [x for x in mon.lines[:end] if 'member=Import' in x]
        assert len(imports) == 1, imports
    finally:
        mon.stop()
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_no_system_bus():
    r = c.fails(c.EXIT_UNAVAILABLE, 'configs-list',
                env={'DBUS_SYSTEM_BUS_ADDRESS': 'unix:path=/nonexistent/bus'})
    assert 'cannot connect to the system D-Bus' in r.err and 'dbus service' in r.err, r


t.require_devbus()
t.main(independent=True)
