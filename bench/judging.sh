#!/bin/bash
# The judging thread's CPU time of several builds (`validate -j 1`) on bench/compare.sh's
# 1M-event streams, sampled by `perf record` (cpu-clock, 5 kHz) in alternating rounds, the
# builds' medians side by side. On a shared machine a 0.4 s run's wall time moves by 10-25%
# between runs, which hides a change of a few percent; the samples of the thread that judges
# (the one with the most of them) separate builds that wall times cannot.
#
# usage: bench/judging.sh [ROUNDS] PLOTLINE...   (default: 8 rounds)
#   Each round runs every build once on each stream, after one unsampled run to warm the
#   page cache. WORK=DIR as for bench/compare.sh.
set -euo pipefail
rounds=8
if [[ ${1:-} =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
[ $# -gt 0 ] || { echo "usage: bench/judging.sh [ROUNDS] PLOTLINE..." >&2; exit 2; }
binaries=()
for binary in "$@"; do binaries+=("$(realpath "$binary")"); done
# The streams are made by the first build given: nothing is compiled while measuring.
PLOTLINE=${binaries[0]} source "$(dirname "$0")/common.sh"
make_streams 1000000 10000

for stream in "$gen" "$sim"; do
  declare -A taken=()
  for _ in $(seq "$rounds"); do
    for binary in "${binaries[@]}"; do
      taken[$binary]="${taken[$binary]:-} $(samples "$binary" "$stream")"
    done
  done
  echo "$(basename "$stream") (judging thread's samples at 5 kHz, $rounds rounds)"
  first=""
  for binary in "${binaries[@]}"; do
    sorted=$(tr ' ' '\n' <<< "${taken[$binary]}" | grep . | sort -n | tr '\n' ' ')
    median=$(median "$sorted")
    [ -n "$first" ] || first=$median
    change=$(change "$first" "$median")
    echo "  $binary: median $median ($change against the first) of $sorted"
  done
  unset taken
done
