#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client stand-in for test_registration_flood.py: it hands the test
the registration token it was given (as if an attacker had stolen it), waits
a moment so that forged registrations arrive first, then runs
tests/sessions/fake_client.py with the same token."""

import os
import sys
import time

WORK = '/run/ovpn3-flood'


def main():
    fd = int(sys.argv[sys.argv.index('--token-fd') + 1])
    with os.fdopen(fd, 'rb') as f:
        token = f.read()
    tmp = os.path.join(WORK, '.token')
    with open(tmp, 'wb') as f:
        f.write(token)
    os.chmod(tmp, 0o644)
    os.rename(tmp, os.path.join(WORK, 'token'))
    time.sleep(1.5)
    rfd, wfd = os.pipe()
    os.write(wfd, token)
    os.close(wfd)
    os.set_inheritable(rfd, True)
    here = os.path.dirname(os.path.abspath(__file__))
    os.execv('/usr/bin/python3', ['/usr/bin/python3',
                                  os.path.join(here, '..', 'sessions', 'fake_client.py'),
                                  '--token-fd', str(rfd)])


if __name__ == '__main__':
    sys.exit(main())
