#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every man page is built and names what it documents.

Usage: check_man.py BUILDDIR OVPN3 SERVICE... (SERVICE: bus_name=binary)

ovpn3(1) names every command `ovpn3 __complete commands` lists; ovpn3-admin(8)
every sub-command `ovpn3 admin` lists and each of its options (from its --help);
ovpn3-services(8) every service's binary and bus name. Every page the build
made (any other *.1-*.8 in the build tree too) is roff with a .TH header that
man(1) renders without a warning."""

import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
import ovpn3tap as t  # noqa: E402

BUILDDIR = OVPN3 = None
SERVICES = []
COMMON = {'--help', '--verbose'}


def text(page):
    """The page's roff with scdoc's escapes and font changes taken out."""
    with open(os.path.join(BUILDDIR, page), encoding='utf-8') as f:
        roff = f.read()
    assert roff.lstrip().startswith(('.\\"', '.TH')) and '\n.TH ' in '\n' + roff, page
    return re.sub(r'\\f[BIRP]', '', roff).replace('\\-', '-').replace('\\(em', '-')


def options_of(*command):
    out = subprocess.run([OVPN3, *command, '--help'], capture_output=True, text=True,
                         check=True).stdout
    opts = set(re.findall(r'^\s+(?:-\w, )?(--[\w-]+)', out.split('Options:', 1)[1], re.M))
    return opts - COMMON


def test_every_page_is_built_roff():
    pages = [p for p in glob.glob(os.path.join(BUILDDIR, '**', '*.[1-8]'), recursive=True)
             if '/meson-' not in p and '/tests/' not in p]
    names = {os.path.basename(p) for p in pages}
    assert {'ovpn3.1', 'ovpn3-admin.8', 'ovpn3-services.8'} <= names, names
    for p in pages:
        text(os.path.relpath(p, BUILDDIR))
        r = subprocess.run(['man', '--warnings', '-l', p], capture_output=True, text=True,
                           env=dict(os.environ, MANWIDTH='100'))
        assert r.returncode == 0 and r.stderr == '' and 'NAME' in r.stdout, (p, r.stderr)


def test_ovpn3_1_names_every_command():
    page = text('cli/ovpn3.1')
    commands = subprocess.run([OVPN3, '__complete', 'commands'], capture_output=True, text=True,
                              check=True).stdout.split()
    assert 'admin' in commands, commands
    missing = [c for c in commands if not re.search(r'^\.SS %s\b' % re.escape(c), page, re.M)]
    assert not missing, 'ovpn3(1) has no section for: %s' % missing


def admin_subcommands():
    """What `ovpn3 admin` (no sub-command: usage on stderr) lists."""
    r = subprocess.run([OVPN3, 'admin'], capture_output=True, text=True)
    subs = re.findall(r'^  ([a-z-]+)  ', r.stderr, re.M)
    assert r.returncode == 2 and 'sessions' in subs, r
    return subs


def test_ovpn3_admin_8_names_every_subcommand_and_option():
    page = text('man/ovpn3-admin.8')
    for sub in admin_subcommands():
        assert re.search(r'^\.SS %s\b' % sub, page, re.M), sub
        section = page.split('.SS %s' % sub, 1)[1].split('\n.SS ', 1)[0].split('\n.SH ', 1)[0]
        missing = [o for o in sorted(options_of('admin', sub)) if o not in section]
        assert not missing, 'ovpn3-admin(8) %s lacks %s' % (sub, missing)


def test_ovpn3_services_8_names_every_service():
    page = text('man/ovpn3-services.8')
    for svc in SERVICES:
        bus_name, binary = svc.split('=')
        assert binary in page and bus_name in page, svc


if __name__ == '__main__':
    BUILDDIR, OVPN3, SERVICES = sys.argv[1], sys.argv[2], sys.argv[3:]
    t.main()
