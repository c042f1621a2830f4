#!/bin/bash
# Instruction counts: Plotline (`validate -j 1`) against the parse-only floor on the same lines,
# counted by valgrind's cachegrind. Unlike wall-clock time these do not move with the load of
# a shared machine, so they show what a change saves to a fraction of a percent.
#
# usage: bench/instructions.sh [LINES] [PLOTLINE...]   (default: 200000, target/release/plotline)
#   The lines are the first LINES of bench/compare.sh's 1M-event streams (made here if missing).
#   Several PLOTLINE binaries (say, before and after a change) are counted on the same lines.
#   WORK=DIR as for bench/compare.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$here/../shared/peers}
work=${WORK:-/tmp/plotline-bench}
lines=${1:-200000}
shift || true
command -v valgrind >/dev/null || { echo "bench: valgrind is required (Debian: valgrind)" >&2; exit 2; }
mkdir -p "$work"
cd "$here"
cargo build --release -q
binaries=("${@:-$here/target/release/plotline}")
if [ ! -w "$peers" ]; then
  rm -rf "$work/peers" && cp -r "$peers" "$work/peers" && chmod -R u+w "$work/peers"
  peers=$work/peers
fi
(cd "$peers/rust-floor" && cargo build --release -q)
floor=$peers/rust-floor/target/release/rust-floor
gen=$work/gen-1000000.jsonl sim=$work/sim-1000000.jsonl
[ -s "$gen" ] || python3 "$peers/gen_stream.py" 1000000 --open 10000 > "$gen"
[ -s "$sim" ] || "${binaries[0]}" simulate -n 1000000 --open 10000 --cut --violations 0.01 --seed 7 > "$sim" 2>/dev/null

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
    n=$(count "$bin" validate --format json -j 1 "$part")
    printf '| %s %s | %s | %s | %s | %s |\n' "$name" "$lines" "$bin" "$n" $((n / lines)) \
      "$(python3 -c "print(f'{$n / $base:.2f}')")"
  done
done
