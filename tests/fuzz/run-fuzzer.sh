#!/bin/sh
# Runs a libFuzzer target for $3 seconds on a throw-away copy of its corpus.
# usage: run-fuzzer.sh <fuzzer> <seed corpus dir> <seconds>
set -eu
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ovpn3-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/corpus" "$tmp/artifacts"
cp "$2"/* "$tmp/corpus/"
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# -max_len covers the 64 KiB line limit of the reader.
"$1" -max_total_time="$3" -timeout=10 -rss_limit_mb=2048 -max_len=70000 \
  -artifact_prefix="$tmp/artifacts/" -print_final_stats=1 "$tmp/corpus"
