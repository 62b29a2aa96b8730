#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Runs one function of sesstest.py in a fresh process (started by
sesstest.run_fresh as another user), so that it may run a GLib main loop
without sharing the test's bus connection: `runner.py FUNC JSON_ARGS`.
Prints one JSON line: {"ok": result} or {"error": [name, message]}."""

import json
import sys

import dbus

import ovpn3test as t
import sesstest


def main():
    fn = getattr(sesstest, sys.argv[1])
    args = json.loads(sys.argv[2])
    bus = t.system_bus()
    try:
        out = {'ok': t.plain(fn(bus, *args))}
    except t.CallError as e:
        out = {'error': [e.name, e.message]}
    except dbus.exceptions.DBusException as e:
        out = {'error': [e.get_dbus_name(), e.get_dbus_message()]}
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
