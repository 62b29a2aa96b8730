#!/usr/bin/python3
"""Transcript recorder: runs the docs/openvpn-management.md §5.3 scenarios against real openvpn 2.6
(client + server in a private network namespace) with a raw recording
management client and writes tests/data/mgmt/<scenario>.transcript.

Format: '< text' = a line from openvpn (CRLF), '<? text' = the unterminated
pw-file prompt, '> <shape> <line>' = a command we sent and its response shape.

Usage (root): /usr/bin/python3 tests/mgmt/mgmt-record.py OUTDIR [scenario…]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgmtlab  # noqa: E402
import mgmt_scenarios  # noqa: E402


def main():
    mgmtlab.enter_namespace()
    out = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    lab = mgmtlab.Lab()
    failed = 0
    try:
        for name, fn in mgmt_scenarios.SCENARIOS:
            if only and name not in only:
                continue
            ms = []

            def mk(path, listen=False):
                m = mgmtlab.RawMgmt(path, listen=listen)
                ms.append(m)
                return m
            try:
                fn(lab, mk)
                ms[0].write_transcript(f"{out}/{name}.transcript",
                                       f"scenario {name}: {fn.__doc__.strip().splitlines()[0]}")
                print(f"recorded {name}")
            except Exception as e:  # noqa: BLE001
                failed += 1
                print(f"FAILED {name}: {e}")
                lab.dump_logs()
            finally:
                for m in ms:
                    m.close()
                for c in lab.clients:
                    c.close()
                lab.clients = []
    finally:
        lab.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
