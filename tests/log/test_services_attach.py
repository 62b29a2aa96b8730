#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A real service (the configuration manager, through the common log client)
attaches to the log service when it starts, and attaches again, activating
it, when the log service is restarted."""

import os
import signal

import ovpn3test as t
from logactor import LOG_IFACE, log_owner


def configmgr_attached(bus):
    owner = str(bus.get_name_owner(t.CONFIG_NAME))
    subs = t.call(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'GetSubscriberList')
    return [s for s in subs if s[1] == owner and s[2] == t.CONFIG_NAME]


t.require_devbus()
bus = t.system_bus()


def test_configmgr_attaches_to_the_log_service():
    t.call(bus, t.CONFIG_NAME, t.CONFIG_PATH, 'org.freedesktop.DBus.Peer', 'Ping')
    t.wait_until(lambda: t.name_has_owner(bus, t.LOG_NAME), what='log service activation')
    t.wait_until(lambda: configmgr_attached(bus), what='configmgr to attach')
    assert len(configmgr_attached(bus)) == 1


def new_owner():
    try:
        return str(bus.get_name_owner(t.LOG_NAME)) != old
    except Exception:
        return False


def test_configmgr_attaches_again_after_log_service_restart():
    global old
    old = log_owner(bus)
    os.kill(t.name_pid(bus, t.LOG_NAME), signal.SIGTERM)

    # the log client notices and attaches again, which activates the service
    t.wait_until(new_owner, what='log service re-activation')
    t.wait_until(lambda: configmgr_attached(bus), what='configmgr to attach again')
    assert len(configmgr_attached(bus)) == 1


t.main()
