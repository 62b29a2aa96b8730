#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One row of the crash matrix of issue 14 (tests/crash/crashlab.py): the
process named by the first argument (log, configmgr, sessionmgr,
backendstart, netcfg, client, openvpn) is SIGKILLed at each stage of a
session; one TAP case per stage, each printing
`# crash-matrix: <process> | <stage> | <result>`."""

import sys

import crashlab
import ovpn3test as t

t.require_devbus()
PROCESS = sys.argv[1]
assert PROCESS in list(crashlab.SERVICES) + ['client', 'openvpn'], PROCESS


def test_server_lab_and_persistent_profile():
    global lab
    lab = crashlab.CrashLab(PROCESS)


def _cell(stage):
    return lambda: lab.cell(stage)


for _stage in crashlab.STAGES:
    globals()['test_' + _stage] = _cell(_stage)

t.main()
