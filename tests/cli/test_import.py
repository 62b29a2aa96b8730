#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""config-import: reads the profile as the calling user, inlines every referenced file
(relative to the profile's folder; only inside it, without symlinks, unless
--allow-outside-files; each listed on stderr), refuses clearly (naming the file) when one
cannot be read,
maps the service's line numbers back to the user's file, --name/--persistent/--tag/--json."""

import base64
import os
import re

import clitest as c
import ovpn3test as t


def dump(path, user=None):
    return c.ok('config-dump', '--path', path, user=user).out


def block(text, tag):
    m = re.search(r'<%s>\n(.*?)</%s>\n' % (tag, tag), text, re.S)
    assert m, (tag, text)
    return m.group(1)


def test_inlines_every_kind_of_file():
    c.remove_all()
    with c.ProfileDir() as d:
        d.write('keys/ca.crt', c.PEM_CERT % 'ca')
        d.write('keys/extra.crt', c.PEM_CERT % 'extra')
        d.write('client.crt', c.PEM_CERT % 'client')
        d.write('client key.pem', c.PEM_KEY % 'key')
        d.write('tc.key', c.STATIC_KEY % 'tlscrypt')
        d.write('tc2.key', '-----BEGIN OpenVPN tls-crypt-v2 client key-----\nv2\n'
                '-----END OpenVPN tls-crypt-v2 client key-----\n')
        d.write('creds.txt', 'alice\nsecret\n')
        d.write('proxy.txt', 'puser\nppass\n')
        d.write('crl.pem', '-----BEGIN X509 CRL-----\ncrl\n-----END X509 CRL-----\n')
        p12 = bytes(range(256)) * 3
        d.write('client.p12', p12, binary=True)
        absolute_ta = d.write('ta.key', c.STATIC_KEY % 'tlsauth')
        profile = d.write('work.ovpn', '\n'.join([
            '# a comment',
            'client', 'dev tun', 'remote 127.0.0.1 1194',
            'ca keys/ca.crt',
            'extra-certs keys/extra.crt',
            'cert client.crt',
            'key "client key.pem"',
            'tls-auth %s 0' % absolute_ta,
            'crl-verify crl.pem',
            'auth-user-pass creds.txt',
            'http-proxy 127.0.0.1 3128 proxy.txt',
            '']))
        r = c.ok('config-import', '--config', profile)
        assert "Imported 'work'" in r.out, r
        assert '8 referenced files inlined' in r.out, r
        path = re.search(r'(/net/openvpn/v3/configuration/\S+)', r.out).group(1)
        text = dump(path)
        assert block(text, 'ca') == c.PEM_CERT % 'ca'
        assert block(text, 'extra-certs') == c.PEM_CERT % 'extra'
        assert block(text, 'cert') == c.PEM_CERT % 'client'
        assert block(text, 'key') == c.PEM_KEY % 'key'
        assert block(text, 'tls-auth') == c.STATIC_KEY % 'tlsauth'
        assert re.search(r'^key-direction 0$', text, re.M), text
        assert block(text, 'crl-verify').startswith('-----BEGIN X509 CRL')
        assert block(text, 'auth-user-pass') == 'alice\nsecret\n'
        assert block(text, 'http-proxy-user-pass') == 'puser\nppass\n'
        assert re.search(r'^http-proxy 127.0.0.1 3128$', text, re.M), text
        # nothing refers to a file any more
        assert 'keys/' not in text and '.txt' not in text and d.path not in text, text

        # pkcs12 is binary: base64, lines of at most 64 characters, decodes to the file
        profile2 = d.write('p12.ovpn', 'client\ndev tun\nremote 127.0.0.1\npkcs12 client.p12\n'
                           'tls-crypt tc.key\n')
        path2 = c.import_profile(profile2)
        text2 = dump(path2)
        b64 = block(text2, 'pkcs12')
        assert all(len(line) <= 64 for line in b64.splitlines())
        assert base64.b64decode(b64) == p12
        assert block(text2, 'tls-crypt') == c.STATIC_KEY % 'tlscrypt'
        profile3 = d.write('v2.ovpn', 'client\ndev tun\nremote 127.0.0.1\n<ca>\n'
                           + c.PEM_CERT % 'x' + '</ca>\ntls-crypt-v2 tc2.key\n')
        assert 'client key-----' in block(dump(c.import_profile(profile3)), 'tls-crypt-v2')


def test_name_persistent_tags_json():
    c.remove_all()
    with c.ProfileDir() as d:
        profile = d.basic('office.conf')
        j = c.ok('config-import', '--config', profile, '--json').json()
        assert j['name'] == 'office' and j['persistent'] is False and j['tags'] == []
        assert j['inlined_files'] == 4 and j['valid'] is True and j['validation_message'] is None
        assert j['path'].startswith('/net/openvpn/v3/configuration/')
        j = c.ok('config-import', '-c', profile, '--name', 'Home VPN', '--persistent',
                 '--tag', 'home', '--tag', 'fast', '--json').json()
        assert j['name'] == 'Home VPN' and j['persistent'] is True
        assert j['tags'] == ['home', 'fast'], j
        listed = {p['name']: p for p in c.list_json()}
        assert set(listed) == {'office', 'Home VPN'}, listed
        assert listed['Home VPN']['persistent'] is True
        assert sorted(listed['Home VPN']['tags']) == ['fast', 'home']
        assert listed['office']['persistent'] is False
        r = c.ok('config-import', '--config', profile)
        assert 'Not persistent' in r.out and '--persistent' in r.out, r


def test_incomplete_profile_imports_with_a_warning():
    c.remove_all()
    with c.ProfileDir() as d:
        profile = d.write('partial.ovpn', 'client\ndev tun\n')
        r = c.ok('config-import', '--config', profile)
        assert 'warning: the profile cannot be used to connect yet' in r.err, r
        assert '--remote' in r.err, r
        j = c.ok('config-import', '--config', profile, '--json').json()
        assert j['valid'] is False and '--remote' in j['validation_message'], j


def test_unreadable_file_is_named_and_nothing_is_imported():
    c.remove_all()
    with c.ProfileDir() as d:
        profile = d.basic()        # client.key is 0600 root: user A cannot read it
        key = os.path.join(d.path, 'client.key')
        r = c.fails(c.EXIT_ACCESS, 'config-import', '--config', profile, user=c.USER_A)
        assert key in r.err and "'key'" in r.err and 'line 7' in r.err, r
        assert 'Permission denied' in r.err and 'hint:' in r.err, r
        assert r.out == ''
        assert c.list_json(user=c.USER_A) == []
        # readable by A: it works, and the profile is A's
        os.chmod(key, 0o644)
        path = c.import_profile(profile, user=c.USER_A)
        [p] = c.list_json(user=c.USER_A)
        assert p['path'] == path and p['owner_name'] == c.USER_A, p
        # the profile itself unreadable
        os.chmod(profile, 0o600)
        r = c.fails(c.EXIT_ACCESS, 'config-import', '--config', profile, user=c.USER_A)
        assert profile in r.err and 'Permission denied' in r.err, r


def test_missing_files():
    c.remove_all()
    with c.ProfileDir() as d:
        r = c.fails(c.EXIT_NOT_FOUND, 'config-import', '--config', d.path + '/none.ovpn')
        assert 'none.ovpn' in r.err and 'No such file' in r.err, r
        profile = d.write('m.ovpn', 'client\ndev tun\nremote 127.0.0.1\nca missing/ca.crt\n')
        r = c.fails(c.EXIT_NOT_FOUND, 'config-import', '--config', profile)
        assert os.path.join(d.path, 'missing/ca.crt') in r.err and 'line 4' in r.err, r
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', d.path)
        assert 'folder' in r.err, r
        assert c.list_json() == []


def test_refusals_name_the_users_line():
    c.remove_all()
    with c.ProfileDir() as d:
        d.basic()
        # line 5 expands into a 4-line block; the service's line number must be mapped back
        profile = d.write('bad.ovpn', 'client\ndev tun\n\nremote 127.0.0.1\nca ca.crt\n'
                          '# comment\nplugin /usr/lib/evil.so\n')
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile)
        assert "line 7 of %s: 'plugin' is not allowed" % profile in r.err, r
        assert 'hint:' in r.err and 'org.freedesktop' not in r.err, r
        v = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile, '--verbose')
        assert 'D-Bus error: ' in v.err, v
        # a syntax error is found before anything is sent, with the user's line
        profile = d.write('quote.ovpn', 'client\nremote "127.0.0.1\n')
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile)
        assert 'line 2' in r.err and 'quote' in r.err, r
        # a binary file where PEM text is expected
        d.write('bin.crt', b'\x30\x82\x00\xff\x00', binary=True)
        profile = d.write('bin.ovpn', 'client\ndev tun\nremote 127.0.0.1\nca bin.crt\n')
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile)
        assert 'bin.crt' in r.err and 'not a text file' in r.err, r
        # things that cannot be inlined
        profile = d.write('dir.ovpn', 'client\ndev tun\nremote 127.0.0.1\ncrl-verify crls dir\n')
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile)
        assert 'crl-verify' in r.err and 'folder' in r.err, r
        profile = d.write('ask.ovpn', 'client\nremote 127.0.0.1\naskpass pass.txt\n')
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile)
        assert 'askpass' in r.err, r
        assert c.list_json() == []


def test_files_outside_the_profile_folder():
    """Only files inside the profile's folder, reached without symbolic links, are inlined
    (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS); the rest is refused naming the file, the
    line and the reason, unless --allow-outside-files. Every inlined file is listed on stderr,
    one line each, also with --json (whose stdout stays JSON)."""
    c.remove_all()
    with c.ProfileDir() as d:
        # <d>/secret and <d>/elsewhere/ are outside the profile's folder <d>/vpn/
        d.write('secret', 'alice\ngit-credential-4711\n')
        outside_ca = d.write('elsewhere/ca.crt', c.PEM_CERT % 'outside')
        d.write('elsewhere/c.crt', c.PEM_CERT % 'linked-dir')
        d.write('vpn/ca.crt', c.PEM_CERT % 'inside')
        inside_abs = d.write('vpn/keys/ta.key', c.STATIC_KEY % 'inside')
        os.symlink(outside_ca, os.path.join(d.path, 'vpn', 'link.crt'))
        os.symlink('../elsewhere', os.path.join(d.path, 'vpn', 'linked'))
        head = 'client\ndev tun\nremote 127.0.0.1 1194\n'

        # a normal relative file, a subfolder, an absolute name inside the folder: inlined,
        # each listed on stderr
        good = d.write('vpn/good.ovpn', head + 'ca ca.crt\ntls-auth %s 1\n' % inside_abs)
        r = c.ok('config-import', '--config', good, '--json')
        assert r.json()['inlined_files'] == 2, r
        assert r.err.splitlines() == ["inlined 'ca.crt' (ca, line 4)",
                                      "inlined '%s' (tls-auth, line 5)" % inside_abs], r
        text = dump(r.json()['path'])
        assert block(text, 'ca') == c.PEM_CERT % 'inside'
        assert block(text, 'tls-auth') == c.STATIC_KEY % 'inside'
        r = c.ok('config-import', '--config', good, '--name', 'plain')
        assert "inlined 'ca.crt' (ca, line 4)" in r.err and "inlined '" not in r.out, r
        c.remove_all()

        cases = [
            # (line 4 of the profile, the file as the error names it, reason)
            ('auth-user-pass ../secret', os.path.join(d.path, 'vpn', '../secret'),
             "it is outside the profile's folder", 'auth-user-pass'),
            ('http-proxy 127.0.0.1 3128 ../secret', os.path.join(d.path, 'vpn', '../secret'),
             "it is outside the profile's folder", 'http-proxy'),
            ('ca ' + outside_ca, outside_ca, "it is outside the profile's folder", 'ca'),
            ('ca link.crt', os.path.join(d.path, 'vpn', 'link.crt'),
             'it is a symbolic link or its path goes through one', 'ca'),
            ('cert linked/c.crt', os.path.join(d.path, 'vpn', 'linked/c.crt'),
             'it is a symbolic link or its path goes through one', 'cert'),
        ]
        for i, (line, shown, reason, option) in enumerate(cases):
            profile = d.write('vpn/bad%d.ovpn' % i, head + line + '\n')
            # refused, as root too: this is not about permissions
            for user in (None, c.USER_A):
                r = c.fails(c.EXIT_ERROR, 'config-import', '--config', profile, user=user)
                assert ("refusing to inline the file '%s' that '%s' refers to on line 4 of %s: %s"
                        % (shown, option, profile, reason)) in r.err, r
                assert '--allow-outside-files' in r.err, r
                assert 'git-credential-4711' not in r.err + r.out, r
                assert 'inlined' not in r.err, r
            assert c.list_json() == [] and c.list_json(user=c.USER_A) == []
            # session-start from the file: the same rule
            r = c.fails(c.EXIT_ERROR, 'session-start', '--config', profile)
            assert 'refusing to inline' in r.err and reason in r.err, r

        # --allow-outside-files: inlined, and the listing says which would have been refused
        every = d.write('vpn/every.ovpn', head + 'ca link.crt\nauth-user-pass ../secret\n'
                        'cert linked/c.crt\nextra-certs %s\n' % outside_ca)
        r = c.fails(c.EXIT_ERROR, 'config-import', '--config', every)
        r = c.ok('config-import', '--config', every, '--allow-outside-files', '--json')
        assert r.json()['inlined_files'] == 4, r
        assert r.err.splitlines() == [
            "inlined 'link.crt' (ca, line 4; through a symbolic link)",
            "inlined '../secret' (auth-user-pass, line 5; outside the profile's folder)",
            "inlined 'linked/c.crt' (cert, line 6; through a symbolic link)",
            "inlined '%s' (extra-certs, line 7; outside the profile's folder)" % outside_ca], r
        text = dump(r.json()['path'])
        assert block(text, 'ca') == c.PEM_CERT % 'outside'
        assert block(text, 'auth-user-pass') == 'alice\ngit-credential-4711\n'
        assert block(text, 'cert') == c.PEM_CERT % 'linked-dir'
        assert block(text, 'extra-certs') == c.PEM_CERT % 'outside'


t.require_devbus()
t.main(independent=True)
