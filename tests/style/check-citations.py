#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""No source file cites the design or spec documents by section.

Those documents are not part of the repository, so a section sign after
"design" or "spec" in a comment points nowhere for a reader of a clone.
Comments cite the pages in docs/ instead ("docs/security.md" followed by a
section number), and each such citation must name a page and a section heading
that exist. This walks the source tree (not .git, not build directories,
not docs/ itself) and fails on any such citation, also in the forms
"design.md", "spec/dbus-api.md" and wrapped across a comment line break.

Usage: check-citations.py SOURCE_ROOT
"""

import os
import re
import sys

CITATION = re.compile(r'\b(design|spec)(\.md|/[\w.-]+\.md)?[\s*#/;,:-]{0,12}\u00a7', re.I)
DOCS_CITATION = re.compile(r'docs/([a-z-]+\.md)((?: \u00a7[0-9.]+(?:, ?\u00a7[0-9.]+)*)?)')
SKIP_DIRS = {'.git', 'docs', 'subprojects', '__pycache__'}


def skipped_dir(root, rel, name):
    if name in SKIP_DIRS or (name.startswith('.') and name != '.'):
        return True
    # build directories: meson's (build, build-*) and anything meson made
    if name.startswith('build'):
        return True
    return os.path.exists(os.path.join(root, rel, name, 'meson-private'))


def has_section(root, page, number, cache={}):
    """docs/<page> exists and, with a number, has a heading "## N." / "### N "."""
    if page not in cache:
        try:
            with open(os.path.join(root, 'docs', page), encoding='utf-8') as f:
                cache[page] = f.read()
        except OSError:
            cache[page] = None
    text = cache[page]
    if text is None:
        return False
    if number is None:
        return True
    return re.search(r'(?m)^#{2,4} ' + re.escape(number) + r'[. ]', text) is not None


def check(root):
    found = []
    nfiles = 0
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        dirnames[:] = sorted(d for d in dirnames if not skipped_dir(root, rel, d))
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                with open(path, encoding='utf-8') as f:
                    text = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            nfiles += 1
            for m in CITATION.finditer(text):
                line = text.count('\n', 0, m.start()) + 1
                found.append('%s:%d: %s' % (os.path.relpath(path, root), line,
                                            ' '.join(m.group(0).split())))
            for m in DOCS_CITATION.finditer(text):
                numbers = [n.rstrip('.') for n in re.findall(r'\u00a7([0-9.]+)', m.group(2))]
                for number in numbers or [None]:
                    if not has_section(root, m.group(1), number):
                        line = text.count('\n', 0, m.start()) + 1
                        found.append('%s:%d: %s: no such page or section in docs/'
                                     % (os.path.relpath(path, root), line, m.group(0)))
    assert not found, ('%d citation(s) of documents that are not in the repository or of docs/ '
                       'sections that do not exist:\n%s' % (len(found), '\n'.join(found)))
    print('%d files, no design/spec section citations outside docs/' % nfiles)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
    import ovpn3tap

    def test_no_citation_of_missing_documents_or_sections():
        check(sys.argv[1])
    ovpn3tap.main()
