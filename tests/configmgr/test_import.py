#!/usr/bin/python3
"""Import, Fetch, FetchJSON, Validate, lookups, events and Remove through
the real net.openvpn.v3.configuration service on a devbus system bus."""
import json
import os
import stat
import subprocess

import ovpn3test as t
from cfgtest import (BUS, GDBUSPP, IFACE, MGR, PROFILE, get, import_profile, mgr_call, obj_call,
                     set_)

t.require_devbus()
bus = t.system_bus()


# manager properties
def test_manager_has_upstreams_properties_and_no_profiles():
    assert mgr_call(bus, 'FetchAvailableConfigs') == [], 'a fresh configuration manager lists profiles'
    assert t.get_property(bus, BUS, MGR, IFACE, 'version') == 'v27'
    assert t.get_property(bus, BUS, MGR, IFACE, 'implementation').startswith('ovpn3 ')
    allprops = t.call(bus, BUS, MGR, t.PROPS, 'GetAll', IFACE, signature='s')
    assert set(allprops) == {'version', 'implementation'}, allprops
    t.call(bus, BUS, MGR, 'org.freedesktop.DBus.Peer', 'Ping')


def test_persistent_import_creates_object_event_and_0600_state_file():
    global events, path, state
    events = t.Signals(bus, signal_name='ConfigurationManagerEvent', dbus_interface=IFACE,
                       path=MGR)

    # Import (persistent) → object, event, state file 0600 with upstream's keys (docs/dbus-api.md §9.1)
    path = import_profile(bus, 'basic', persistent=True)
    assert path.startswith('/net/openvpn/v3/configuration/'), path
    ev = events.wait(1)[0]
    assert ev['args'] == [path, 1, 0], ev
    state = os.path.join('/var/lib/ovpn3/configs', path.rsplit('/', 1)[1] + '.json')
    st = os.stat(state)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    data = json.load(open(state))
    for key in ('object_path', 'owner', 'name', 'import_timestamp', 'last_used_timestamp',
                'locked_down', 'transfer_owner_session', 'readonly', 'single_use', 'used_count',
                'valid', 'dco', 'public_access', 'acl', 'overrides', 'profile'):
        assert key in data, key
    assert data['object_path'] == path and data['name'] == 'basic' and data['owner'] == 0
    assert data['profile']['remote'] == [['192.0.2.1', '1194']], data['profile']


# properties of a fresh profile
def test_fresh_profile_has_default_properties():
    props = t.call(bus, BUS, path, t.PROPS, 'GetAll', IFACE, signature='s')
    assert props['name'] == 'basic' and props['valid'] is True and props['persistent'] is True
    assert props['single_use'] is False and props['readonly'] is False and props['used_count'] == 0
    assert props['acl'] == [] and props['tags'] == [] and props['overrides'] == {}
    assert props['import_timestamp'] > 1700000000


# Fetch renders a profile that imports back to the same thing
def test_fetch_renders_a_profile_that_imports_back_the_same():
    global again
    text = obj_call(bus, path, 'Fetch')
    assert 'remote 192.0.2.1 1194' in text and '<ca>' in text
    again = import_profile(bus, 'again', text)
    assert obj_call(bus, again, 'FetchJSON') == obj_call(bus, path, 'FetchJSON')
    fj = json.loads(obj_call(bus, path, 'FetchJSON'))
    assert fj['dev'] == ['tun'] and fj['client'] == [] and fj['ca'].startswith('-----BEGIN')


# Validate: ok, and upstream's text for an incomplete profile
def test_validate_names_the_missing_options():
    global partial
    obj_call(bus, path, 'Validate')
    partial = import_profile(bus, 'partial', 'dev tun\n')
    assert get(bus, partial, 'valid') is False
    e = t.expect_error(lambda: obj_call(bus, partial, 'Validate'), GDBUSPP)
    assert e.message == ('Configuration profile is missing required options: --ca, '
                         '--client or --tls-client, --remote'), e.message


# refused directives: the exact error, nothing created
def test_refused_directives_give_the_exact_error_and_create_nothing():
    before = mgr_call(bus, 'FetchAvailableConfigs')
    e = t.expect_error(lambda: import_profile(bus, 'bad', PROFILE + 'up /bin/sh\n'), GDBUSPP)
    assert e.message.startswith("Invalid configuration profile: line ") and "'up' is not allowed" in e.message, e.message
    t.expect_error(lambda: import_profile(bus, 'bad', 'plugin /x.so\n'), GDBUSPP,
                   "Invalid configuration profile: line 1: 'plugin' is not allowed (loads code into openvpn)")
    t.expect_error(lambda: import_profile(bus, 'bad', 'client\nca /etc/ssl/ca.pem\n'), GDBUSPP,
                   'Invalid configuration profile: line 2')
    t.expect_error(lambda: import_profile(bus, 'bad', 'x' * (2 * 1024 * 1024)), GDBUSPP,
                   'Invalid configuration profile')
    t.expect_error(lambda: import_profile(bus, '', PROFILE), 'org.freedesktop.DBus.Error.InvalidArgs')
    t.expect_error(lambda: import_profile(bus, 'a\nb', PROFILE), 'org.freedesktop.DBus.Error.InvalidArgs')
    assert mgr_call(bus, 'FetchAvailableConfigs') == before


