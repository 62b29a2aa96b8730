#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "LookupConfigName gives every visible profile of that name, [] for
none" (tests/compat/README.md): `openvpn3 session-start --config NAME`
looks the name up first; more than one path makes the CLI itself fail with
"More than one configuration profile was found with the given name"
(session-start re-throws only that text), none makes it read NAME as a
file. So the lookup must return all of the caller's profiles of that name
(not another user's), and an empty list -- not an error -- for an unknown
name."""

import os

import ovpn3test as t
import compat as c

PROFILE = open(os.path.join(os.environ['OVPN3_SOURCEDIR'], 'tests', 'data', 'profiles',
                            'basic.ovpn')).read()


def imp(user, name):
    return c.python_call(user, t.CONFIG_NAME, t.CONFIG_PATH, c.CONFIG_IFACE, 'Import', name,
                         PROFILE, False, False, signature='ssbb')


def lookup(user, name):
    return c.gdbuspp_call(user, t.CONFIG_NAME, t.CONFIG_PATH, c.CONFIG_IFACE,
                          'LookupConfigName', 's', (name,))[0]


t.require_devbus()


def test_lookup_gives_every_visible_profile_of_that_name():
    one = imp(t.USER_A, 'compat-dup')
    assert lookup(t.USER_A, 'compat-dup') == [one]
    two = imp(t.USER_A, 'compat-dup')
    imp(t.USER_B, 'compat-dup')
    assert sorted(lookup(t.USER_A, 'compat-dup')) == sorted([one, two])
    assert lookup(t.USER_A, 'compat-nothere') == []


t.main()
