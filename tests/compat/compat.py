# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for the compatibility tests (suite 'compat', tests/compat/README.md):
calls made the way upstream OpenVPN 3 Linux's clients make them, with their
errors seen the way those clients see them.

- gdbuspp_call(user, ...): the C++ `openvpn3` CLI (GDBus++). Raises
  GDBusppError with .what, .raw and .domain (what(), GetRawError(),
  DBusErrorDomain()) -- built from the message only, see gdbuspp_client.py.
- python_call(user, ...): the Python module and tools (dbus-python). Raises
  PythonError whose .text is str(dbus.exceptions.DBusException), i.e.
  '<name>: <message>', which is what they match substrings of.

Both run in a separate process as `user`."""

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

import dbus

import ovpn3test as t

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'sessions'))

SESSIONS_IFACE = 'net.openvpn.v3.sessions'
CONFIG_IFACE = 'net.openvpn.v3.configuration'
NETCFG_IFACE = 'net.openvpn.v3.netcfg'


class GDBusppError(Exception):
    def __init__(self, err):
        super().__init__(err['what'])
        self.what = err['what']
        self.raw = err['raw']
        self.domain = err['domain']
        self.dbus_name = err['dbus_name']    # diagnostics only: GDBus++ never sees it

    def __repr__(self):
        return 'GDBusppError(what=%r, raw=%r, domain=%r)' % (self.what, self.raw, self.domain)


class PythonError(Exception):
    def __init__(self, text, name):
        super().__init__(text)
        self.text = text
        self.dbus_name = name


def gdbuspp_call(user, dest, path, iface, method, signature='', args=()):
    """DBus::Proxy::Client::Call as user; returns the reply (plain JSON
    values) or raises GDBusppError."""
    pw = pwd.getpwnam(user)
    r = subprocess.run(['/usr/bin/setpriv', '--reuid=%d' % pw.pw_uid, '--regid=%d' % pw.pw_gid,
                        '--init-groups', '/usr/bin/python3',
                        os.path.join(HERE, 'gdbuspp_client.py'), dest, path, iface, method,
                        signature, json.dumps(list(args))],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=2 * t.CEILING)
    lines = r.stdout.strip().splitlines()
    assert r.returncode == 0 and lines, 'gdbuspp_client failed (%d): %s %s' % (
        r.returncode, r.stdout, r.stderr)
    out = json.loads(lines[-1])
    if 'error' in out:
        raise GDBusppError(out['error'])
    return out['ok']


def gdbuspp_get(user, dest, path, iface, prop):
    """DBus::Proxy::Client::GetPropertyGVariant as user: the value."""
    return gdbuspp_call(user, dest, path, t.PROPS, 'Get', 'ss', (iface, prop))[0]


def gdbuspp_error(user, dest, path, iface, method, signature='', args=()):
    """The GDBusppError the call must end with."""
    try:
        reply = gdbuspp_call(user, dest, path, iface, method, signature, args)
    except GDBusppError as e:
        return e
    raise AssertionError('%s.%s on %s succeeded (%r); expected an error'
                         % (iface, method, path, reply))


def python_call(user, dest, path, iface, method, *args, signature=''):
    """bus.call_blocking as user with dbus-python; returns the reply or
    raises PythonError(str(exception))."""
    def child(bus):
        try:
            return ['ok', bus.call_blocking(dest, path, iface, method, signature, args,
                                            timeout=t.CEILING)]
        except dbus.exceptions.DBusException as e:
            return ['error', str(e), e.get_dbus_name()]
    out = t.run_as(user, child)
    if out[0] == 'error':
        raise PythonError(out[1], out[2])
    return out[1]


def python_error(user, dest, path, iface, method, *args, signature=''):
    """The PythonError the call must end with."""
    try:
        reply = python_call(user, dest, path, iface, method, *args, signature=signature)
    except PythonError as e:
        return e
    raise AssertionError('%s.%s on %s succeeded (%r); expected an error'
                         % (iface, method, path, reply))


# ---- sessions with the real backend client (no server needed until Connect) ----

def temp_dir():
    """A directory for the test's profiles, removed after its last case."""
    tmp = tempfile.mkdtemp(prefix='ovpn3-compat-')
    t.cleanup(lambda: shutil.rmtree(tmp, ignore_errors=True))
    return tmp


def real_profile(tmp, **kw):
    """A profile the real backend client accepts (throw-away PKI in tmp),
    asking for a username and password unless auth_user_pass=False."""
    import ovpn3server as lab
    pki = os.path.join(tmp, 'pki')
    if not os.path.isdir(pki):
        os.mkdir(pki)
        lab.make_pki(pki)
    return lab.profile_text(pki, **kw)


def start_session(user, name, text):
    """Import + NewTunnel as user (waits for SESS_CREATED); returns
    (config path, session path)."""
    import sesstest as s
    cfg = s.import_profile(user, name, text)
    return cfg, s.start_session(user, cfg)
