#!/bin/bash
# The live collector under a bounded local load: `plotline serve` on a free loopback port, and
# a second process (node, bench/collector_load.cjs) posting a simulated stream in batches of
# 1, 100 and 1000 lines. Prints events/s per batch size.
#
# usage: bench/collector.sh [EVENTS]        (default: 100000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
events=${1:-100000}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
cd "$here"
cargo build --release -q
plotline=$here/target/release/plotline
"$plotline" simulate -n "$events" --open 1000 --seed 9 > "$work/stream.jsonl" 2>/dev/null
"$plotline" serve --listen 127.0.0.1:0 > "$work/serve.out" &
server=$!
for _ in $(seq 50); do grep -q http "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" | head -1)
head -n 20000 "$work/stream.jsonl" > "$work/small.jsonl"
node bench/collector_load.cjs "$url" "$work/small.jsonl" 1 4
for batch in 100 1000; do
  node bench/collector_load.cjs "$url" "$work/stream.jsonl" "$batch" 2
done
