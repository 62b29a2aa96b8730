#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every introspected member is documented with the file that implements it.

docs/architecture.md §7 has one subsection per introspection/*.xml, headed
"### `<file>.xml`", with a table row per member:

    | method | `Name` | `services/…/file.c` `function()` … |
    | property (read) | `name` | … |
    | signal | `Name` | … |

This test parses every XML in introspection/ and fails when a method,
property or signal has no row of its kind in its file's subsection, when a row
names a member the XML does not have, or when the first path in a row is not a
file of the source tree.

Usage: check-docs-members.py SOURCE_ROOT
"""

import os
import re
import sys
import xml.etree.ElementTree as ET

SECTION = re.compile(r'^## 7\.', re.M)
HEADING = re.compile(r'^### `([^`]+\.xml)`\s*$')
ROW = re.compile(r'^\|\s*(method|property|signal)\b[^|]*\|\s*`([^`]+)`\s*\|(.*)\|\s*$')
PATH = re.compile(r'`([A-Za-z0-9_./-]+\.(?:c|h|py))`')


def documented(doc_text):
    """{xml file: {(kind, name): first path}} from the member list."""
    m = SECTION.search(doc_text)
    if m is None:
        raise SystemExit('docs/architecture.md has no "## 7." member list')
    rows = {}
    current = None
    for line in doc_text[m.start():].splitlines():
        if line.startswith('## ') and not line.startswith('## 7.'):
            break
        h = HEADING.match(line)
        if h:
            current = rows.setdefault(h.group(1), {})
            continue
        r = ROW.match(line)
        if r and current is not None:
            p = PATH.search(r.group(3))
            current[(r.group(1), r.group(2))] = p.group(1) if p else None
    return rows


def introspected(xml_path):
    members = set()
    for iface in ET.parse(xml_path).getroot().iter('interface'):
        for kind in ('method', 'property', 'signal'):
            for el in iface.findall(kind):
                members.add((kind, el.get('name')))
    return members


def check(root):
    with open(os.path.join(root, 'docs', 'architecture.md'), encoding='utf-8') as f:
        rows = documented(f.read())
    xml_dir = os.path.join(root, 'introspection')
    errors = []
    n = 0
    for name in sorted(os.listdir(xml_dir)):
        if not name.startswith('net.openvpn.v3.') or not name.endswith('.xml'):
            continue
        members = introspected(os.path.join(xml_dir, name))
        doc = rows.get(name)
        if doc is None:
            errors.append('%s: no "### `%s`" subsection in docs/architecture.md §7' % (name, name))
            continue
        for kind, member in sorted(members):
            n += 1
            if (kind, member) not in doc:
                errors.append('%s: %s %s is not in docs/architecture.md §7' % (name, kind, member))
                continue
            path = doc[(kind, member)]
            if path is None:
                errors.append('%s: %s %s: no implementing file named' % (name, kind, member))
            elif not os.path.isfile(os.path.join(root, path)):
                errors.append('%s: %s %s: %s does not exist' % (name, kind, member, path))
        for kind, member in sorted(set(doc) - members):
            errors.append('%s: docs/architecture.md §7 lists %s %s, which the XML does not have'
                          % (name, kind, member))
    for name in sorted(set(rows) - set(os.listdir(xml_dir))):
        errors.append('docs/architecture.md §7 has a subsection for %s, which does not exist' % name)
    assert not errors, '%d problem(s):\n%s' % (len(errors), '\n'.join(errors))
    print('%d introspected members documented with an existing file' % n)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
    import ovpn3tap

    def test_every_introspected_member_documented_with_an_existing_file():
        check(sys.argv[1])
    ovpn3tap.main()
