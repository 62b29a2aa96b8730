#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "managers answer Ping and Get(version) for ordinary users"
(tests/compat/README.md): before each manager call, upstream's Python
ConfigurationManager, SessionManager and NetCfgManager "ping" the service:
Peer.Ping on the manager path and Get(<iface>, 'version'), retried 10
times (about 25 s) on any error and then "Could not establish contact";
their AccessDenied test (find(...) > 0) never matches. GDBus++ pings path
'/'. An ordinary user must get answers from all three."""

import ovpn3test as t
import compat as c

MANAGERS = ((t.CONFIG_NAME, t.CONFIG_PATH, c.CONFIG_IFACE),
            (t.SESSIONS_NAME, t.SESSIONS_PATH, c.SESSIONS_IFACE),
            (t.NETCFG_NAME, t.NETCFG_PATH, c.NETCFG_IFACE))
PEER = 'org.freedesktop.DBus.Peer'


t.require_devbus()


def test_managers_answer_ping_and_version_for_ordinary_users():
    for dest, path, iface in MANAGERS:
        for user in (t.USER_A, t.USER_B):
            c.python_call(user, dest, path, PEER, 'Ping')
            assert c.python_call(user, dest, path, t.PROPS, 'Get', iface, 'version',
                                 signature='ss') == 'v27', dest
            c.gdbuspp_call(user, dest, '/', PEER, 'Ping')


t.main()
