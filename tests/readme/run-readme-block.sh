#!/bin/bash
# Runs, inside scripts/devbus, the shell block of README.md that follows the
# marker <!-- readme-test: NAME --> exactly as written (from the source
# directory), failing on the first command that fails.
set -euo pipefail
name=${1:?usage: run-readme-block.sh NAME}
src=${OVPN3_SOURCEDIR:?}
block=$(awk -v m="<!-- readme-test: $name -->" '
  $0 == m { found = 1; next }
  found && /^```/ { if (inblock) exit; inblock = 1; next }
  inblock { print }' "$src/README.md")
if [ -z "$block" ]; then
  echo "README.md has no block marked readme-test: $name" >&2
  exit 1
fi
cd "$src"
printf '%s\n' "$block" > "${TMPDIR:-/tmp}/readme-$name-$$.sh"
trap 'rm -f "${TMPDIR:-/tmp}/readme-$name-$$.sh"' EXIT
bash -euxo pipefail "${TMPDIR:-/tmp}/readme-$name-$$.sh"
echo "README block '$name' ran cleanly"
