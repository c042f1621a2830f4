#!/bin/bash
# `plotline infer` against `plotline validate -j 1` on the same recording: wall time (the
# fastest of REPEAT runs, default 3) and peak RSS of each, and their ratio.
#
# usage: bench/infer.sh [LINES]   (default 1000000: the simulated stream of bench/compare.sh)
set -euo pipefail
lines=${1:-1000000}
source "$(dirname "$0")/common.sh"
make_streams "$lines" 10000
repeat=${REPEAT:-3}

# best COMMAND...: "seconds peak_kib" of the fastest of $repeat runs
best() {
  local fastest=""
  for _ in $(seq "$repeat"); do
    local out
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > /dev/null 2>&1 || true
    out=$(tail -1 "$work/time.txt")
    if [ -z "$fastest" ] || python3 -c "import sys; sys.exit(0 if ${out%% *} < ${fastest%% *} else 1)"; then
      fastest=$out
    fi
  done
  echo "$fastest"
}

drafts=$work/infer-drafts
for stream in "$gen" "$sim"; do
  rm -rf "$drafts"
  validate=$(best "$plotline" validate -j 1 --format json "$stream")
  infer=$(best "$plotline" infer "$stream" -o "$drafts")
  python3 - "$(basename "$stream")" "$validate" "$infer" <<'PY'
import sys
name, (vt, vm), (it, im) = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
print(f"{name}: validate -j 1 {float(vt):.2f} s, {int(vm) // 1024} MiB; "
      f"infer {float(it):.2f} s, {int(im) // 1024} MiB; infer/validate {float(it) / float(vt):.2f}x")
PY
done
