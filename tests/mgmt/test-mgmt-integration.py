#!/usr/bin/python3
"""Integration test: our management client library (through mgmt-drive)
against a real openvpn 2.6 client and server in a private network
namespace, for every scenario of mgmt_scenarios.py: one TAP case each
(ovpn3tap), after the case that starts the server.

Usage (root): /usr/bin/python3 test-mgmt-integration.py <mgmt-drive> [scenario…]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mgmtlab  # noqa: E402  (also puts tests/lib on the path)
import mgmt_scenarios  # noqa: E402
import ovpn3tap  # noqa: E402

mgmtlab.enter_namespace()
driver = os.path.abspath(sys.argv[1])
only = set(sys.argv[2:])
lab = None


def test_server_starts():
    global lab
    lab = mgmtlab.Lab()
    ovpn3tap.cleanup(lab.close)


def scenario_case(fn):
    """The scenario fn(lab, mk) as a case: each mgmt-drive it starts and each
    openvpn client is closed after it; on failure the last events and the
    logs go to stderr."""
    def case():
        ms = []

        def mk(path, listen=False):
            m = mgmtlab.LibMgmt(driver, path, listen=listen)
            ms.append(m)
            return m
        try:
            fn(lab, mk)
        except Exception:
            for m in ms:
                sys.stderr.write("events: " + "\n".join(
                    ev["line"] for ev in m.events[-30:]) + "\n")
            lab.dump_logs()
            raise
        finally:
            for m in ms:
                m.close()
            for c in lab.clients:
                c.close()
            lab.clients = []
    return case


for name, fn in mgmt_scenarios.SCENARIOS:
    if not only or name in only:
        globals()["test_" + name.replace("-", "_")] = scenario_case(fn)

ovpn3tap.main(independent=True)
