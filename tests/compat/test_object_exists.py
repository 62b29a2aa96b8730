#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "GetAll(<iface>) answers on existing objects; 'No such interface'
otherwise" (tests/compat/README.md): GDBus++'s CheckObjectExists() (used
before the CLI works on a profile or a session) calls
Properties.GetAll(<iface>) up to 15 times and takes an error whose what()
contains 'No such interface' (or 'Name "..." does not exist') as "absent"
at once. Real backend client."""


import ovpn3test as t
import compat as c


t.require_devbus()


tmp = c.temp_dir()


def test_getall_answers_on_existing_objects_no_such_interface_otherwise():
    cfg, path = c.start_session(t.USER_A, 'compat-exists', c.real_profile(tmp))
    for dest, obj, iface in ((t.CONFIG_NAME, t.CONFIG_PATH, c.CONFIG_IFACE),
                             (t.SESSIONS_NAME, t.SESSIONS_PATH, c.SESSIONS_IFACE),
                             (t.CONFIG_NAME, cfg, c.CONFIG_IFACE),
                             (t.SESSIONS_NAME, path, c.SESSIONS_IFACE)):
        props = c.gdbuspp_call(t.USER_A, dest, obj, t.PROPS, 'GetAll', 's', (iface,))
        assert isinstance(props[0], dict) and props[0], (obj, props)
        g = c.gdbuspp_error(t.USER_A, dest, obj, t.PROPS, 'GetAll', 's',
                            ('net.openvpn.v3.nothere',))
        assert 'No such interface' in g.what, g
    c.python_call(t.USER_A, t.SESSIONS_NAME, path, c.SESSIONS_IFACE, 'Disconnect')


t.main()
