# SPDX-License-Identifier: GPL-2.0-or-later
"""Backend client when processes die: openvpn SIGKILLed -> PROC_KILLED, the
client exits and netcfg is clean; the backend client SIGKILLed -> openvpn
exits (its management connection is gone) and netcfg removes the device.
Also: the session manager leaving the bus stops the session, and a client
that is never confirmed exits by itself."""

import os
import signal
import time

import ovpn3test as t
from clientlab import CONNECTED, PROC_KILLED, PASSWORD, USERNAME, Lab, profile_text


def connect(lab):
    be, _ = lab.new_session()
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    be.call('Ready')
    mark = len(be.statuses())
    be.call('Connect')
    be.wait_status(CONNECTED, after=mark, timeout=60)
    return be


def openvpn_killed(lab):
    be = connect(lab)
    pids = be.openvpn_pids()
    assert len(pids) == 1, pids
    mark = len(be.statuses())
    os.kill(pids[0], signal.SIGKILL)
    _, msg = be.wait_status(PROC_KILLED, after=mark, timeout=30)
    assert msg == 'openvpn was killed by signal 9', msg
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def backend_killed(lab):
    be = connect(lab)
    ovpn = be.openvpn_pids()
    be.proc.kill()
    be.proc.wait(10)

    t.wait_until(lambda: all(t.process_gone(p) for p in ovpn), 20, 'openvpn to exit')
    lab.assert_clean(be)


def unconfirmed(lab):
    be = lab.mgr.spawn()
    started = time.monotonic()
    # OVPN3_CLIENT_REGISTRATION_TIMEOUT_S (30), shortened by the test switch
    # OVPN3_TEST_REGISTRATION_TIMEOUT_S (tests/client/meson.build): it is the timeout that ends it
    timeout = int(os.environ.get('OVPN3_TEST_REGISTRATION_TIMEOUT_S', '30'))
    assert be.wait_exit(60) == 0
    assert time.monotonic() - started >= timeout - 1


def cannot_start(lab):
    """openvpn refuses the profile at start-up: PROC_KILLED with its reason."""
    be, _ = lab.new_session(profile_text(lab.pki, extra='data-ciphers NO-SUCH-CIPHER'))
    be.walk_queue({'username': USERNAME, 'password': PASSWORD})
    mark = len(be.statuses())
    be.call('Connect')
    _, msg = be.wait_status(PROC_KILLED, after=mark, timeout=30)
    assert msg.startswith('openvpn exited unexpectedly (status 1): '), msg
    assert 'NO-SUCH-CIPHER' in msg or 'cipher' in msg.lower(), msg
    assert be.wait_exit(20) == 0
    lab.assert_clean(be)


def bad_profile(lab):
    """A profile that does not validate: CFG_ERROR and a failed registration."""
    text = profile_text(lab.pki).replace('remote 10.99.0.2 1194\n', '')
    cfg = lab.mgr.import_profile(text)
    be = lab.mgr.spawn()
    try:
        lab.mgr.register(be, cfg)
        raise AssertionError('RegistrationConfirmation accepted an invalid profile')
    except t.CallError as e:
        assert e.name == 'net.openvpn.v3.error.client', e
        assert '--remote' in e.message, e
    st = be.statuses()
    assert st and st[-1][1] == 1 and st[-1][2].startswith('config_path=' + cfg), st
    # the session manager then calls ForceShutdown
    be.call('ForceShutdown')
    assert be.wait_exit(20) == 0


def backend_terminated(lab):
    """SIGTERM: the client stops openvpn, asks netcfg to Destroy its device
    without blocking and exits once netcfg answered (or after 3 s); nothing
    of the session is left."""
    be = connect(lab)
    started = time.monotonic()
    be.proc.send_signal(signal.SIGTERM)
    assert be.wait_exit(30) == 0
    print('client exited %.3f s after SIGTERM' % (time.monotonic() - started))
    lab.assert_clean(be)


def sessionmgr_gone(lab):
    """The session manager leaves the bus: the session is stopped, the client exits."""
    be = connect(lab)
    lab.mgr.bus.close()
    assert be.wait_exit(30) == 0
    lab.assert_clean(be)


lab = None


def test_server_and_services_start():
    global lab
    lab = Lab()
    t.cleanup(lab.close)


def test_openvpn_killed():
    openvpn_killed(lab)


def test_backend_killed():
    backend_killed(lab)


def test_backend_terminated():
    backend_terminated(lab)


def test_cannot_start():
    cannot_start(lab)


def test_bad_profile():
    bad_profile(lab)


def test_unconfirmed():
    unconfirmed(lab)


def test_no_secret_logged():
    lab.assert_no_secret_logged(PASSWORD)


def test_sessionmgr_gone():
    sessionmgr_gone(lab)


t.main()
