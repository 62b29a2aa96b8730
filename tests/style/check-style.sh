#!/bin/bash
# Style gate: every C file is clang-format clean (.clang-format), and every
# tracked text file follows .editorconfig's basics (final newline, no
# trailing whitespace, no tabs in C). Speaks TAP: one case each; what is
# wrong goes out as diagnostics ("# ...").
set -u
src=${OVPN3_SOURCEDIR:?}
cd "$src"
echo "TAP version 13"
echo "1..2"
fail=0
mapfile -t cfiles < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
for f in "${cfiles[@]}"; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "# not clang-format clean: $f (run: clang-format -i $f)"
    fail=1
  fi
  if grep -qP '\t' "$f"; then
    echo "# tab character in $f"
    fail=1
  fi
done
if [ "$fail" = 0 ]; then
  echo "ok 1 - ${#cfiles[@]} C files are clang-format clean and have no tabs"
else
  echo "not ok 1 - C files are clang-format clean and have no tabs"
fi
cfail=$fail
fail=0
mapfile -t files < <(git ls-files -co --exclude-standard | grep -v -e '^tests/data/' -e '^tests/.*corpus' -e '\.pem$')
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  grep -Iq . "$f" 2>/dev/null || continue   # binary or empty
  if grep -nP '[ \t]+$' "$f" >/dev/null; then
    echo "# trailing whitespace in $f: $(grep -nP '[ \t]+$' "$f" | head -3 | cut -d: -f1 | tr '\n' ' ')"
    fail=1
  fi
  if [ -n "$(tail -c1 "$f")" ]; then
    echo "# no final newline: $f"
    fail=1
  fi
done
if [ "$fail" = 0 ]; then
  echo "ok 2 - ${#files[@]} text files end in a newline and have no trailing whitespace"
else
  echo "not ok 2 - text files end in a newline and have no trailing whitespace"
fi
[ "$cfail" = 0 ] && [ "$fail" = 0 ]
