"""Scenarios of docs/openvpn-management.md §5.3, shared by the transcript recorder (RawMgmt) and the
integration test (LibMgmt, our C library). With m.parsed the events carry
every parsed field and the scenario asserts them."""

import base64

USER = "alice"
PASSWORD = 'right "pw" \\ ok'
CRV1_TEXT = "Enter PIN (it's 6 digits), ok?"
WEB_URL = "https://auth.example.test/login?session=abc,def"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def b64(s):
    return base64.b64encode(s.encode()).decode()


def ok(res, what):
    check("error" not in res, f"{what} failed: {res}")
    return res


def start(lab, mk, listen=False, **kw):
    if listen:
        # --management-client: we listen first, then openvpn connects to us.
        c = lab.client(management_client=True, **kw)
        m = mk(c.sock_path, listen=True)
        c.spawn()
    else:
        c = lab.client(**kw)
        m = mk(c.sock_path)
    ev = m.expect(">INFO:")
    if m.parsed:
        check(ev["type"] == "INFO" and "Version 5" in ev["text"], ev)
    ev = m.expect(">HOLD:")
    if m.parsed:
        check(ev["type"] == "HOLD" and ev["hold_seconds"] == 0, ev)
    ok(m.cmd("state", "on"), "state on")
    return c, m


def expect_connected(m, timeout=20):
    ev = m.expect(">STATE:", ",CONNECTED,", timeout=timeout)
    if m.parsed:
        check(ev["state_name"] == "CONNECTED" and ev["state_detail"] == "SUCCESS", ev)
        check(ev["tun_ip4"].startswith("10.213.0.") and ev["remote_addr"] == "127.0.0.1"
              and ev["remote_port"] == 1194, ev)
        check(ev.get("tun_ip6", "").startswith("fd00:213::"), ev)
    return ev


def sigterm_connected(m, c):
    ok(m.cmd("signal", "SIGTERM"), "signal SIGTERM")
    ev = m.expect(">UPDOWN:DOWN")
    if m.parsed:
        check(ev["type"] == "UPDOWN" and ev["direction"] == "DOWN", ev)
    ev = m.expect(">STATE:", ",EXITING,")
    if m.parsed:
        check(ev["state_detail"] == "SIGTERM", ev)
    m.wait_closed()
    check(c.wait() == 0, "openvpn exit status")


def plain_policy(kind, env):
    if env.get("username") == USER and env.get("password") == PASSWORD:
        return ("auth",)
    return ("deny", "bad password, try again")


def answer_userpass(m, password=PASSWORD):
    ev = m.expect(">PASSWORD:", "Need 'Auth' username/password")
    if m.parsed:
        check(ev["password_kind"] == "NEED_USER_PASS" and ev["cred_type"] == "Auth", ev)
    ok(m.cmd("username", "Auth", USER), "username")
    ok(m.cmd("password", "Auth", password), "password")
    return ev


def scenario_connect(lab, mk):
    """Plain user/pass, >UPDOWN:UP with pushed routes and DNS, bytecount,
    status, SIGUSR1 restart (persist-tun), SIGTERM while connected."""
    lab.server.policy = plain_policy
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    ev = m.expect(">UPDOWN:UP")
    if m.parsed:
        env = ev["env"]
        check(ev["direction"] == "UP", ev)
        check(env["route_network_1"] == "10.214.0.0" and env["route_netmask_1"] == "255.255.0.0",
              env)
        check(env["route_ipv6_network_1"] == "fd00:214::/64", env)
        check(env["ifconfig_local"].startswith("10.213.0.")
              and env["ifconfig_netmask"] == "255.255.255.0", env)
        check(env["ifconfig_ipv6_local"].startswith("fd00:213::"), env)
        dns = sorted(v for k, v in env.items() if k.startswith("foreign_option_"))
        check("dhcp-option DNS 10.213.0.53" in dns and "dhcp-option DOMAIN example.test" in dns,
              dns)
    expect_connected(m)
    ok(m.cmd("bytecount", "1"), "bytecount")
    ev = m.expect(">BYTECOUNT:")
    if m.parsed:
        check(ev["bytes_in"] > 0 and ev["bytes_out"] > 0, ev)
    ok(m.cmd("bytecount", "0"), "bytecount 0")
    res = ok(m.cmd("status"), "status")
    if m.parsed:
        check(res["status_parsed"]["valid"] and res["status_parsed"]["link_read_bytes"] > 0, res)
    # SIGUSR1 with --persist-tun: no UPDOWN, straight back to CONNECTED.
    ok(m.cmd("signal", "SIGUSR1"), "signal SIGUSR1")
    ev = m.expect(">STATE:", ",RECONNECTING,")
    if m.parsed:
        check(ev["state_detail"] == "SIGUSR1", ev)
    ev = m.expect(">HOLD:")
    if m.parsed:
        check(ev["hold_seconds"] >= 0, ev)
    ok(m.cmd("hold", "release"), "hold release")
    expect_connected(m)
    sigterm_connected(m, c)


