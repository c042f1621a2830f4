#!/bin/bash
# Instruction counts: Plotline (`validate -j 1`) against the parse-only floors (the peers'
# serde_json one and the SIMD one of bench/simd-floor) on the same lines, counted by valgrind's
# cachegrind. Unlike wall-clock time these do not move with the load of a shared machine, so
# they show what a change saves to a fraction of a percent.
#
# usage: bench/instructions.sh [LINES] [PLOTLINE...]   (default: 200000, target/dist/plotline)
#   The lines are the first LINES of bench/compare.sh's 1M-event streams (made here if missing).
#   Several PLOTLINE binaries (say, before and after a change) are counted on the same lines.
#   WORK=DIR as for bench/compare.sh; ARGS="--reorder-window 10s" adds options to `validate`.
set -euo pipefail
lines=${1:-200000}
shift || true
command -v valgrind >/dev/null || { echo "bench: valgrind is required (Debian: valgrind)" >&2; exit 2; }
# Paths as given, before the working directory changes.
binaries=()
for binary in "$@"; do binaries+=("$(realpath "$binary")"); done
source "$(dirname "$0")/common.sh"
[ ${#binaries[@]} -gt 0 ] || binaries=("$plotline")
(cd "$peers/rust-floor" && cargo build --release -q)
floor=$peers/rust-floor/target/release/rust-floor
simd_floor
make_streams 1000000 10000

# count COMMAND...: the instructions the command executes, all threads together (its exit
# status aside: `validate` exits 1 when it finds violations; a crash under valgrind fails)
count() {
  local out
  out=$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true)
  if grep -q "Process terminating" <<< "$out"; then
    echo "bench: $1 did not run to its end under valgrind:" >&2
    grep -A1 "Process terminating" <<< "$out" >&2
    exit 1
  fi
  awk '/I *refs/ { gsub(",", "", $NF); print $NF }' <<< "$out"
}

# ratio A B: A / B to two decimals
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

printf '| lines | run | instructions | per line | x floor | x SIMD floor |\n|---|---|---|---|---|---|\n'
for stream in "$gen" "$sim"; do
  name=$(basename "$stream" .jsonl | sed 's/-1000000$//')
  part=$work/$name-$lines.jsonl
  head -n "$lines" "$stream" > "$part"
  base=$(count "$floor" "$part")
  simd=$(count "$simd_floor" "$part")
  printf '| %s %s | floor | %s | %s | 1.00 | %s |\n' "$name" "$lines" "$base" $((base / lines)) \
    "$(ratio "$base" "$simd")"
  printf '| %s %s | SIMD floor | %s | %s | %s | 1.00 |\n' "$name" "$lines" "$simd" \
    $((simd / lines)) "$(ratio "$simd" "$base")"
  for bin in "${binaries[@]}"; do
    # shellcheck disable=SC2086 # ARGS is a list of options
    n=$(count "$bin" validate --format json -j 1 ${ARGS:-} "$part")
    printf '| %s %s | %s | %s | %s | %s | %s |\n' "$name" "$lines" "$bin" "$n" $((n / lines)) \
      "$(ratio "$n" "$base")" "$(ratio "$n" "$simd")"
  done
done
