#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row 'net.openvpn.v3.error.OverrideNotSet' (tests/compat/README.md):
`openvpn3 config-manage --unset-override KEY` on a profile where KEY is not
set. The CLI looks for 'net.openvpn.v3.error.OverrideNotSet' in GDBus++'s
what() and then says "Override 'KEY' not set" instead of failing. The text
is upstream's; the error's D-Bus name is that name too."""

import os

import ovpn3test as t
import compat as c

NAME = 'net.openvpn.v3.error.OverrideNotSet'
PROFILE = open(os.path.join(os.environ['OVPN3_SOURCEDIR'], 'tests', 'data', 'profiles',
                            'basic.ovpn')).read()


def unset_fails(cfg, key):
    g = c.gdbuspp_error(t.USER_A, t.CONFIG_NAME, cfg, c.CONFIG_IFACE, 'UnsetOverride', 's',
                        (key,))
    assert NAME in g.what, g
    assert g.raw == " Override '%s' has not been set" % key, g
    e = c.python_error(t.USER_A, t.CONFIG_NAME, cfg, c.CONFIG_IFACE, 'UnsetOverride', key,
                       signature='s')
    assert e.dbus_name == NAME, e.dbus_name


t.require_devbus()


def test_unsetting_an_override_not_set_gives_override_not_set():
    cfg = c.python_call(t.USER_A, t.CONFIG_NAME, t.CONFIG_PATH, c.CONFIG_IFACE, 'Import',
                        'compat-override', PROFILE, False, False, signature='ssbb')
    unset_fails(cfg, 'dns-scope')
    c.python_call(t.USER_A, t.CONFIG_NAME, cfg, c.CONFIG_IFACE, 'SetOverride', 'dns-scope',
                  t.dbus.String('tunnel', variant_level=1), signature='sv')
    c.gdbuspp_call(t.USER_A, t.CONFIG_NAME, cfg, c.CONFIG_IFACE, 'UnsetOverride', 's',
                   ('dns-scope',))
    unset_fails(cfg, 'dns-scope')


t.main()