def scenario_auth_retry(lab, mk):
    """Wrong password with --auth-retry interact, then the right one."""
    lab.server.policy = plain_policy
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m, "wrong")
    ev = m.expect(">PASSWORD:", "Verification Failed")
    if m.parsed:
        check(ev["password_kind"] == "VERIFY_FAILED" and ev["cred_type"] == "Auth"
              and ev["reason"] == "bad password, try again" and "crv1_state_id" not in ev, ev)
    ev = m.expect(">STATE:", ",RECONNECTING,")
    if m.parsed:
        check(ev["state_detail"] == "auth-failure", ev)
    ev = m.expect(">HOLD:")
    if m.parsed:
        check(ev["hold_seconds"] == 1, ev)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    expect_connected(m)
    sigterm_connected(m, c)


def scenario_static_challenge(lab, mk):
    """Static challenge (SC:1 with commas in the text); then server
    client-kill HALT."""
    def policy(kind, env):
        want = f"SCRV1:{b64(PASSWORD)}:{b64('123 456')}"
        return ("auth",) if env.get("password") == want else ("deny", "bad otp")
    lab.server.policy = policy
    c, m = start(lab, mk, extra=["--static-challenge", "Enter OTP, please", "1"])
    ok(m.cmd("hold", "release"), "hold release")
    ev = m.expect(">PASSWORD:", "Need 'Auth'")
    if m.parsed:
        check(ev["password_kind"] == "NEED_USER_PASS" and ev["sc_flags"] == 1
              and ev["text"] == "Enter OTP, please", ev)
    ok(m.cmd("username", "Auth", USER), "username")
    ok(m.cmd("static_challenge", "Auth", PASSWORD, "123 456"), "SCRV1")
    expect_connected(m)
    lab.server.kill_last("HALT")
    ev = m.expect(">NOTIFY:")
    if m.parsed:
        check(ev["severity"] == "info" and ev["notify_type"] == "server-pushed-halt", ev)
    ev = m.expect(">STATE:", ",EXITING,")
    if m.parsed:
        check(ev["state_detail"] == "server-pushed-halt", ev)
    m.wait_closed()
    check(c.wait() == 0, "exit status after HALT")


def scenario_crv1(lab, mk):
    """Dynamic challenge: CRV1 reason holding ', ] and commas."""
    def policy(kind, env):
        if env.get("password") == "CRV1::state42::123456" and env.get("username") == USER:
            return ("auth",)
        if env.get("password") == PASSWORD:
            return ("deny", f"CRV1:R,E:state42:{b64(USER)}:{CRV1_TEXT}")
        return ("deny", "bad")
    lab.server.policy = policy
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    ev = m.expect(">PASSWORD:", "Verification Failed")
    if m.parsed:
        check(ev["crv1_state_id"] == "state42" and ev["crv1_username"] == USER
              and ev["flags"] == "R,E" and ev["text"] == CRV1_TEXT, ev)
    m.expect(">STATE:", ",RECONNECTING,")
    m.expect(">HOLD:")
    ok(m.cmd("hold", "release"), "hold release")
    m.expect(">PASSWORD:", "Need 'Auth' username/password")
    ok(m.cmd("username", "Auth", USER), "username")
    ok(m.cmd("crv1", "state42", "123456"), "CRV1 response")
    expect_connected(m)
    sigterm_connected(m, c)


