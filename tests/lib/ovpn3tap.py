# SPDX-License-Identifier: GPL-2.0-or-later
"""The test runner of the Python tests: cases as functions, results as TAP 13.

A test file declares its cases as module-level functions named `test_*`
(run in the order they are defined; name them after what they prove) and
ends with `ovpn3test.main()`:

    import ovpn3test as t
    t.require_devbus()
    bus = t.system_bus()                  # module level: shared by the cases

    def test_import_creates_an_object():
        global path                       # state a later case reads
        path = ...

    def test_remove_deletes_the_object():
        ...

    t.main()                              # later cases depend on earlier ones
    t.main(independent=True)              # ... or: each case stands alone

Output (on stdout, which is TAP only; whatever else the test or its children
print goes to stderr):

    TAP version 13
    1..2
    ok 1 - import_creates_an_object
    not ok 2 - remove_deletes_the_object
    # Traceback (most recent call last): ...

After a failed case the runner prints `Bail out!` and stops, unless the file
declared its cases independent, in which case it goes on with the next case.
`t.cleanup(fn)` registers fn to run after the last case (also after a
failure or a bail-out), last registered first: what a try/finally around
the whole script did (close stand-ins, end child processes).
`t.skip(reason)` ends a case as `ok N - name # SKIP reason`; in this project
a skipped case is a failure too (docs: no skips), so the exit status is then
non-zero, as it is after any failure. On failure the tail of the services'
log goes to stderr (meson --print-errorlogs shows it).
"""

import os
import sys
import time
import traceback


_cleanups = []


def cleanup(fn):
    """Run fn() after the cases (usable as a decorator)."""
    _cleanups.append(fn)
    return fn


def _run_cleanups(tap):
    failed = False
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception:
            failed = True
            text = traceback.format_exc()
            _diagnostics(tap, 'cleanup %s failed:\n%s' % (fn.__name__, text))
            sys.stderr.write('cleanup %s failed:\n%s' % (fn.__name__, text))
    return failed


class Skip(Exception):
    """Raised by skip(): the case did not run what it proves."""


def skip(reason):
    """End the current case as skipped (which fails the test file)."""
    raise Skip(reason)


def _cases(module):
    return [(name[len('test_'):], fn) for name, fn in vars(module).items()
            if name.startswith('test_') and callable(fn)
            and getattr(fn, '__module__', None) == module.__name__]


def _tap_stream():
    """A private duplicate of stdout for TAP; fd 1 becomes stderr, so that
    prints and child processes cannot add lines meson would misread."""
    sys.stdout.flush()
    tap = os.fdopen(os.dup(1), 'w', buffering=1)
    os.dup2(2, 1)
    return tap


def _diagnostics(tap, text):
    for line in text.rstrip('\n').splitlines():
        tap.write('# ' + line + '\n')


def _service_log_tail():
    path = os.environ.get('OVPN3_DEVBUS_LOG')
    if not path or not os.path.exists(path):
        return
    with open(path, errors='replace') as f:
        log = f.read()
    sys.stderr.write('---- service log (last 8000 characters) ----\n%s\n' % log[-8000:])


def _run_case(tap, number, name, fn):
    """Runs one case; returns 'ok', 'skip' or 'fail'."""
    start = time.monotonic()
    try:
        fn()
    except Skip as e:
        tap.write('ok %d - %s # SKIP %s\n' % (number, name, e))
        sys.stderr.write('case %d (%s) skipped: a skipped case fails the test\n' % (number, name))
        return 'skip'
    except (Exception, SystemExit):     # an assertion, an error, or sys.exit in a helper
        text = traceback.format_exc()
        tap.write('not ok %d - %s\n' % (number, name))
        _diagnostics(tap, text)
        sys.stderr.write('case %d (%s) failed:\n%s' % (number, name, text))
        return 'fail'
    tap.write('ok %d - %s\n' % (number, name))
    sys.stderr.write('case %d (%s) passed in %.1f s\n' % (number, name, time.monotonic() - start))
    return 'ok'


def main(independent=False):
    """Runs the calling file's test_* functions in order, prints TAP, exits:
    0 if every case passed, 1 after any failure or skip."""
    cases = _cases(sys.modules['__main__'])
    tap = _tap_stream()
    tap.write('TAP version 13\n1..%d\n' % len(cases))
    bad = 0
    for number, (name, fn) in enumerate(cases, 1):
        result = _run_case(tap, number, name, fn)
        if result == 'ok':
            continue
        bad += 1
        if result == 'fail' and not independent and number < len(cases):
            tap.write('Bail out! %s failed; the cases after it depend on it\n' % name)
            break
    if _run_cleanups(tap):
        bad += 1
    if bad:
        _service_log_tail()
    if not cases:
        sys.stderr.write('no test_* functions in this file\n')
    tap.close()
    sys.exit(1 if bad or not cases else 0)
