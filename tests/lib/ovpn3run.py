#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The fresh interpreter of ovpn3test.run_as(user, fn, fresh=True), started as
`user`: `ovpn3run.py DIR MODULE FUNCTION JSON_ARGS` imports MODULE from DIR,
runs FUNCTION(bus, *args) and prints one JSON line: {"ok": result} or
{"error": [name, message]}."""

import sys

import ovpn3test

if __name__ == '__main__':
    ovpn3test.run_fresh_child(*sys.argv[1:5])
