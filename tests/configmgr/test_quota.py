#!/usr/bin/python3
"""Stored-bytes quotas (docs/security.md §7, services/configmgr/
config-quota.h): a profile counts its rendered text (what Fetch returns), its
name, tags and overrides. Per owner (not root) and in all; checked at Import,
SetOverride, AddTag, a longer name and TransferOwnership, with
LimitsExceeded naming the limit and nothing changed.

Runs with small limits through the test switch OVPN3_TEST_CONFIG_QUOTA
(per-user:total bytes, tests/configmgr/meson.build); the real ones are 16 MiB
and 256 MiB (services/common/ovpn3-quota.h)."""
import os

import dbus

import ovpn3test as t
from cfgtest import A, B, BUS, IFACE, MGR, PROFILE

LIMITS = 'org.freedesktop.DBus.Error.LimitsExceeded'
PER_USER, TOTAL = (int(x) for x in os.environ['OVPN3_TEST_CONFIG_QUOTA'].split(':'))
LINE = 'A' * 64

t.require_devbus()
t.require_test_switches()
root = t.system_bus()
events = t.Signals(root, signal_name='ConfigurationManagerEvent', dbus_interface=IFACE)


def text(lines):
    """basic.ovpn with `lines` more 65-byte lines in its <ca> block."""
    return PROFILE.replace('-----END CERTIFICATE-----',
                           (LINE + '\n') * lines + '-----END CERTIFICATE-----')


def imp(user, name, lines):
    args = (name, text(lines), False, False)
    if user is None:
        return t.call(root, BUS, MGR, IFACE, 'Import', *args, signature='ssbb')
    return t.call_as(user, BUS, MGR, IFACE, 'Import', *args, signature='ssbb')


def size(path):
    """What the quota counts for one profile, from what anyone can read."""
    p = t.call(root, BUS, path, t.PROPS, 'GetAll', IFACE, signature='s')
    n = len(t.call(root, BUS, path, IFACE, 'Fetch').encode()) + len(p['name'].encode())
    n += sum(len(tag.encode()) for tag in p['tags'])
    for key, value in p['overrides'].items():
        n += len(key.encode()) + (1 if isinstance(value, bool) else len(value.encode()))
    return n


def paths_of(uid):
    return t.call(root, BUS, MGR, IFACE, 'SearchByOwner', str(uid), signature='s')


def used(uid=None):
    return sum(size(p) for p in (paths_of(uid) if uid is not None
                                 else t.call(root, BUS, MGR, IFACE, 'FetchAvailableConfigs')))


def refused(fn, words):
    """fn() fails with LimitsExceeded naming the limit; no profile was made."""
    before = len(events.settle(0.1))
    e = t.expect_error(fn, LIMITS)
    assert words in e.message, e.message
    assert len(events.settle(0.2)) == before, events.received[before:]
    return e


t.polkit_allow('net.openvpn.v3.manage-others')   # root lists everyone's anyway
uid_a = t.uid_of(A)


def fill(user, uid, limit, name_prefix='f'):
    """Imports profiles as user until uid's usage is exactly limit."""
    while limit - used(uid) > 2 * base + 300 * 65 + 300:
        imp(user, name_prefix, 300)
    left = limit - used(uid)
    lines = (left - base - 1) // 65
    name = 'n' * (left - base - lines * 65)
    assert lines >= 0 and 1 <= len(name) <= 65, (left, lines)
    path = imp(user, name, lines)
    assert used(uid) == limit, (used(uid), limit)
    return path


# the rendered size grows by 65 bytes a line
def test_rendered_size_grows_65_bytes_a_line():
    global base
    probe = imp(A, 'p', 10)
    base = size(probe) - 1 - 10 * 65
    probe2 = imp(A, 'p', 20)
    assert size(probe2) - 1 == base + 20 * 65, (size(probe2), base)
    for p in (probe, probe2):
        t.call_as(A, BUS, p, IFACE, 'Remove')
    assert used(uid_a) == 0


