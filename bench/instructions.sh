#!/bin/bash
# Instruction counts: Plotline (`validate -j 1`) against the parse-only floor on the same lines,
# counted by valgrind's cachegrind. Unlike wall-clock time these do not move with the load of
# a shared machine, so they show what a change saves to a fraction of a percent.
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
make_streams 1000000 10000

# count COMMAND...: the instructions the command executes, all threads together (its exit
# status aside: `validate` exits 1 when it finds violations)
count() {
  { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 >/dev/null || true; } |
    awk '/I *refs/ { gsub(",", "", $NF); print $NF }'
}

printf '| lines | run | instructions | per line | x floor |\n|---|---|---|---|---|\n'
for stream in "$gen" "$sim"; do
  name=$(basename "$stream" .jsonl | sed 's/-1000000$//')
  part=$work/$name-$lines.jsonl
  head -n "$lines" "$stream" > "$part"
  base=$(count "$floor" "$part")
  printf '| %s %s | floor | %s | %s | 1.00 |\n' "$name" "$lines" "$base" $((base / lines))
  for bin in "${binaries[@]}"; do
    # shellcheck disable=SC2086 # ARGS is a list of options
    n=$(count "$bin" validate --format json -j 1 ${ARGS:-} "$part")
    printf '| %s %s | %s | %s | %s | %s |\n' "$name" "$lines" "$bin" "$n" $((n / lines)) \
      "$(python3 -c "print(f'{$n / $base:.2f}')")"
  done
done
