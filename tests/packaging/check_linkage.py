#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Each binary loads only the libraries of its concerns (docs/architecture.md §8):
of the libraries below that only some parts of ovpn3 need, `ldd BINARY` must list
exactly the expected ones (e.g. only netcfg loads libnl and libcap-ng; the backend
client and backendstart never load polkit).

Usage: check_linkage.py BINARY [LIB …]   (LIB without "lib" and ".so…": nl-3)
"""

import os
import re
import subprocess
import sys

WATCHED = {"polkit-gobject-1", "nl-3", "nl-route-3", "nl-genl-3", "cap-ng", "seccomp",
           "json-glib-1.0", "systemd"}


def loaded(binary):
    out = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        m = re.match(r"\s*lib([^\s]+?)\.so[.\d]*\s", line)
        if m:
            names.add(m.group(1))
    return names


def test_loads_only_the_libraries_of_its_concerns():
    binary, expected = sys.argv[1], set(sys.argv[2:])
    unknown = expected - WATCHED
    assert not unknown, f"not a watched library: {sorted(unknown)}"
    assert os.access(binary, os.X_OK), f"{binary}: not an executable"
    got = loaded(binary) & WATCHED
    name = os.path.basename(binary)
    extra, missing = got - expected, expected - got
    problems = [f"{name} loads lib{lib}, which none of its parts should need"
                for lib in sorted(extra)]
    problems += [f"{name} does not load lib{lib} (update the expectation if that is intended)"
                 for lib in sorted(missing)]
    assert not problems, "\n".join(problems)
    print(f"{name}: {', '.join(sorted('lib' + lib for lib in got)) or 'none'} of the watched libraries")


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import ovpn3tap
    ovpn3tap.main()