def scenario_cr_text(lab, mk):
    """Pending auth with CR_TEXT, answered with cr-response."""
    def policy(kind, env):
        if kind == "CR_RESPONSE":
            return ("auth",) if env.get("cr_response") == b64("654321") else ("deny", "bad")
        return ("pending", "CR_TEXT:R,E:Enter your TOTP code", 30)
    lab.server.policy = policy
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    ev = m.expect(">STATE:", ",AUTH_PENDING,")
    if m.parsed:
        check(ev["state_detail"] == "timeout 30", ev)
    ev = m.expect(">INFOMSG:")
    if m.parsed:
        check(ev["infomsg_kind"] == "CR_TEXT" and ev["flags"] == "R,E"
              and ev["text"] == "Enter your TOTP code", ev)
    ok(m.cmd("cr_response", "654321"), "cr-response")
    expect_connected(m)
    sigterm_connected(m, c)


def scenario_web_auth(lab, mk):
    """WEB_AUTH pending auth; the server approves after 1 s."""
    lab.server.policy = lambda kind, env: ("pending", "WEB_AUTH::" + WEB_URL, 30, 1.0)
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    m.expect(">STATE:", ",AUTH_PENDING,")
    ev = m.expect(">INFOMSG:")
    if m.parsed:
        check(ev["infomsg_kind"] == "WEB_AUTH" and ev["flags"] == "" and ev["text"] == WEB_URL, ev)
    expect_connected(m, timeout=30)
    sigterm_connected(m, c)


def scenario_private_key(lab, mk):
    """Encrypted private key: wrong passphrase, then the right one."""
    lab.server.policy = lambda kind, env: ("auth",)
    c, m = start(lab, mk, key="client-enc.key", auth_user_pass=False)
    ok(m.cmd("hold", "release"), "hold release")
    ev = m.expect(">PASSWORD:", "Need 'Private Key' password")
    if m.parsed:
        check(ev["password_kind"] == "NEED_PASSWORD" and ev["cred_type"] == "Private Key", ev)
    ok(m.cmd("password", "Private Key", "not-it"), "password")
    ev = m.expect(">PASSWORD:", "Verification Failed")
    if m.parsed:
        check(ev["cred_type"] == "Private Key" and "reason" not in ev, ev)
    ev = m.expect(">STATE:", ",RECONNECTING,")
    if m.parsed:
        check(ev["state_detail"] == "private-key-password-failure", ev)
    m.expect(">HOLD:")
    ok(m.cmd("hold", "release"), "hold release")
    m.expect(">PASSWORD:", "Need 'Private Key' password")
    ok(m.cmd("password", "Private Key", "key-secret"), "password")
    expect_connected(m)
    sigterm_connected(m, c)


def scenario_hold(lab, mk):
    """hold query/on/off, state on all, version 3 (no answer), pid, then
    SIGTERM in the start-up hold: EOF with no EXITING."""
    lab.server.policy = lambda kind, env: ("auth",)
    c, m = start(lab, mk)
    res = ok(m.cmd("hold"), "hold")
    check(res["status"] == "hold=1", res)
    ok(m.cmd("hold", "off"), "hold off")
    ok(m.cmd("hold", "on"), "hold on")
    res = ok(m.cmd("state", "on", "all"), "state on all")
    check(len(res["lines"]) >= 1 and ",CONNECTING," in res["lines"][0], res)
    # openvpn takes a 256-character token (the builder's limit) ...
    res = m.cmd("username", "Auth", "u" * 256)
    check("no username is currently needed" in res.get("error", ""), res)
    if m.parsed:
        # ... and the library refuses 257 before writing anything.
        res = m.cmd("username", "Auth", "u" * 257)
        check(res.get("error", "").startswith("ovpn3-mgmt-error-quark:0:"), res)
    ok(m.cmd("version", "3"), "version 3")
    res = ok(m.cmd("pid"), "pid")
    check(res["status"].startswith("pid="), res)
    res = m.cmd("signal", "SIGUSR1")
    check("error" in res, f"SIGUSR1 in hold must be refused: {res}")
    m.expect(">HOLD:")  # the pending hold line is sent again
    ok(m.cmd("signal", "SIGTERM"), "signal SIGTERM")
    m.wait_closed()
    check(c.wait() == 0, "exit status")


def scenario_fatal_prompt(lab, mk):
    """A signal while a >PASSWORD prompt is pending is fatal (>FATAL, exit 1)."""
    lab.server.policy = lambda kind, env: ("auth",)
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    m.expect(">PASSWORD:", "Need 'Auth'")
    ok(m.cmd("signal", "SIGTERM"), "signal SIGTERM")
    ev = m.expect(">FATAL:")
    if m.parsed:
        check("could not read Auth username" in ev["text"], ev)
    m.wait_closed()
    check(c.wait() == 1, "exit status 1 after >FATAL")


