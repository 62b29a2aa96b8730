# SPDX-License-Identifier: GPL-2.0-or-later
"""python-dbusmock template: a systemd-resolved stand-in for the netcfg
tests. It only records the per-link calls netcfg makes (read them with
org.freedesktop.DBus.Mock.GetCalls)."""

BUS_NAME = 'org.freedesktop.resolve1'
MAIN_OBJ = '/org/freedesktop/resolve1'
MAIN_IFACE = 'org.freedesktop.resolve1.Manager'
SYSTEM_BUS = True
IS_OBJECT_MANAGER = False


def load(mock, parameters):
    # parameters: {"delay": seconds} makes SetLinkDNS answer that late
    delay = float(parameters.get('delay', 0))
    slow = '__import__("time").sleep(%r)' % delay if delay > 0 else ''
    mock.AddMethods(MAIN_IFACE, [
        ('SetLinkDNS', 'ia(iay)', '', slow),
        ('SetLinkDomains', 'ia(sb)', '', ''),
        ('SetLinkDefaultRoute', 'ib', '', ''),
        ('SetLinkDNSSEC', 'is', '', ''),
        ('SetLinkDNSOverTLS', 'is', '', ''),
        ('RevertLink', 'i', '', ''),
    ])
