#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in backend client for test_upstream_spellings: tests/sessions/fake_client.py, except
that a profile whose name has 'never' in it stays CONN_CONNECTING after Connect and never
connects (a server that does not answer), so that `session-start --timeout` has to end it."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sessions'))
import fake_client as base  # noqa: E402

_Base = base.Backend


class SlowBackend(_Base):
    def Connect(self, sender=None):
        if 'never' not in self.config_name:
            return _Base.Connect(self, sender=sender)
        self.check_caller(sender)
        self.set_status(2, 6, '')


# the D-Bus method table is built from the decorated base methods; re-decorate ours
SlowBackend.Connect = base.dbus.service.method(
    base.IFACE, in_signature='', out_signature='', sender_keyword='sender')(SlowBackend.Connect)

base.Backend = SlowBackend

if __name__ == '__main__':
    sys.exit(base.main())