# lookups and searches
def test_lookups_and_searches_find_by_name_tag_and_owner():
    assert mgr_call(bus, 'LookupConfigName', 'basic', signature='s') == [path]
    assert mgr_call(bus, 'LookupConfigName', 'nope', signature='s') == []
    obj_call(bus, path, 'AddTag', 'work', signature='s')
    assert mgr_call(bus, 'SearchByTag', 'work', signature='s') == [path]
    assert mgr_call(bus, 'SearchByTag', 'home', signature='s') == []
    assert sorted(mgr_call(bus, 'SearchByOwner', '0', signature='s')) == sorted(
        [path, again, partial])
    assert sorted(mgr_call(bus, 'SearchByOwner', 'root', signature='s')) == sorted(
        [path, again, partial])
    t.expect_error(lambda: mgr_call(bus, 'SearchByOwner', 'no-such-user-xyz', signature='s'),
                   'org.freedesktop.DBus.Error.InvalidArgs', 'No such user')


# LookupConfigName follows renames and removals (the manager keeps an index by name)
def test_lookup_by_name_follows_renames_duplicates_and_removals():
    a = import_profile(bus, 'twin')
    b = import_profile(bus, 'twin')
    assert sorted(mgr_call(bus, 'LookupConfigName', 'twin', signature='s')) == sorted([a, b])
    set_(bus, a, 'name', 'single')
    assert mgr_call(bus, 'LookupConfigName', 'twin', signature='s') == [b]
    assert mgr_call(bus, 'LookupConfigName', 'single', signature='s') == [a]
    obj_call(bus, b, 'Remove')
    assert mgr_call(bus, 'LookupConfigName', 'twin', signature='s') == []
    set_(bus, a, 'name', 'twin')
    assert mgr_call(bus, 'LookupConfigName', 'twin', signature='s') == [a]
    assert mgr_call(bus, 'LookupConfigName', 'single', signature='s') == []
    obj_call(bus, a, 'Remove')
    assert mgr_call(bus, 'LookupConfigName', 'twin', signature='s') == []


# TransferOwnership (root)
def test_root_transfers_ownership():
    mgr_call(bus, 'TransferOwnership', again, 4242, signature='ou')
    assert get(bus, again, 'owner') == 4242
    t.expect_error(lambda: mgr_call(bus, 'TransferOwnership', MGR + '/nope', 1, signature='ou'),
                   'org.freedesktop.DBus.Error.InvalidArgs')


# SetOption is accepted and ignored
def test_set_option_is_accepted_and_ignored():
    obj_call(bus, path, 'SetOption', 'verb', '5', signature='ss')


# single-use + non-persistent: no state file
def test_single_use_non_persistent_profile_has_no_state_file():
    su = import_profile(bus, 'single', single_use=True)
    assert get(bus, su, 'single_use') is True and get(bus, su, 'persistent') is False
    assert not os.path.exists(os.path.join('/var/lib/ovpn3/configs', su.rsplit('/', 1)[1] + '.json'))


# Remove: object gone, file gone, CFG_DESTROYED
def test_remove_deletes_object_and_file_and_emits_cfg_destroyed():
    obj_call(bus, path, 'Remove')
    events.wait_for([path, 2, 0], what='CFG_DESTROYED for %s' % path)
    assert not os.path.exists(state)
    e = t.expect_error(lambda: get(bus, path, 'name'))
    assert 'UnknownMethod' in e.name or 'UnknownObject' in e.name or 'does not exist' in e.message, e
    assert path not in mgr_call(bus, 'FetchAvailableConfigs')


# gdbus introspect shows upstream's interface on the manager
def test_introspection_shows_upstreams_manager_interface():
    out = subprocess.run(['gdbus', 'introspect', '--system', '--dest', BUS, '--object-path', MGR],
                         check=True, capture_output=True, text=True).stdout
    for member in ('Import(', 'FetchAvailableConfigs(', 'LookupConfigName(', 'SearchByTag(',
                   'SearchByOwner(', 'TransferOwnership(', 'ConfigurationManagerEvent(',
                   'readonly s version'):
        assert member in out, member


t.main()
