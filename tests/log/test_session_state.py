#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Nothing per session stays in the log service once the session is over (issue 14
item 6, bench/soak): when no backend serves a session and no log proxy is left, the
service writes a debug line with what it still holds (G_MESSAGES_DEBUG, set by
tests/log/meson.build): Attach records, log proxies, cached callers' credentials and
cached LookupBackend answers. Two sessions in a row, each with its backend (attached,
assigned, sending a status) and a log proxy for a subscriber, end the same way; the
second leaves exactly what the first left, and that is what was there before: no
record, proxy or cache entry per session."""

import re

import ovpn3test as t
from logactor import LOG_IFACE, Actor, FakeBackend, FakeSessionManager, log_owner, session_path

LINE = re.compile(r'No session left: (\d+) attached, (\d+) log proxies, (\d+) callers known, '
                  r'(\d+) backends known')

t.require_devbus()
bus = t.system_bus()
log_owner(bus)
actors = []
t.cleanup(lambda: [a.close() for a in actors])


def lines():
    return [tuple(int(x) for x in m) for m in LINE.findall(t.service_log())]


def attached():
    return len(t.call(bus, t.LOG_NAME, t.LOG_PATH, LOG_IFACE, 'GetSubscriberList'))


def one_session():
    """A session's life as the log service sees it: its backend attaches and is
    assigned the session, a subscriber gets a log proxy and a forwarded status;
    then the backend leaves, and the subscriber. Returns the debug line's counts."""
    before, base = len(lines()), attached()
    session = session_path()
    backend = FakeBackend(session, sm=sm)
    sub = Actor(t.USER_A)
    sub.subscribe(bus_name=t.LOG_NAME, dbus_interface='net.openvpn.v3.backends', path=session)
    sm.proxy_log_events(sub.name, session)
    backend.send_status(2, 7, 'connected')
    assert len(sub.wait_received(1)) == 1
    backend.close()
    t.wait_until(lambda: attached() == base, what='the backend to detach')
    assert not lines()[before:], 'reported while a log proxy was left'
    sub.close()
    t.wait_until(lambda: len(lines()) > before, what='the no-session-left line')
    return lines()[-1]


def test_first_session_leaves_only_what_was_there_before():
    global sm, first, idle_attached
    sm = FakeSessionManager()
    actors.append(sm)
    idle_attached = attached()
    first = one_session()
    print('first session over: %d attached, %d log proxies, %d callers known, '
          '%d backends known' % first)
    assert first[0] == idle_attached == attached(), (first, idle_attached)
    assert first[1] == 0, first
    assert first[3] == 0, first


def test_second_session_leaves_the_same():
    second = one_session()
    assert second == first, (second, first)


t.main()
