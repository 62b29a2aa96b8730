#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Row "netcfg FetchInterfaceList refused for ordinary users with
AccessDenied" (tests/compat/README.md): upstream's Python
NetCfgManager.FetchAllDevices() turns an error whose str() contains
'org.freedesktop.DBus.Error.AccessDenied:' (find(...) >= 0) into "Access
denied to the NetCfg Manager"; any other error is swallowed and the call
returns nothing. root gets the list."""

import ovpn3test as t
import compat as c


t.require_devbus()


def test_fetch_interface_list_refused_with_access_denied():
    e = c.python_error(t.USER_A, t.NETCFG_NAME, t.NETCFG_PATH, c.NETCFG_IFACE,
                       'FetchInterfaceList')
    assert e.text.find('org.freedesktop.DBus.Error.AccessDenied:') >= 0, e.text
    assert t.call(t.system_bus(), t.NETCFG_NAME, t.NETCFG_PATH, c.NETCFG_IFACE,
                  'FetchInterfaceList') == []


t.main()
