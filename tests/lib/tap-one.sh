#!/bin/bash
# tap-one.sh NAME COMMAND [ARG…]: runs COMMAND as one TAP case named NAME, so
# that a test that is a single command (an external checker, a script run as a
# user would) is named in meson's log like every other case. COMMAND's
# standard output goes to standard error; its exit status decides the case.
set -u
name=${1:?usage: tap-one.sh NAME COMMAND [ARG…]}
shift
echo "TAP version 13"
echo "1..1"
"$@" >&2
rc=$?
if [ "$rc" = 0 ]; then
  echo "ok 1 - $name"
else
  echo "not ok 1 - $name # exit status $rc"
fi
exit "$rc"