# ---- per user -----------------------------------------------------------------
def test_per_user_limit_refuses_the_next_import():
    global last
    last = fill(A, uid_a, PER_USER)
    count = len(paths_of(uid_a))
    e = refused(lambda: imp(A, 'x', 0), 'per-user limit')
    assert 'UID %d' % uid_a in e.message and str(PER_USER) in e.message, e.message
    assert len(paths_of(uid_a)) == count


# changes that grow the profile, at the limit
def test_growing_changes_refused_at_the_limit():
    global name
    refused(lambda: t.call_as(A, BUS, last, IFACE, 'AddTag', 't', signature='s'), 'per-user limit')
    refused(lambda: t.call_as(A, BUS, last, IFACE, 'SetOverride', 'proxy-host',
                              dbus.String('h', variant_level=1), signature='sv'), 'per-user limit')
    name = t.get_property(root, BUS, last, IFACE, 'name')
    refused(lambda: t.run_as(A, lambda bus: t.set_property(bus, BUS, last, IFACE, 'name',
                                                             name + 'x')), 'per-user limit')
    p = t.call(root, BUS, last, t.PROPS, 'GetAll', IFACE, signature='s')
    assert p['name'] == name and p['tags'] == [] and p['overrides'] == {}, p


# what does not grow it is fine; what it frees can be used again
def test_shrinking_changes_fine_and_freed_space_reusable():
    t.run_as(A, lambda bus: t.set_property(bus, BUS, last, IFACE, 'name', name[:-14]))
    t.call_as(A, BUS, last, IFACE, 'AddTag', 'abc', signature='s')
    refused(lambda: t.call_as(A, BUS, last, IFACE, 'AddTag', 'd' * 12, signature='s'),
            'per-user limit')
    t.call_as(A, BUS, last, IFACE, 'RemoveTag', 'abc', signature='s')
    t.call_as(A, BUS, last, IFACE, 'SetOverride', 'proxy-host', dbus.String('h', variant_level=1),
              signature='sv')
    assert used(uid_a) == PER_USER - 3


# a longer value counts only what it adds
def test_longer_value_counts_only_what_it_adds():
    t.call_as(A, BUS, last, IFACE, 'SetOverride', 'proxy-host', dbus.String('gggg', variant_level=1),
              signature='sv')
    refused(lambda: t.call_as(A, BUS, last, IFACE, 'SetOverride', 'proxy-host',
                              dbus.String('ggggg', variant_level=1), signature='sv'), 'per-user limit')
    assert t.get_property(root, BUS, last, IFACE, 'overrides') == {'proxy-host': 'gggg'}
    assert used(uid_a) == PER_USER


# another user is not affected
def test_another_user_is_not_affected():
    imp(B, 'b', 10)


# ---- root: no per-user limit, the total applies to everyone --------------------
def test_root_has_no_per_user_limit_total_applies():
    fill(None, 0, PER_USER + 1000, 'r')
    assert used(0) > PER_USER
    fill(None, 0, TOTAL - used() + used(0), 'r')
    assert used() == TOTAL, (used(), TOTAL)
    e = refused(lambda: imp(None, 'x', 0), 'all users together')
    assert str(TOTAL) in e.message, e.message
    refused(lambda: imp(B, 'x', 0), 'all users together')


# TransferOwnership to a user at the limit: refused; the owner stays
def test_transfer_to_user_at_limit_refused():
    rootp = paths_of(0)[0]
    refused(lambda: t.call(root, BUS, MGR, IFACE, 'TransferOwnership', rootp, dbus.UInt32(uid_a),
                           signature='ou'), 'per-user limit')
    assert t.get_property(root, BUS, rootp, IFACE, 'owner') == 0


# removing frees it for everyone
def test_removing_frees_space_for_everyone():
    t.call_as(A, BUS, last, IFACE, 'Remove')
    imp(B, 'b2', 0)


t.main()