def scenario_kill_restart(lab, mk):
    """Server client-kill (RESTART), reconnect, then SIGTERM in a restart hold."""
    lab.server.policy = plain_policy
    c, m = start(lab, mk)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    expect_connected(m)
    lab.server.kill_last("RESTART")
    ev = m.expect(">NOTIFY:")
    if m.parsed:
        check(ev["notify_type"] == "server-pushed-connection-reset" and ev["text"] == "", ev)
    ev = m.expect(">STATE:", ",RECONNECTING,")
    if m.parsed:
        check(ev["state_detail"] == "server-pushed-connection-reset", ev)
    m.expect(">HOLD:")
    ok(m.cmd("hold", "release"), "hold release")
    # openvpn 2.6 may ask for the credentials again after a server kick.
    n, ev = m.expect_any([(">PASSWORD:", "Need 'Auth'"), (">STATE:", ",CONNECTED,")])
    if n == 0:
        ok(m.cmd("username", "Auth", USER), "username")
        ok(m.cmd("password", "Auth", PASSWORD), "password")
        expect_connected(m)
    ok(m.cmd("signal", "SIGUSR1"), "signal SIGUSR1")
    m.expect(">STATE:", ",RECONNECTING,")
    m.expect(">HOLD:")
    ok(m.cmd("signal", "SIGTERM"), "signal SIGTERM")
    ev = m.expect(">STATE:", ",EXITING,")
    if m.parsed:
        check(ev["state_detail"] == "init_instance", ev)
    m.wait_closed()
    check(c.wait() == 0, "exit status")


def scenario_sighup(lab, mk):
    """SIGUSR1 without --persist-tun (DOWN then UP), log/echo on all,
    forget-passwords, then SIGHUP: DOWN, RECONNECTING,SIGHUP, start-up hold."""
    lab.server.policy = plain_policy
    c, m = start(lab, mk, persist_tun=False)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    m.expect(">UPDOWN:UP")
    expect_connected(m)
    res = ok(m.cmd("log", "on", "all"), "log on all")
    check(any("Initialization Sequence Completed" in line for line in res["lines"]), res)
    ok(m.cmd("log", "off"), "log off")
    ok(m.cmd("echo", "on", "all"), "echo on all")
    ok(m.cmd("signal", "SIGUSR1"), "signal SIGUSR1")
    ev = m.expect(">UPDOWN:DOWN")
    if m.parsed:
        check(ev["env"].get("script_context") == "init" or len(ev["env"]) > 0, ev)
    m.expect(">STATE:", ",RECONNECTING,")
    m.expect(">HOLD:")
    ok(m.cmd("hold", "release"), "hold release")
    m.expect(">UPDOWN:UP")
    expect_connected(m)
    ok(m.cmd("forget_passwords"), "forget-passwords")
    ok(m.cmd("signal", "SIGHUP"), "signal SIGHUP")
    m.expect(">UPDOWN:DOWN")
    ev = m.expect(">STATE:", ",RECONNECTING,")
    if m.parsed:
        check(ev["state_detail"] == "SIGHUP", ev)
    ev = m.expect(">HOLD:")
    if m.parsed:
        check(ev["hold_seconds"] == 0, ev)
    ok(m.cmd("signal", "SIGTERM"), "signal SIGTERM")
    m.wait_closed()
    check(c.wait() == 0, "exit status")


def scenario_management_client(lab, mk):
    """--management-client: openvpn connects to our socket; when we close it,
    openvpn exits (management-exit, status 0)."""
    lab.server.policy = plain_policy
    c, m = start(lab, mk, listen=True)
    ok(m.cmd("hold", "release"), "hold release")
    answer_userpass(m)
    expect_connected(m)
    m.close_connection()
    check(c.wait() == 0, "exit status after management-exit")


SCENARIOS = [
    ("connect", scenario_connect),
    ("auth-retry", scenario_auth_retry),
    ("static-challenge", scenario_static_challenge),
    ("crv1", scenario_crv1),
    ("cr-text", scenario_cr_text),
    ("web-auth", scenario_web_auth),
    ("private-key", scenario_private_key),
    ("hold", scenario_hold),
    ("fatal-prompt", scenario_fatal_prompt),
    ("kill-restart", scenario_kill_restart),
    ("sighup", scenario_sighup),
    ("management-client", scenario_management_client),
]
