#!/bin/bash
# Style gate: every C file is clang-format clean (.clang-format), and every
# tracked text file follows .editorconfig's basics (final newline, no
# trailing whitespace, no tabs in C).
set -u
src=${OVPN3_SOURCEDIR:?}
cd "$src"
fail=0
mapfile -t cfiles < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
for f in "${cfiles[@]}"; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not clang-format clean: $f (run: clang-format -i $f)"
    fail=1
  fi
  if grep -qP '\t' "$f"; then
    echo "tab character in $f"
    fail=1
  fi
done
mapfile -t files < <(git ls-files -co --exclude-standard | grep -v -e '^tests/data/' -e '^tests/.*corpus' -e '\.pem$')
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  grep -Iq . "$f" 2>/dev/null || continue   # binary or empty
  if grep -nP '[ \t]+$' "$f" >/dev/null; then
    echo "trailing whitespace in $f: $(grep -nP '[ \t]+$' "$f" | head -3 | cut -d: -f1 | tr '\n' ' ')"
    fail=1
  fi
  if [ -n "$(tail -c1 "$f")" ]; then
    echo "no final newline: $f"
    fail=1
  fi
done
if [ "$fail" = 0 ]; then
  echo "style ok: ${#cfiles[@]} C files, ${#files[@]} files"
fi
exit "$fail"
