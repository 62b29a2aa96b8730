#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A stand-in backend client for the web-login tests: tests/sessions/fake_client.py, except that
Connect asks for a web login (StatusChange (3,22) and AttentionRequired (1,9) with the URL,
docs/dbus-api.md §7.2) and Ready fails with "Pending web authentication" until the login is done.
The
"browser" signals that by creating the file named after 'webauth:' in the profile's name;
then the session connects. A name 'webauth:<file>|<url>' sends <url> instead (a real ovpn3
backend refuses URLs that are not https:; this one passes anything on, as a hostile or other
service might)."""

import os
import sys

from gi.repository import GLib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'sessions'))
import fake_client as base  # noqa: E402

URL = 'https://login.example.test/saml?session=4711'


_Base = base.Backend


class WebAuthBackend(_Base):
    web_pending = False

    def done_file(self):
        return self.config_name.split('webauth:', 1)[1].split('|', 1)[0]

    def url(self):
        rest = self.config_name.split('webauth:', 1)[1]
        return rest.split('|', 1)[1] if '|' in rest else URL

    def Ready(self, sender=None):
        if self.web_pending:
            raise base.Error('net.openvpn.v3.error.ready',
                             'GDBus.Error:net.openvpn.v3.error.ready: Pending web authentication')
        return _Base.Ready(self, sender=sender)

    def Connect(self, sender=None):
        self.check_caller(sender)
        self.set_status(2, 6, '')
        self.web_pending = True
        self.send('AttentionRequired', 'uus', (1, 9, self.url()))
        self.set_status(3, 22, self.url())
        GLib.timeout_add(100, self.poll_login)

    def poll_login(self):
        if not os.path.exists(self.done_file()):
            return True
        self.web_pending = False
        self.connected = True
        self.set_status(2, 7, '')
        return False


# the D-Bus method table is built from the decorated base methods; re-decorate ours
for name, sig_in, sig_out in (('Ready', '', ''), ('Connect', '', '')):
    fn = getattr(WebAuthBackend, name)
    setattr(WebAuthBackend, name, base.dbus.service.method(
        base.IFACE, in_signature=sig_in, out_signature=sig_out, sender_keyword='sender')(fn))

base.Backend = WebAuthBackend

if __name__ == '__main__':
    sys.exit(base.main())
