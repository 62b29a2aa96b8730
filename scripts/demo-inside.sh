#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The part of scripts/demo that runs inside scripts/devbus: a private system
# bus with ovpn3's services from the build tree, in a network, mount and PID
# namespace of its own. As an ordinary user it imports a profile, connects to
# a local OpenVPN 2.6 server (scripts/demo-server) answering the password and
# one-time-code prompts, shows the session, sends traffic through the tunnel,
# disconnects, and checks that nothing is left. Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
OVPN3_BIN=$OVPN3_BUILDDIR/cli/ovpn3
DEMO_USER_LOCAL=ovpn3-test-a     # made by scripts/devbus; an ordinary, unprivileged user
# /run is a private tmpfs here: the folder goes with the namespace
DIR=${OVPN3_DEMO_DIR:-/run/ovpn3-demo}
TUNNEL_SERVER=10.8.0.1
server_started=0
step_name="setting up"

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  B=$'\033[1m' D=$'\033[36m' G=$'\033[32m' R=$'\033[31m' N=$'\033[0m'
else
  B='' D='' G='' R='' N=''
fi

step() {
  step_name=$1
  printf '\n%s==> %s%s\n' "$B" "$1" "$N"
  shift
  [ $# -eq 0 ] || printf '    %s\n' "$@"
}
# Show a command the way you would type it, then run it.
show() { printf '%s%s%s\n' "$D" "$1" "$N"; }
as_root() { show "root# $*"; "$@"; }
# ovpn3 as the ordinary user (the CLI speaks only D-Bus: no root needed)
ovpn3() {
  setpriv --reuid="$DEMO_USER_LOCAL" --regid="$DEMO_USER_LOCAL" --init-groups -- \
    env -C / "$OVPN3_BIN" "$@"
}
as_user() { show "$DEMO_USER_LOCAL\$ $*"; "$@"; }
fail() {
  printf '%sdemo: FAILED: %s%s\n' "$R" "$*" "$N" >&2
  exit 1
}
# wait_for WHAT SECONDS CMD...: until CMD succeeds
wait_for() {
  local what=$1 tries=$(($2 * 10))
  shift 2
  while ! "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || fail "timed out waiting for $what"
    sleep 0.1
  done
}
json_field() {   # json_field EXPR: evaluate EXPR on the JSON read from stdin as `j`
  /usr/bin/python3 -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
openvpns() { ps -C openvpn -o pid=,user=,args= | cut -c1-100; }
no_tun() { [ -z "$(ip -o link show type tun)" ]; }
bytes_in() { [ "$(ovpn3 session-stats --config demo --json |
                   json_field 'j["statistics"].get("BYTES_IN", 0) > 0')" = True ]; }
no_client_openvpn() { ! pgrep -f -- --management-client; }
no_sessions() { [ "$(ovpn3 sessions-list --json | json_field 'len(j)')" = 0 ]; }

cleanup() {
  local rc=$?
  trap - EXIT
  if [ "$rc" != 0 ]; then
    printf '%sdemo: FAILED while %s (exit status %d)%s\n' "$R" "$step_name" "$rc" "$N" >&2
    [ -f "$DIR/server.log" ] && { echo '--- demo server log:' >&2; tail -n 30 "$DIR/server.log" >&2; }
    ovpn3 session-manage --config demo --disconnect >/dev/null 2>&1 || true
  fi
  [ "$server_started" = 1 ] && scripts/demo-server stop "$DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

step "ovpn3's services are on a private system bus" \
  "scripts/devbus gave this demo its own network, mount and PID namespace and" \
  "a system-like dbus-daemon; the services start on demand (D-Bus activation)."
as_root busctl --system list --activatable --no-pager --no-legend | awk '/net\.openvpn/ { print $1 }'

step "Start a local OpenVPN 2.6 server to connect to (scripts/demo-server)" \
  "Its own network namespace, reached over a veth pair; a throw-away PKI; it lets" \
  "in user 'demo' with password 'demo-password' and the one-time code 123456."
server_started=1
as_root scripts/demo-server start "$DIR"
# the profile and its files belong to the user who imports them
chown "$DEMO_USER_LOCAL:" "$DIR"/demo.ovpn "$DIR"/ca.crt "$DIR"/demo.crt "$DIR"/demo.key
chmod 0600 "$DIR/demo.key"
as_root ip -br addr show dev ovpn3-demo0
show "root# cat $DIR/demo.ovpn"
cat "$DIR/demo.ovpn"

step "Import the profile as an ordinary user" \
  "ovpn3 reads the file as you and inlines the certificate and key files it names."
as_user ovpn3 config-import --config "$DIR/demo.ovpn" --name demo
as_user ovpn3 configs-list

step "Connect" \
  "ovpn3 asks for what the server needs: user name, password (never echoed on a" \
  "terminal), then the one-time code. Here the answers come from a pipe, one per line."
show "$DEMO_USER_LOCAL\$ printf '%s\n' demo demo-password 123456 | ovpn3 session-start --config demo"
printf '%s\n' demo demo-password 123456 | ovpn3 session-start --config demo --timeout 40 2>&1

step "The session" \
  "OpenVPN 2.6 runs unprivileged under the backend client; netcfg made the tun device."
as_user ovpn3 sessions-list
dev=$(ovpn3 sessions-list --json | json_field 'j[0]["device_name"]')
if [ -z "$dev" ] || [ "$dev" = None ]; then fail "the session has no tun device"; fi
as_root ip -br addr show dev "$dev"
echo
echo "    The client's openvpn runs as the service user, the demo server's as root:"
show "root# ps -C openvpn -o pid,user,args"
openvpns

step "Traffic through the tunnel" \
  "$TUNNEL_SERVER is the server's end of the tunnel, reachable only through $dev."
as_root ip route get "$TUNNEL_SERVER"
ip route get "$TUNNEL_SERVER" | grep -q " dev $dev " || fail "$TUNNEL_SERVER is not routed through $dev"
as_root ping -n -c 3 -i 0.2 -W 2 "$TUNNEL_SERVER"

step "Traffic counters of the session"
wait_for "the counters to show the ping" 10 bytes_in
as_user ovpn3 session-stats --config demo
echo
show "root# grep demo-server: $DIR/server.log    (what the server made of the login)"
grep 'demo-server:' "$DIR/server.log"

step "Disconnect"
as_user ovpn3 session-manage --config demo --disconnect

step "Nothing of the session is left: no session, no tun device, no client openvpn"
wait_for "the session to go" 20 no_sessions
as_user ovpn3 sessions-list
wait_for "the tun device to go" 20 no_tun
as_root ip -br link show type tun
echo "    (no tun device)"
wait_for "the client's openvpn to exit" 20 no_client_openvpn
show "root# ps -C openvpn -o pid,user,args"
openvpns
echo "    (only the demo server is left)"

step "The password never reached a log" \
  "Searched: the services' log and what they sent to the journal (plain and base64)."
show "root# grep -c -e demo-password -e $(printf demo-password | base64) \$OVPN3_DEVBUS_LOG \$OVPN3_DEVBUS_JOURNAL"
found=0
grep -c -e demo-password -e "$(printf demo-password | base64)" \
  "$OVPN3_DEVBUS_LOG" "$OVPN3_DEVBUS_JOURNAL" || found=$?
[ "$found" = 1 ] || fail "the password was logged (or the logs could not be read)"

step "Clean up: remove the profile, stop the server, delete its namespace"
as_user ovpn3 config-remove --config demo --force
as_root scripts/demo-server stop "$DIR"
server_started=0
show "root# pgrep -a openvpn; ip netns list; ip -br link"
if pgrep -a openvpn; then fail "an openvpn process is still running"; fi
[ -z "$(ip netns list)" ] || fail "a network namespace is left: $(ip netns list)"
ip -br link
[ "$(ip -o link show | wc -l)" = 1 ] || fail "network devices are left"
[ ! -e "$DIR" ] || fail "$DIR is left"
echo "    (no openvpn, no extra namespace, only the loopback device)"

step "${G}Done.${B} Leaving the private bus: scripts/devbus stops the services and its namespaces go"
