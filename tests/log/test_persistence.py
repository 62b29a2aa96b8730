#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The rw manager properties are saved to <state dir>/log-service.json
(0600, owned by the service user) and reloaded when the service starts
again; a corrupt or out-of-range file is reported, left in place, and the
defaults apply."""

import json
import os
import pwd
import signal
import stat

import dbus

import ovpn3test as t
from logactor import LOG_IFACE, log_owner, manager_prop

STATE_FILE = '/var/lib/ovpn3/log-service.json'
RW = ('log_level', 'log_dbus_details', 'log_prefix_logtag', 'timestamp')
DEFAULTS = {'log_level': 3, 'log_dbus_details': False, 'log_prefix_logtag': True,
            'timestamp': True}


def restart(bus, sig=signal.SIGTERM):
    old = log_owner(bus)
    t.kill_service(bus, t.LOG_NAME, sig)
    new = log_owner(bus)          # activates a fresh process
    assert new != old
    return new


def current(bus):
    return {p: manager_prop(bus, p) for p in RW}


t.require_devbus()
bus = t.system_bus()


def test_defaults_and_no_state_file_until_set():
    log_owner(bus)
    assert manager_prop(bus, 'config_file') == STATE_FILE
    assert current(bus) == DEFAULTS
    assert not os.path.exists(STATE_FILE)   # nothing written until something is set


def test_set_values_saved_0600_and_survive_restart_and_kill():
    global wanted
    wanted = {'log_level': 6, 'log_dbus_details': True, 'log_prefix_logtag': False,
              'timestamp': False}
    t.set_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'log_level', dbus.UInt32(6))
    for prop in ('log_dbus_details', 'log_prefix_logtag', 'timestamp'):
        t.set_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, prop,
                       dbus.Boolean(wanted[prop]))
    st = os.stat(STATE_FILE)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    assert st.st_uid == pwd.getpwnam(t.service_user()).pw_uid, st
    with open(STATE_FILE) as f:
        assert json.load(f) == wanted

    restart(bus)
    assert current(bus) == wanted
    restart(bus, signal.SIGKILL)       # saved at Set time, not at exit
    assert current(bus) == wanted


# a rejected Set does not touch the file
def test_rejected_set_does_not_touch_the_file():
    try:
        t.set_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'log_level', dbus.UInt32(9))
        raise AssertionError('log_level 9 was accepted')
    except t.CallError as e:
        assert e.name == 'org.freedesktop.DBus.Error.InvalidArgs', e
    with open(STATE_FILE) as f:
        assert json.load(f) == wanted


# corrupt and out-of-range files: defaults, file left alone
def test_corrupt_and_out_of_range_files_give_defaults():
    for content in ('{"log_level": 6, "timestamp": fal', '{"log_level": 42}',
                    '{"log_level": 5, "timestamp": "yes"}', '[1, 2, 3]'):
        with open(STATE_FILE, 'w') as f:     # keeps owner and mode
            f.write(content)
        restart(bus)
        assert current(bus) == DEFAULTS, (content, current(bus))
        with open(STATE_FILE) as f:
            assert f.read() == content
        assert 'Ignoring the log settings' in t.service_log()


# a partial file sets what it has; unknown keys are ignored
def test_partial_file_sets_what_it_has_ignores_unknown_keys():
    with open(STATE_FILE, 'w') as f:
        f.write('{"log_level": 1, "future_key": "x"}')
    restart(bus)
    assert current(bus) == dict(DEFAULTS, log_level=1)


t.main()
