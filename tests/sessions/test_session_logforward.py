#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""LogForward (docs/dbus-api.md §7.5): the owner gets the backend's StatusChange and
Log as (uus) from the log service (sender net.openvpn.v3.log, interface
net.openvpn.v3.backends, path = the session path); LogForward(false)
removes the forwarder; restrict_log_access=false opens it to the acl list;
closing the session removes every forwarder."""

import ovpn3test as t
import sesstest as s


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
a, b = t.USER_A, t.USER_B


def test_log_forward_flows_from_connect_to_connected():
    global on, path
    cfg = s.import_profile(a, 'logforward')
    path = s.start_session(a, cfg)
    s.provide_credentials(a, path)

    log_owner, on, off, got = t.run_as(a, s.log_forward_flow, path, fresh=True)
    assert len(on) == 1 and on[0].startswith('/net/openvpn/v3/log/proxy/'), on
    assert off == [], off
    assert got, got
    for g in got:
        assert g['sender'] == log_owner, g
        assert g['interface'] == s.BACKENDS_IFACE and g['path'] == path, g
        assert g['signature'] == 'uus', g
    statuses = [tuple(g['args'][:2]) for g in got if g['member'] == 'StatusChange']
    assert (2, 6) in statuses and (2, 7) in statuses, statuses
    logs = [g['args'] for g in got if g['member'] == 'Log']
    assert any('Initialization Sequence Completed' in l[2] for l in logs), logs


# the log proxy is gone
def test_log_proxy_is_gone_after_log_forward_false():
    e = t.expect_error(lambda: t.run_as(t.service_user(), lambda bus: t.call(
        bus, t.LOG_NAME, on[0], t.PROPS, 'GetAll', 'net.openvpn.v3.log', signature='s')),
        'org.freedesktop.DBus.Error.UnknownMethod')
    assert 'Object does not exist' in e.message, e


# restrict_log_access=false: the acl list may forward too
def test_restrict_log_access_false_lets_the_acl_list_forward():
    uid_b = t.uid_of(b)
    s.session_call(a, path, 'AccessGrant', uid_b, signature='u')
    t.expect_error(lambda: s.session_call(b, path, 'LogForward', True, signature='b'),
                   s.ACCESS_DENIED)
    t.run_as(a, lambda bus: t.set_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE,
                                           'restrict_log_access', t.dbus.Boolean(False)))
    s.session_call(a, path, 'Restart')
    s.wait_status(a, path, 2, 7)


def forward_and_wait(bus_b):
    t.call(bus_b, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'LogForward', True,
           signature='b')
    return t.get_property(bus_b, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'log_forwards')


# a forwarder made for B's connection; B's process stays until Disconnect
def test_forwarder_for_bs_connection_lives_until_disconnect():
    proxies = []

    proxies = t.run_as(b, forward_and_wait)
    assert len(proxies) == 1, proxies


# B's connection closed: the log service drops the proxy, the session forgets it
def test_closed_connection_drops_the_proxy_and_the_session_forgets_it():
    t.wait_until(lambda: s.session_get(a, path, 'log_forwards') == [],
                 what='log_forwards to empty after the receiver left')

    s.session_call(a, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


t.main()
