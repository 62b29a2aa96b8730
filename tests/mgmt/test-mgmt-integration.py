#!/usr/bin/python3
"""Integration test: our management client library (through mgmt-drive)
against a real openvpn 2.6 client and server in a private network
namespace, for every scenario of mgmt_scenarios.py.

Usage (root): /usr/bin/python3 test-mgmt-integration.py <mgmt-drive> [scenario…]
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgmtlab  # noqa: E402
import mgmt_scenarios  # noqa: E402


def main():
    mgmtlab.enter_namespace()
    driver = os.path.abspath(sys.argv[1])
    only = set(sys.argv[2:])
    lab = mgmtlab.Lab()
    failed = []
    try:
        for name, fn in mgmt_scenarios.SCENARIOS:
            if only and name not in only:
                continue
            ms = []

            def mk(path, listen=False):
                m = mgmtlab.LibMgmt(driver, path, listen=listen)
                ms.append(m)
                return m
            t0 = time.monotonic()
            try:
                fn(lab, mk)
                print(f"ok {name} ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception as e:  # noqa: BLE001
                failed.append(name)
                print(f"FAIL {name}: {e}", flush=True)
                for m in ms:
                    sys.stderr.write("events: " + "\n".join(
                        ev["line"] for ev in m.events[-30:]) + "\n")
                lab.dump_logs()
            finally:
                for m in ms:
                    m.close()
                for c in lab.clients:
                    c.close()
                lab.clients = []
    finally:
        lab.close()
    if failed:
        print("failed: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
