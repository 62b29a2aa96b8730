#!/bin/bash
# The part of scripts/demo that runs inside scripts/devbus.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CFG=net.openvpn.v3.configuration
MGR=/net/openvpn/v3/configuration
if [ -t 1 ]; then
  step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
  step() { printf '\n==> %s\n' "$*"; }
fi

step "A private system bus is up; our services start on demand (D-Bus activation)"
busctl --system list --activatable --no-pager | grep -E 'NAME|net\.openvpn' || true

step "Import a profile (everything inline; parsed against the directive allowlist)"
profile=$(cat "$here/tests/data/profiles/basic.ovpn")
path=$(busctl --system call $CFG $MGR $CFG Import ssbb "demo profile" "$profile" false true | cut -d'"' -f2)
echo "imported as $path"

step "A profile with a dangerous directive is refused, with the line and the reason"
busctl --system call $CFG $MGR $CFG Import ssbb "bad" "client
plugin /tmp/evil.so" false false 2>&1 || true

step "List the profiles this user can see"
busctl --system call $CFG $MGR $CFG FetchAvailableConfigs

step "Its properties"
busctl --system get-property $CFG "$path" $CFG name owner valid persistent import_timestamp

step "The profile as the service stores it (FetchJSON)"
busctl --system call $CFG "$path" $CFG FetchJSON | cut -c1-160
echo "…"

step "Persisted atomically, mode 0600, owned by the service user"
ls -l /var/lib/ovpn3/configs/

step "Remove it"
busctl --system call $CFG "$path" $CFG Remove
busctl --system call $CFG $MGR $CFG FetchAvailableConfigs

step "Done: the private bus, its services and namespaces go away now"
