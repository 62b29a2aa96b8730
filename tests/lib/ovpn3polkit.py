# The polkitd stand-in's CheckAuthorization calls, as dbus-monitor sees
# them: which actions a service asked, and with which flags.
import os
import subprocess

import dbus

import ovpn3test as t


class PolkitCalls:
    """CheckAuthorization calls reaching the polkitd stand-in, seen by
    dbus-monitor (root may monitor): calls() -> [(action id, flags)], flags 1
    = AllowUserInteraction. mark() returns a position for calls(since=)."""

    PROBE = 'net.openvpn.v3.test.probe'

    def __init__(self):
        import threading
        rule = ("type='method_call',interface='org.freedesktop.PolicyKit1.Authority',"
                "member='CheckAuthorization'")
        self.proc = subprocess.Popen(['dbus-monitor', '--system', rule], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()
        self.bus = t.system_bus()
        self.mark()

    def _read(self):
        action = flags = None
        for line in self.proc.stdout:
            if line.startswith('method call '):
                action = flags = None
                continue
            # the top-level arguments: (subject struct) action details flags cancellation-id
            if line.startswith('   string "') and action is None:
                action = line.strip()[len('string "'):-1]
            elif line.startswith('   uint32 ') and action is not None and flags is None:
                flags = int(line.split()[1])
                self.seen.append((action, flags))

    def mark(self):
        """Makes probe calls until the monitor saw one (the first may come
        before dbus-monitor is a monitor); returns the position after it."""
        import time
        probes = len([c for c in self.seen if c[0] == self.PROBE])
        subject = ('unix-process', {'pid': dbus.UInt32(os.getpid(), variant_level=1),
                                    'start-time': dbus.UInt64(0, variant_level=1)})
        deadline = time.monotonic() + t.CEILING
        while True:
            t.call(self.bus, t.POLKIT_NAME, t.POLKIT_PATH, 'org.freedesktop.PolicyKit1.Authority',
                   'CheckAuthorization', subject, self.PROBE, dbus.Dictionary({}, signature='ss'),
                   dbus.UInt32(0), '', signature='(sa{sv})sa{ss}us')
            for _ in range(20):
                if len([c for c in self.seen if c[0] == self.PROBE]) > probes:
                    return len(self.seen)
                time.sleep(0.05)
            assert time.monotonic() < deadline, 'dbus-monitor did not see the probe'


    def calls(self, since=0):
        """Calls after position since, up to now (a probe call fences them)."""
        end = self.mark()
        return [c for c in self.seen[since:end] if c[0] != self.PROBE]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=t.CEILING)
