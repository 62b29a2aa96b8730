#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Issue 12, item 6: who may reroute the host (docs/security.md §6, host-wide
sessions), with the stand-in backend client.

- A profile that configures redirect-gateway, or whose dns-scope override is
  global, asks polkit net.openvpn.v3.session.start-host-wide at NewTunnel with
  the caller's interactive flag passed through; refused -> AccessDenied that
  says what and why, nothing is created; allowed -> it starts.
- Any other profile asks without interaction (even when the call allows
  it), starts either way, and the answer reaches the backend client as its
  `host_wide` property, for every backend of the session (automatic restart
  included: kept, not asked again).
- Root is authorised without asking polkit."""

import os
import signal

import ovpn3test as t
import sesstest as s

ACTION = 'net.openvpn.v3.session.start-host-wide'
INTERACTIVE = 1


def backend_host_wide(bus, path):
    """The backend's host_wide, read as the service user (the bus lets only
    it talk to backend clients)."""
    pid = t.get_property(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'backend_pid')
    return t.run_as(t.service_user(), lambda b: t.get_property(
        b, 'net.openvpn.v3.backends.be%d' % pid, '/net/openvpn/v3/backends/session',
        s.BACKENDS_IFACE, 'host_wide'))


def new_tunnel(user, cfg, interactive):
    return t.run_as(user, s.new_tunnel_flags, cfg, interactive, fresh=True)


def stop(user, events, path):
    s.session_call(user, path, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)


t.require_devbus()
bus = t.system_bus()
events = s.Events(bus)
polkit = s.PolkitCalls()
a = t.USER_A
t.polkit_deny_all()


def test_import_profiles_needing_and_not_needing_host_wide():
    global dns, plain, rg, tunnel
    rg = s.import_profile(a, 'autologin-rg', s.PROFILE + 'redirect-gateway def1\n')
    dns = s.import_profile(a, 'autologin-dns')
    t.call_as(a, t.CONFIG_NAME, dns, s.CONFIG_IFACE, 'SetOverride', 'dns-scope',
              t.dbus.String('global'), signature='sv')
    plain = s.import_profile(a, 'autologin-plain')
    t.call_as(a, t.CONFIG_NAME, plain, s.CONFIG_IFACE, 'SetOverride', 'automatic-restart',
              t.dbus.String('on-failure'), signature='sv')
    tunnel = s.import_profile(a, 'autologin-tunnel-dns')
    t.call_as(a, t.CONFIG_NAME, tunnel, s.CONFIG_IFACE, 'SetOverride', 'dns-scope',
              t.dbus.String('tunnel'), signature='sv')


# (a) configured: refused with what and why; the interactive flag passes through
def test_configured_host_wide_refused_with_what_and_why():
    before = t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                    'FetchAvailableSessions')
    for cfg, what in ((rg, 'redirect-gateway'), (dns, 'dns-scope global')):
        for interactive in (True, False):
            mark = polkit.mark()
            e = t.expect_error(lambda: new_tunnel(a, cfg, interactive), s.ACCESS_DENIED, ACTION)
            assert what in e.message and 'whole host' in e.message, e.message
            flags = INTERACTIVE if interactive else 0
            assert polkit.calls(mark) == [(ACTION, flags)], polkit.calls(mark)
    print('refused:', e.message)
    assert t.call(bus, t.SESSIONS_NAME, t.SESSIONS_PATH, s.SESSIONS_IFACE,
                  'FetchAvailableSessions') == before
    assert not s.backend_processes(), 'a backend was started for a refused profile'


# allowed: it starts, and the backend may reroute
def test_allowed_host_wide_starts_and_may_reroute():
    t.polkit_allow(ACTION)
    mark = polkit.mark()
    path = new_tunnel(a, rg, True)
    assert polkit.calls(mark) == [(ACTION, INTERACTIVE)], polkit.calls(mark)
    assert backend_host_wide(bus, path) is True
    stop(a, events, path)


# other profiles: asked without interaction, never refused, the answer kept
def test_other_profiles_asked_without_interaction_never_refused():
    global kept
    for allowed in (False, True):
        t.polkit_allow(ACTION) if allowed else t.polkit_deny_all()
        for cfg in (plain, tunnel):
            mark = polkit.mark()
            path = new_tunnel(a, cfg, True)
            assert polkit.calls(mark) == [(ACTION, 0)], polkit.calls(mark)
            assert backend_host_wide(bus, path) is allowed, (cfg, allowed)
            if cfg == plain and allowed:
                kept = path
            else:
                stop(a, events, path)


# automatic restart: the new backend gets the answer of NewTunnel, polkit is not asked
def test_automatic_restart_reuses_the_answer_without_polkit():
    t.polkit_deny_all()
    s.session_call(a, kept, 'Connect')
    s.wait_status(a, kept, 2, 7)
    pid1 = s.session_get(a, kept, 'backend_pid')
    mark = polkit.mark()
    os.kill(pid1, signal.SIGKILL)
    t.wait_until(lambda: s.session_get(a, kept, 'backend_pid') not in (pid1, 0), t.scaled(8),
                 'a new backend client')
    s.wait_status(a, kept, 2, 7)
    assert backend_host_wide(bus, kept) is True
    assert polkit.calls(mark) == [], polkit.calls(mark)
    stop(a, events, kept)


# root: authorised without asking
def test_root_authorised_without_asking():
    mark = polkit.mark()
    path = s.new_tunnel_flags(bus, rg, True)
    events.wait_for(path, s.SESS_CREATED)
    assert backend_host_wide(bus, path) is True
    assert polkit.calls(mark) == [], polkit.calls(mark)
    t.call(bus, t.SESSIONS_NAME, path, s.SESSIONS_IFACE, 'Disconnect')
    events.wait_for(path, s.SESS_DESTROYED)
    polkit.stop()


t.main()
