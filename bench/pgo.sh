#!/bin/bash
# The profile-guided build: `dist` built instrumented, run over a training set it makes
# itself, the profile merged, and `dist` built again with it (rustc's -Cprofile-generate and
# -Cprofile-use; llvm-profdata from the toolchain's llvm-tools). The training streams are
# simulated with seeds and sizes of their own, never the benchmarks' streams, and exercise
# every path with a throughput target: `validate` on one and two threads, with
# `--coverage` and every report format, `run`, the collector (over HTTP, with curl) and a
# worker (over a real nats-server, when there is one: PLOTLINE_NATS_SERVER,
# tests/clients/.venv/bin/nats-server or nats-server on PATH; skipped with a note if not).
#
# usage: bench/pgo.sh        -> target/pgo/dist/plotline (about twice a `dist` build's time)
# The other bench scripts measure it with PLOTLINE=target/pgo/dist/plotline.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
source "$here/bench/binaries.sh"
cd "$here"
work=$(mktemp -d)
server=""
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi; rm -rf "$work"' EXIT

rustup component add llvm-tools >/dev/null 2>&1 || true
profdata=$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | awk '/^host:/ { print $2 }')/bin/llvm-profdata
[ -x "$profdata" ] || { echo "bench: no llvm-profdata (rustup component add llvm-tools)" >&2; exit 2; }

profiles=$here/target/pgo-profiles
rm -rf "$profiles"
echo "pgo: the instrumented build" >&2
CARGO_TARGET_DIR=$here/target/pgo-train RUSTFLAGS="-Cprofile-generate=$profiles" \
  cargo build --profile dist -q
train=$here/target/pgo-train/dist/plotline

echo "pgo: training" >&2
"$train" simulate -n 300000 --open 10000 --cut --violations 0.01 --seed 101 > "$work/a.jsonl" 2>/dev/null
"$train" simulate -n 60000 --open 1000 --violations 0.05 --seed 102 > "$work/b.jsonl" 2>/dev/null
for jobs in 1 2; do
  "$train" validate --format json -j "$jobs" "$work/a.jsonl" > /dev/null || true
done
"$train" validate --format json --coverage "$work/a.jsonl" > /dev/null || true
for format in text sarif junit html; do
  "$train" validate --format "$format" "$work/b.jsonl" > /dev/null 2>&1 || true
done
"$train" run "$work/a.jsonl" > /dev/null 2>&1 || true

# The collector: 100-line posts of the second stream, then its report.
start_collector "$train"
split -l 100 "$work/b.jsonl" "$work/post-"
for post in "$work"/post-*; do
  curl -sf "$url/events" -H 'Content-Type: application/x-ndjson' --data-binary "@$post" > /dev/null
done
curl -sf "$url/report" > /dev/null
kill -INT $server && wait $server || true
server=""

# A worker, when a nats-server is at hand.
if [ -n "$(nats_server)" ]; then
  start_nats "$train"
  "$train" publish --nats "$url" "$work/a.jsonl" 2> /dev/null
  "$train" worker --nats "$url" --id train --idle-exit 2 2> /dev/null
  "$train" report --nats "$url" > /dev/null 2>&1 || true
  kill $server; wait $server 2>/dev/null || true
  server=""
else
  echo "pgo: no nats-server, the workers are not trained (tests/clients/setup.sh installs one)" >&2
fi

"$profdata" merge -o "$here/target/pgo.profdata" "$profiles"
echo "pgo: the optimised build" >&2
# Cargo knows the flags, not the profile's contents: everything is built again with it.
rm -rf "$here/target/pgo"
CARGO_TARGET_DIR=$here/target/pgo RUSTFLAGS="-Cprofile-use=$here/target/pgo.profdata" \
  cargo build --profile dist -q
echo "$here/target/pgo/dist/plotline"
