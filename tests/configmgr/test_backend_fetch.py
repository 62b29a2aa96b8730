#!/usr/bin/python3
"""Of the service user, only the session manager and the backend client of a
session that uses the profile may Fetch/FetchJSON it (docs/security.md §5); the
session manager's own read is no use, the backend's Fetch counts as a use and
removes a single-use profile. A stand-in session manager
(tests/lib/ovpn3sessions.py) says which process is which session's backend,
as sessionmgr's LookupBackend does."""
import ovpn3sessions
import ovpn3test as t
from cfgtest import ACCESS_DENIED, BUS, IFACE, get, import_profile, mgr_call, \
    obj_call

t.require_devbus()
bus = t.system_bus()
svc = t.service_user()
events = t.Signals(bus, signal_name='ConfigurationManagerEvent', dbus_interface=IFACE)
sm = ovpn3sessions.SessionsStandIn()


def backend_fetch(b, path, backend_of=None, method='Fetch'):
    """As a process of the service user; backend_of: the profile of the
    session the stand-in session manager says it serves (None: none)."""
    if backend_of is not None:
        sm.add(b.get_unique_name(), config_path=backend_of, pid=1234)
    return t.call(b, BUS, path, IFACE, method)


def test_import_two_persistent_profiles():
    global other, path
    path = import_profile(bus, 'used', persistent=True)
    other = import_profile(bus, 'other', persistent=True)
    assert get(bus, path, 'used_count') == 0 and get(bus, path, 'last_used_timestamp') == 0


# plain reads do not count: root, the session manager
def test_plain_reads_do_not_count_as_use():
    obj_call(bus, path, 'Fetch')
    assert 'remote' in sm.call(BUS, path, IFACE, 'Fetch')
    assert '"remote"' in sm.call(BUS, path, IFACE, 'FetchJSON')


# refused: a process of the service user with no session, the backend of
# another profile's session
def test_strangers_and_other_backends_are_refused():
    for method in ('Fetch', 'FetchJSON'):
        t.expect_error(lambda: t.run_as(svc, backend_fetch, path, None, method), ACCESS_DENIED)
        t.expect_error(lambda: t.run_as(svc, backend_fetch, path, other, method), ACCESS_DENIED)


def ended_backend(b):
    session = sm.add(b.get_unique_name(), config_path=path)
    t.call(b, BUS, path, IFACE, 'Fetch')
    sm.destroy(session)
    # a call from the same connection as the signal: configmgr has seen it
    sm.call(BUS, '/net/openvpn/v3/configuration', t.PROPS, 'Get', IFACE, 'version',
            signature='ss')
    t.call(b, BUS, path, IFACE, 'Fetch')


# a backend whose session ended (SESS_DESTROYED) is a stranger again
def test_ended_backend_is_a_stranger_again():
    t.expect_error(lambda: t.run_as(svc, ended_backend), ACCESS_DENIED)
    t.wait_until(lambda: get(bus, path, 'used_count') == 1, what='used_count 1 (the ended backend)')
    obj_call(bus, path, 'AddTag', 'reset-check', signature='s')


# a backend of a session of this profile: a use each time
def test_backend_of_this_profile_counts_a_use_each_time():
    assert 'remote' in t.run_as(svc, backend_fetch, path, path)
    t.wait_until(lambda: get(bus, path, 'used_count') == 2, what='used_count 2')
    assert get(bus, path, 'last_used_timestamp') >= get(bus, path, 'import_timestamp')
    assert '"remote"' in t.run_as(svc, backend_fetch, path, path, 'FetchJSON')
    t.wait_until(lambda: get(bus, path, 'used_count') == 3, what='used_count 3')
    assert get(bus, other, 'used_count') == 0


# single use: removed after its backend fetched it (CFG_DESTROYED), not
# after a stranger's attempt or the session manager's read
def test_single_use_profile_removed_after_its_backend_fetched():
    su = import_profile(bus, 'once', single_use=True)
    t.expect_error(lambda: t.run_as(svc, backend_fetch, su, None), ACCESS_DENIED)
    t.expect_error(lambda: t.run_as(svc, backend_fetch, su, other), ACCESS_DENIED)
    sm.call(BUS, su, IFACE, 'FetchJSON')
    assert su in mgr_call(bus, 'FetchAvailableConfigs')
    assert 'remote' in t.run_as(svc, backend_fetch, su, su)
    t.wait_until(lambda: [su, 2, 0] in [e['args'] for e in events.received],
                 what='CFG_DESTROYED of the single-use profile')
    assert su not in mgr_call(bus, 'FetchAvailableConfigs')
    sm.close()


t.main()
