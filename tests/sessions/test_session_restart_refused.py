#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""automatic-restart=on-failure whose new backend client cannot use the profile
(docs/architecture.md §2 item 7, services/sessionmgr/session-restart.c): the new backend
registers, then refuses the session at RegistrationConfirmation; the session ends at once
(SESS_DESTROYED, no further attempt) and that backend is told to shut down."""

import os
import signal

import ovpn3test as t
import sesstest as s

t.require_devbus()

bus = t.system_bus()
events = s.Events(bus)
a = t.USER_A


def test_a_restart_the_new_backend_refuses_ends_the_session():
    cfg = s.import_profile(a, 'autologin-restart-refused')
    t.call_as(a, t.CONFIG_NAME, cfg, s.CONFIG_IFACE, 'SetOverride', 'automatic-restart',
              t.dbus.String('on-failure'), signature='sv')
    path = s.start_session(a, cfg)
    s.session_call(a, path, 'Connect')
    s.wait_status(a, path, 2, 7)
    pid1 = s.session_get(a, path, 'backend_pid')
    # the next backend reads the name at RegistrationConfirmation (fake_client.py):
    # CFG_ERROR and a refusal
    t.run_as(a, lambda b: t.set_property(b, t.CONFIG_NAME, cfg, s.CONFIG_IFACE, 'name',
                                         t.dbus.String('autologin-cfg-error')))
    os.kill(pid1, signal.SIGKILL)
    # no second attempt: those would take the session past any ceiling (6 s, 12 s, … up
    # to 768 s apart, ten of them)
    events.wait_for(path, s.SESS_DESTROYED)
    assert events.of(path) == [s.SESS_CREATED, s.SESS_DESTROYED], events.of(path)
    assert s.object_gone(bus, path)
    t.wait_until(lambda: s.backend_processes() == [], what='the refused backend to exit')


t.main()
