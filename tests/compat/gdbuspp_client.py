#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One D-Bus call made the way upstream's C++ clients make it through the
GDBus++ library, and its error seen the way GDBus++ hands it to them:
`gdbuspp_client.py DEST PATH IFACE METHOD SIGNATURE JSON_ARGS` (run as the
calling user by compat.gdbuspp_call). Prints one JSON line: {"ok": reply}
or {"error": {...}} with what GDBus++'s DBus::Proxy::Exception gives:

- the call goes through a GLib GDBusProxy (DO_NOT_LOAD_PROPERTIES, 5 s);
  GLib turns a D-Bus error <name>/<message> into a GError whose message is
  "GDBus.Error:<name>: <message>" (that part is GLib's own, not emulated);
- GDBus++ (gdbuspp/exceptions.cpp) calls g_dbus_error_strip_remote_error()
  once on it: the error *name* is dropped, the server's message remains;
- what() is "[Proxy::Client('<dest>', '<path>', '<iface>', '<method>')] "
  followed by that message; GetRawError() is the part after
  "GDBus.Error:<domain>:" when the message carries one, else the message;
  DBusErrorDomain() is that <domain> (or "").

Nothing of the D-Bus error name survives but what the server put in the
message; the name is printed as "dbus_name" for diagnostics only and the
tests never match on it."""

import json
import os
import sys

from gi.repository import Gio, GLib


def strip_remote_error(message):
    """g_dbus_error_strip_remote_error() on a GError message."""
    prefix = 'GDBus.Error:'
    if message.startswith(prefix):
        end = message.find(':', len(prefix))
        if end >= 0 and message[end + 1:end + 2] == ' ':
            return message[end + 2:]
    return message


def gdbuspp_exception(dest, path, iface, method, glib_message):
    """DBus::Proxy::Exception(dest, path, iface, method, "", gerror)."""
    errbuf = strip_remote_error(glib_message)
    raw, domain = errbuf, ''
    start = errbuf.find('GDBus.Error:')
    if start >= 0:
        domain_end = errbuf.find(':', start + 13)
        if domain_end >= 0:
            raw = errbuf[domain_end + 1:]
            first = errbuf.find(':') + 1
            domain = errbuf[first:domain_end]
    classn = "Proxy::Client('%s', '%s', '%s', '%s')" % (dest, path, iface, method)
    return {'what': '[%s] %s' % (classn, errbuf), 'raw': raw, 'domain': domain}


def plain(value):
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def main():
    dest, path, iface, method, signature, args = sys.argv[1:7]
    args = json.loads(args)
    params = GLib.Variant('(%s)' % signature, tuple(args)) if signature else None
    conn = Gio.DBusConnection.new_for_address_sync(
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'],
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
        | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)
    proxy = Gio.DBusProxy.new_sync(conn, Gio.DBusProxyFlags.DO_NOT_LOAD_PROPERTIES, None,
                                   dest, path, iface, None)
    try:
        reply = proxy.call_sync(method, params, Gio.DBusCallFlags.NONE, 5000, None)
        out = {'ok': plain(reply.unpack()) if reply is not None else None}
    except GLib.Error as e:
        err = gdbuspp_exception(dest, path, iface, method, e.message)
        err['dbus_name'] = Gio.DBusError.get_remote_error(e)
        out = {'error': err}
    sys.stdout.write(json.dumps(out) + '\n')


if __name__ == '__main__':
    main()
