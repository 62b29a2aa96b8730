#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The CLI end to end, with the real backend client, netcfg and a real openvpn 2.6 server in a
second network namespace (tests/lib/ovpn3server.py): as an ordinary user, config-import of a
profile whose certificate and key are separate files, session-start answering the user name and
password prompts on a terminal (the password never echoed), traffic through the tunnel,
sessions-list / session-stats, a wrong password reported as an authentication failure, and
a static challenge (OTP) prompt with a profile started straight from its file, and
session-manage --disconnect leaving nothing behind."""

import os
import re
import shutil
import subprocess
import tempfile

import clitest as c
import ovpn3server as lab  # the test server (tests/lib), shared with the client tests
import ovpn3test as t


def ping(dev):
    r = subprocess.run(['ping', '-n', '-q', '-c', '2', '-W', '3', '-I', dev, lab.SERVER_TUN_IP],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode == 0


def sessions():
    return c.ok('sessions-list', '--json', user=c.USER_A).json()


def test_connect_with_the_cli():
    c.remove_all()
    tmp = tempfile.mkdtemp(prefix='ovpn3-cli-e2e-')
    server = None
    try:
        pki = tmp + '/pki'
        os.mkdir(pki)
        lab.make_pki(pki)
        server = lab.Server(tmp, pki)
        with c.ProfileDir(owner=c.USER_A) as d:
            for name in ('ca.crt', 'client.crt'):
                d.write('keys/' + name, lab.read(os.path.join(pki, name)))
            d.write('keys/client.key', lab.read(os.path.join(pki, 'client.key')), mode=0o600)
            prof = d.write('e2e.ovpn', 'client\ndev tun\nproto udp\nremote %s 1194\nnobind\n'
                           'verb 3\nconnect-retry 1 1\nauth-user-pass\nca keys/ca.crt\n'
                           'cert keys/client.crt\nkey keys/client.key\n' % lab.SERVER_IP)
            r = c.ok('config-import', '--config', prof, '--name', 'e2e', user=c.USER_A)
            assert '3 referenced files inlined' in r.out, r

        rc, out = c.run_pty('session-start', '--config', 'e2e', '--timeout', '90',
                            user=c.USER_A,
                            answers=[('Auth User name: ', lab.USERNAME),
                                     ('Auth Password: ', lab.PASSWORD)])
        print(out)
        assert rc == 0, out
        assert lab.PASSWORD not in out, 'the password was echoed'
        assert 'Connected' in out and 'to %s port 1194 (udp)' % lab.SERVER_IP in out, out
        dev = re.search(r' on (ovpn3t\S+)\.', out).group(1)
        assert ping(dev), 'no traffic through the tunnel'
        [s] = sessions()
        assert s['status']['text'] == 'connected' and s['device_name'] == dev, s
        t.wait_until(lambda: c.ok('session-stats', '--interface', dev, '--json',
                                  user=c.USER_A).json()['statistics'].get('BYTES_IN', 0) > 0,
                     what='BYTES_IN')
        r = c.ok('session-manage', '--interface', dev, '--disconnect', user=c.USER_A)
        assert 'Session disconnected.' in r.out and 'Received' in r.out, r
        t.wait_until(lambda: sessions() == [], what='the session to go')
        t.wait_until(lambda: dev not in lab.sh('ip', '-o', 'link', 'show'), 20,
                     'the tun device to go')

        # a wrong password: an authentication failure in plain words, the session ended
        rc, out = c.run_pty('session-start', '--config', 'e2e', '--timeout', '90',
                            user=c.USER_A,
                            answers=[('Auth User name: ', lab.USERNAME),
                                     ('Auth Password: ', 'wrong-password')])
        print(out)
        assert rc == c.EXIT_ERROR and 'authentication failed' in out, out
        assert 'Check the user name and password' in out, out
        t.wait_until(lambda: sessions() == [], what='the failed session to go')

        # a static challenge (an OTP): asked after the password, by its own text, echoed
        otp = '424242'

        def policy(kind, env):
            if env.get('username') == lab.USERNAME and env.get('password') == 'SCRV1:%s:%s' % (
                    lab.b64(lab.PASSWORD), lab.b64(otp)):
                return ('auth',)
            return ('deny', 'bad OTP')
        server.policy = policy
        with c.ProfileDir(owner=c.USER_A) as d:
            prof = d.write('otp.ovpn', 'client\ndev tun\nproto udp\nremote %s 1194\nnobind\n'
                           'connect-retry 1 1\nauth-user-pass\nstatic-challenge "Enter OTP" 1\n'
                           % lab.SERVER_IP + ''.join(
                               '<%s>\n%s</%s>\n' % (tag, lab.read(os.path.join(pki, f)), tag)
                               for tag, f in (('ca', 'ca.crt'), ('cert', 'client.crt'),
                                              ('key', 'client.key'))))
            # started straight from the file: imported for this session only
            rc, out = c.run_pty('session-start', '--config', prof, '--timeout', '90',
                                user=c.USER_A,
                                answers=[('Auth User name: ', lab.USERNAME),
                                         ('Auth Password: ', lab.PASSWORD),
                                         ('Enter OTP: ', otp)])
        print(out)
        assert rc == 0 and 'Connected' in out, out
        assert 'Enter OTP: ' + otp in out and lab.PASSWORD not in out, out
        c.ok('session-manage', '--config', prof, '--disconnect', user=c.USER_A)
        t.wait_until(lambda: sessions() == [], what='the OTP session to go')
    finally:
        for s in (sessions() if server else []):
            c.run('session-manage', '--path', s['path'], '--disconnect', user=c.USER_A)
        if server is not None:
            server.close()
        shutil.rmtree(tmp, ignore_errors=True)


t.require_devbus()
t.main(independent=True)
