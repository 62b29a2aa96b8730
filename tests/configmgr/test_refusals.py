#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Refusals that change nothing: Import of a profile with no directive at all
(empty, or only comments and blank lines), and AccessGrant of (uid_t) -1 or
of a uid that names no user, each with a clear error naming the problem."""
import ovpn3test as t
from cfgtest import A, GDBUSPP, PROFILE, get, import_profile, mgr_call, obj_call

INVALID_ARGS = 'org.freedesktop.DBus.Error.InvalidArgs'

t.require_devbus()


def listed():
    return sorted(t.run_as(A, lambda bus: mgr_call(bus, 'FetchAvailableConfigs')))


def test_import_without_directives_refused_and_leaves_nothing():
    before = listed()
    for what, text in (('empty', ''), ('blank lines', '\n\n  \n\t\n'),
                       ('comments only', '# a comment\n; another\n\n   # indented\n')):
        for persistent in (False, True):
            e = t.expect_error(lambda: t.run_as(A, import_profile, 'nothing', text, False, persistent),
                               GDBUSPP, 'no directive')
            assert 'Invalid configuration profile' in e.message, e.message
            print('Import (%s, persistent=%s) refused: %s' % (what, persistent, e.message))
    assert listed() == before, 'a refused Import left a profile: %s' % listed()


def test_access_grant_of_invalid_or_unknown_uid_refused():
    global path
    path = t.run_as(A, import_profile, 'grant-refusals', PROFILE)
    unknown = t.unused_uid()
    for uid, needle in ((4294967295, 'UID 4294967295'), (unknown, 'UID %d' % unknown)):
        e = t.expect_error(lambda: t.call_as(A, 'net.openvpn.v3.configuration', path,
                                             'net.openvpn.v3.configuration', 'AccessGrant',
                                             t.dbus.UInt32(uid), signature='u'), INVALID_ARGS, needle)
        print('AccessGrant(%d) on a profile refused: %s' % (uid, e.message))
        assert t.run_as(A, get, path, 'acl') == [], 'the refused grant changed the ACL'


# a real user is still granted, the refusals left no trace
def test_real_user_still_granted_refusals_left_no_trace():
    uid_b = t.pwd.getpwnam(t.USER_B).pw_uid
    t.run_as(A, lambda bus: obj_call(bus, path, 'AccessGrant', t.dbus.UInt32(uid_b), signature='u'))
    assert t.run_as(A, get, path, 'acl') == [uid_b]


t.main()
