#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Journal output (sd_journal_send, read back through the devbus journal
socket): structured fields of a backend Log record, PRIORITY per category,
the level filter of docs/dbus-api.md §5, log_prefix_logtag and log_dbus_details, and
that only Attached senders are written."""

import dbus

import ovpn3test as t
from logactor import (BACKENDS_IFACE, LOG_IFACE, Actor, FakeBackend, FakeSessionManager, log_owner,
                      manager_prop, session_path)

GROUP_CONFIGMGR, GROUP_BACKENDPROC = 2, 6
CATEGORIES = {'DEBUG': 1, 'VERB2': 2, 'VERB1': 3, 'INFO': 4, 'WARN': 5, 'ERROR': 6, 'CRIT': 7,
              'FATAL': 8}
PRIORITY = {'DEBUG': '7', 'VERB2': '7', 'VERB1': '6', 'INFO': '6', 'WARN': '4', 'ERROR': '3',
            'CRIT': '2', 'FATAL': '1'}
UPSTREAM_CATEGORY = {'DEBUG': 'DEBUG', 'VERB2': 'VERB2', 'VERB1': 'VERB1', 'INFO': 'INFO',
                     'WARN': 'WARNING', 'ERROR': '-- ERROR --', 'CRIT': '!! CRITICAL !!',
                     'FATAL': '**!! FATAL !!**'}


def set_prop(bus, prop, value):
    t.set_property(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, prop, value)


def messages_until(journal, marker):
    """MESSAGEs of the records up to (and including) the one containing marker."""
    seen = []

    def match(entry):
        seen.append(entry.get('MESSAGE', ''))
        return marker in entry.get('MESSAGE', '')
    journal.wait_for(match)
    return seen


t.require_devbus()


def _cleanup():
    for actor in actors:
        actor.close()


bus = t.system_bus()


def test_backend_log_record_has_upstreams_journal_fields():
    global actors, backend, journal, session
    log_owner(bus)
    uid = str(t.run_as(t.service_user(), lambda b: __import__('os').getuid()))
    session = session_path()
    actors = []
    t.cleanup(_cleanup)

    journal = t.Journal()
    sm = FakeSessionManager()
    actors.append(sm)
    backend = FakeBackend(session, sm=sm)
    actors.append(backend)
    backend.send_log(GROUP_BACKENDPROC, CATEGORIES['INFO'], 'tunnel is up', token='tok-123')
    entry = journal.wait_for(lambda e: e.get('MESSAGE', '').endswith('tunnel is up'))
    tag = entry['OVPN3_LOG_TAG']
    assert tag.isdigit(), entry
    expected = {
        'MESSAGE': '{tag:%s} tunnel is up' % tag,
        'PRIORITY': '6',
        # ours, then upstream's (journald keeps repeated fields)
        'SYSLOG_IDENTIFIER': ['ovpn3', 'net.openvpn.v3.log'],
        'OVPN3_LOG_GROUP': 'BACKENDPROC',
        'OVPN3_LOG_CATEGORY': 'INFO',
        'OVPN3_SENDER': BACKENDS_IFACE,
        'OVPN3_SESSION_PATH': session,
        'OVPN3_SESSION_TOKEN': 'tok-123',
        '_UID': uid,
    }
    for key, value in expected.items():
        assert entry.get(key) == value, (key, entry)
    assert 'OVPN3_DBUS_BUS_NAME' not in entry, entry   # log_dbus_details is off
    subs = t.call(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'GetSubscriberList')
    assert [s[0] for s in subs if s[1] == backend.name] == [tag], subs
    # OpenVPN 3 Linux's field names (its logwriters/journald.cpp), which
    # `openvpn3-admin journal` matches and parses back
    upstream = {
        'O3_LOG_SENDER': 'net.openvpn.v3.log',
        'O3_SENDER': backend.name,
        'O3_OBJECT_PATH': '/net/openvpn/v3/backends/session',
        'O3_INTERFACE': BACKENDS_IFACE,
        'O3_SENDER_PID': str(backend.pid),
        'O3_LOGTAG': tag,
        'O3_SESSION_TOKEN': 'tok-123',
        'O3_LOG_GROUP': 'Backend Session Process',
        'O3_LOG_CATEGORY': 'INFO',
    }
    for key, value in upstream.items():
        assert entry.get(key) == value, (key, entry)


# PRIORITY follows the category; level 6 lets everything through
def test_priority_follows_the_category():
    set_prop(bus, 'log_level', dbus.UInt32(6))
    for name, category in CATEGORIES.items():
        backend.send_log(GROUP_BACKENDPROC, category, 'category %s' % name)
        entry = journal.wait_for(lambda e: e.get('MESSAGE', '').endswith('category ' + name))
        assert entry['PRIORITY'] == PRIORITY[name], (name, entry)
        assert entry['OVPN3_LOG_CATEGORY'] == name, entry
        assert entry['O3_LOG_CATEGORY'] == UPSTREAM_CATEGORY[name], entry
        assert 'OVPN3_SESSION_TOKEN' not in entry, entry   # empty token: no field
        assert 'O3_SESSION_TOKEN' not in entry, entry


# the level filter (docs/dbus-api.md §5): level N writes categories that pass it
def test_log_level_n_writes_categories_that_pass_it():
    passes = {0: {'CRIT', 'FATAL'}, 1: {'ERROR', 'CRIT', 'FATAL'},
              3: {'INFO', 'WARN', 'ERROR', 'CRIT', 'FATAL'},
              4: {'VERB1', 'INFO', 'WARN', 'ERROR', 'CRIT', 'FATAL'},
              5: set(CATEGORIES) - {'DEBUG'}}
    for level, allowed in passes.items():
        set_prop(bus, 'log_level', dbus.UInt32(level))
        for name, category in CATEGORIES.items():
            backend.send_log(GROUP_BACKENDPROC, category, 'level %d %s' % (level, name))
        backend.send_log(GROUP_BACKENDPROC, CATEGORIES['FATAL'], 'end of level %d' % level)
        seen = messages_until(journal, 'end of level %d' % level)
        written = {m.split()[-1] for m in seen if ('level %d ' % level) in m}
        assert written == allowed, (level, written, seen)


# StatusChange is written from level 4 (as VERB1), in the sender's group
def test_status_change_written_from_level_4_in_senders_group():
    set_prop(bus, 'log_level', dbus.UInt32(3))
    backend.send_status(2, 6, 'status at level 3')
    set_prop(bus, 'log_level', dbus.UInt32(4))
    backend.send_status(2, 7, 'status at level 4')
    seen = messages_until(journal, 'status at level 4')
    assert not any('status at level 3' in m for m in seen), seen
    journal.pending = []
    backend.send_status(2, 8, 'status fields')
    entry = journal.wait_for(lambda e: 'status fields' in e.get('MESSAGE', ''))
    assert entry['MESSAGE'].endswith('Status change: major=2 minor=8: status fields'), entry
    assert entry['OVPN3_LOG_GROUP'] == 'BACKENDPROC', entry
    assert entry['OVPN3_LOG_CATEGORY'] == 'VERB1', entry
    assert entry['OVPN3_SESSION_PATH'] == session, entry


# repeats of one record are collapsed into a summary
def test_repeats_collapsed_into_a_summary():
    for _ in range(5):
        backend.send_status(2, 12, 'reconnecting')
    backend.send_log(GROUP_BACKENDPROC, CATEGORIES['WARN'], 'after the repeats')
    seen = messages_until(journal, 'after the repeats')
    assert [m.split('} ', 1)[-1] for m in seen] == [
        'Status change: major=2 minor=12: reconnecting',
        'Previous message repeated 4 more times', 'after the repeats'], seen


# log_prefix_logtag off: the message is sent as is
def test_log_prefix_logtag_off_sends_message_as_is():
    set_prop(bus, 'log_level', dbus.UInt32(3))
    set_prop(bus, 'log_prefix_logtag', dbus.Boolean(False))
    backend.send_log(GROUP_BACKENDPROC, CATEGORIES['WARN'], 'no tag prefix')
    entry = journal.wait_for(lambda e: 'no tag prefix' in e.get('MESSAGE', ''))
    assert entry['MESSAGE'] == 'no tag prefix', entry


# log_dbus_details on: who sent it, from where
def test_log_dbus_details_on_names_sender_and_path():
    set_prop(bus, 'log_dbus_details', dbus.Boolean(True))
    backend.send_log(GROUP_BACKENDPROC, CATEGORIES['WARN'], 'with details')
    entry = journal.wait_for(lambda e: 'with details' in e.get('MESSAGE', ''))
    assert entry['OVPN3_DBUS_BUS_NAME'] == backend.name, entry
    assert entry['OVPN3_DBUS_PATH'] == '/net/openvpn/v3/backends/session', entry
    assert entry['OVPN3_DBUS_INTERFACE'] == BACKENDS_IFACE, entry
    set_prop(bus, 'log_dbus_details', dbus.Boolean(False))


# another attached service: (uus) Log, its group, no session fields
def test_other_attached_service_logs_in_its_group_without_session():
    global cfg
    cfg = Actor(t.service_user())
    actors.append(cfg)
    cfg.log_call('Attach', t.CONFIG_NAME, signature='s')
    cfg.emit(t.CONFIG_PATH, t.CONFIG_NAME, 'Log', 'uus',
             [GROUP_CONFIGMGR, CATEGORIES['ERROR'], 'profile import failed'])
    entry = journal.wait_for(lambda e: e.get('MESSAGE') == 'profile import failed')
    assert entry['OVPN3_LOG_GROUP'] == 'CONFIGMGR', entry
    assert entry['O3_LOG_GROUP'] == 'Config Manager', entry
    assert entry['OVPN3_SENDER'] == t.CONFIG_NAME, entry
    assert entry['PRIORITY'] == '3', entry
    assert 'OVPN3_SESSION_PATH' not in entry and 'OVPN3_SESSION_TOKEN' not in entry, entry


# not attached (or attached with another interface), bad signatures:
# nothing is written, and the service carries on
def test_unattached_senders_and_bad_signatures_write_nothing():
    stranger = Actor(t.service_user())
    actors.append(stranger)
    stranger.emit(t.CONFIG_PATH, t.CONFIG_NAME, 'Log', 'uus',
                  [GROUP_CONFIGMGR, CATEGORIES['CRIT'], 'from a stranger'])
    cfg.emit(t.CONFIG_PATH, 'net.openvpn.v3.other', 'Log', 'uus',
             [GROUP_CONFIGMGR, CATEGORIES['CRIT'], 'other interface'])
    cfg.emit(t.CONFIG_PATH, t.CONFIG_NAME, 'Log', 'us', [CATEGORIES['CRIT'], 'bad signature'])
    cfg.emit(t.CONFIG_PATH, t.CONFIG_NAME, 'Log', 'uus', [99, 99, 'odd numbers'])
    cfg.emit(t.CONFIG_PATH, t.CONFIG_NAME, 'Log', 'uus',
             [GROUP_CONFIGMGR, CATEGORIES['CRIT'], 'final marker'])
    seen = messages_until(journal, 'final marker')
    assert not any(m in ' '.join(seen) for m in
                   ('from a stranger', 'other interface', 'bad signature')), seen
    assert 'odd numbers' in seen, seen     # unknown category: written (level 3 passes it)
    assert manager_prop(bus, 'num_attached') == 2


t.main()
