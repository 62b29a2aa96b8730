#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Web login (OPEN_URL / SESS_AUTH_URL, docs/dbus-api.md §7.2) with session-start: the URL is
printed;
with a desktop session (DISPLAY) it is opened with xdg-open (a stand-in that records the URL
and "logs in"); without one only printed, and the session connects once the user has logged in. A URL that is not https: is
neither opened nor shown as a login link, even when a backend passes it on.
The backend is tests/cli/fake_webauth_client.py (OVPN3_CLIENT_BINARY)."""

import os
import shutil
import subprocess
import tempfile

import clitest as c
import ovpn3test as t

URL = 'https://login.example.test/saml?session=4711'


def test_web_login():
    c.remove_all()
    d = tempfile.mkdtemp(prefix='ovpn3-cli-web-')
    try:
        os.chmod(d, 0o777)
        os.mkdir(d + '/bin')
        with open(d + '/bin/xdg-open', 'w') as f:
            f.write('#!/bin/sh\necho "$1" > "%s/url"\ntouch "%s/done-desktop"\n' % (d, d))
        os.chmod(d + '/bin/xdg-open', 0o755)
        env = {'PATH': d + '/bin:/usr/bin:/bin', 'DISPLAY': ':99'}

        # with a desktop: opened in the "browser", which logs in
        with c.ProfileDir() as pd:
            c.import_profile(pd.inline_profile(), '--name',
                             'autologin-webauth:%s/done-desktop' % d, user=c.USER_A)
        r = c.run('session-start', '--config', 'autologin-webauth:%s/done-desktop' % d,
                  '--timeout', '30', user=c.USER_A, env=env)
        assert r.rc == 0, r
        assert 'Log in with your web browser: ' + URL in r.out, r
        assert 'Status: waiting for web login' in r.out and 'Connected' in r.out, r
        with open(d + '/url') as f:
            assert f.read().strip() == URL

        # no desktop: printed only; the user logs in elsewhere
        os.unlink(d + '/url')
        env = {'PATH': d + '/bin:/usr/bin:/bin'}
        with c.ProfileDir() as pd:
            c.import_profile(pd.inline_profile(), '--name',
                             'autologin-webauth:%s/done-elsewhere' % d, user=c.USER_A)
        proc_args = ('session-start', '--config', 'autologin-webauth:%s/done-elsewhere' % d,
                     '--timeout', '30')
        p = subprocess.Popen([c.OVPN3] + list(proc_args), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True,
                             env=dict(c._env(None), **env), **c._user_kwargs(c.USER_A))
        t.wait_until(lambda: any(s['status']['minor'] == 22 for s in
                                 c.list_sessions(user=c.USER_A)), what='the web login status')
        assert not os.path.exists(d + '/url'), 'xdg-open ran without a desktop'
        # session-auth lists it as waiting for a web login
        r = c.ok('session-auth', user=c.USER_A)
        assert 'web login' in r.out, r
        open(d + '/done-elsewhere', 'w').close()
        out, err = p.communicate(timeout=t.CEILING)
        assert p.returncode == 0, (out, err)
        assert 'Log in with your web browser: ' + URL in out and 'Connected' in out, out
        for s in c.list_sessions(user=c.USER_A):
            c.ok('session-manage', '--path', s['path'], '--disconnect', user=c.USER_A)

        # not https: (the stand-in passes anything on): neither opened nor shown as a link
        env = {'PATH': d + '/bin:/usr/bin:/bin', 'DISPLAY': ':99'}
        for url, scheme in (('http://login.example.test/saml', 'http'),
                            ('javascript:alert(1)', 'javascript')):
            name = 'autologin-webauth:%s/done-%s|%s' % (d, scheme, url)
            open('%s/done-%s' % (d, scheme), 'w').close()   # "logged in" elsewhere
            with c.ProfileDir() as pd:
                c.import_profile(pd.inline_profile(), '--name', name, user=c.USER_A)
            r = c.run('session-start', '--config', name, '--timeout', '30', user=c.USER_A,
                      env=env)
            assert r.rc == 0, r
            assert ('Not opening the web login URL "%s": the server sent a \'%s:\' URL; only '
                    'https: URLs are opened' % (url, scheme)) in r.out, r
            assert 'Log in with your web browser' not in r.out, r
            assert not os.path.exists(d + '/url'), 'xdg-open ran for ' + url
            for s in c.list_sessions(user=c.USER_A):
                c.ok('session-manage', '--path', s['path'], '--disconnect', user=c.USER_A)
    finally:
        shutil.rmtree(d, ignore_errors=True)


t.require_devbus()
t.main(independent=True)
