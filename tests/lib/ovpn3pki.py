# SPDX-License-Identifier: GPL-2.0-or-later
"""A throw-away PKI for tests that run a real openvpn 2.6 server and client:
a CA, a server and a client certificate (EC P-256, valid two days), and the
client key once more, encrypted with a passphrase. Keys live only in the
temp directory the caller gives (never in the repository)."""

import subprocess


def _openssl(*args):
    r = subprocess.run(('openssl',) + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if r.returncode != 0:
        raise AssertionError('openssl %s failed: %s' % (' '.join(args), r.stdout))


def make_pki(d, ca_name='ovpn3-test-ca', key_passphrase='key-Secret-99'):
    """Writes ca.{key,crt}, server.{key,crt}, client.{key,crt} and
    client-enc.key (client.key encrypted with key_passphrase) into d."""
    def key(name):
        _openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256',
                 '-out', '%s/%s.key' % (d, name))
    key('ca')
    _openssl('req', '-x509', '-new', '-key', d + '/ca.key', '-days', '2',
             '-subj', '/CN=' + ca_name, '-out', d + '/ca.crt')
    for name, eku in (('server', 'serverAuth'), ('client', 'clientAuth')):
        key(name)
        _openssl('req', '-new', '-key', '%s/%s.key' % (d, name), '-subj', '/CN=' + name,
                 '-out', '%s/%s.csr' % (d, name))
        with open('%s/%s.ext' % (d, name), 'w') as f:
            f.write('extendedKeyUsage=%s\nkeyUsage=digitalSignature\n' % eku)
        _openssl('x509', '-req', '-in', '%s/%s.csr' % (d, name), '-CA', d + '/ca.crt',
                 '-CAkey', d + '/ca.key', '-CAcreateserial', '-days', '2', '-extfile',
                 '%s/%s.ext' % (d, name), '-out', '%s/%s.crt' % (d, name))
    _openssl('pkey', '-in', d + '/client.key', '-aes256', '-passout', 'pass:' + key_passphrase,
             '-out', d + '/client-enc.key')
