#!/bin/bash
# What waiting for the state of interleaved interactions costs the judging thread: each
# stream of bench/compare.sh (1M events, 10,000 interactions open at a time) against the same
# lines sorted by interaction (each interaction's lines together, in their order), sampled as
# bench/judging.sh samples, the two alternating. The reports' counts are the same; the
# difference is the most any look-ahead for the interactions to come could win.
#
# usage: bench/locality.sh [ROUNDS]   (default: 5 rounds; PLOTLINE= and WORK= as elsewhere)
set -euo pipefail
rounds=${1:-5}
source "$(dirname "$0")/common.sh"
make_streams 1000000 10000

for stream in "$gen" "$sim"; do
  sorted=${stream%.jsonl}-by-interaction.jsonl
  [ -s "$sorted" ] || python3 - "$stream" "$sorted" <<'PY'
import re, sys
key = re.compile(rb'"interaction":"([^"]*)"')
with open(sys.argv[1], "rb") as source:
    lines = source.read().splitlines(keepends=True)
def interaction(line):
    found = key.search(line)
    return found.group(1) if found else b""
with open(sys.argv[2], "wb") as out:
    out.writelines(sorted(lines, key=interaction))  # stable: each one's lines keep their order
PY
  as_written="" by_interaction=""
  for _ in $(seq "$rounds"); do
    as_written="$as_written $(samples "$plotline" "$stream")"
    by_interaction="$by_interaction $(samples "$plotline" "$sorted")"
  done
  a=$(median "$as_written") b=$(median "$by_interaction")
  change=$(change "$a" "$b")
  echo "$(basename "$stream") (judging thread's samples at 5 kHz, $rounds rounds)"
  echo "  as written: median $a of$as_written"
  echo "  sorted by interaction: median $b ($change) of$by_interaction"
  for file in "$stream" "$sorted"; do
    # Violations make `validate` exit 1: its report is what counts here.
    report=$("$plotline" validate --format json -j 1 "$file" 2>/dev/null || true)
    python3 -c 'import json, sys; print("  by_kind:", json.load(sys.stdin)["summary"]["by_kind"])' \
      <<< "$report"
  done
done
