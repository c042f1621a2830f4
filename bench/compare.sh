#!/bin/bash
# Whole-process benchmark: Plotline against the peers of ../shared/peers and the SIMD floor
# of bench/simd-floor on the same streams, in one run. Prints events/s, peak RSS and ratios,
# checks that Plotline's by_kind counts equal the peers', and measures memory per open
# interaction.
#
# usage: bench/compare.sh [EVENTS...]        (default: 1000000)
#   PEERS=all|fast   fast skips XState and Python (minutes on 10M events)
#   OPEN=N           concurrent interactions in the generated streams (default 10000)
#   MEMORY=N,...     open-but-never-finished interactions for the memory runs (default 1000000)
#   WORK=DIR         where streams are written (default /tmp/plotline-bench)
#   REPEAT=N         rounds, each running every command of a stream once in turn; a command's
#                    fastest run counts (default 1; shared machines are noisy)
#   ORDER=rotate     each round starts one command later than the round before, so that no
#                    command always follows the same one (default: the same order every round)
#   PGO=BINARY       also runs a profile-guided build (bench/pgo.sh makes one) at -j 1 and -j 2
set -euo pipefail
[ -z "${PGO:-}" ] || pgo=$(realpath "$PGO")
source "$(dirname "$0")/common.sh"
open=${OPEN:-10000}
memory=${MEMORY:-1000000}
sizes=("${@:-1000000}")
"$peers/setup.sh" >/dev/null 2>&1 || { echo "bench: $peers/setup.sh failed" >&2; exit 1; }
simd_floor

results=$work/results.jsonl
: > "$results"
# queue NAME STREAM EVENTS COMMAND... : a command for measure_queued to time.
queued=()
queue() {
  local name=$1 stream=$2 events=$3; shift 3
  queued+=("$(printf '%q ' "$name" "$stream" "$events" "$@")")
}

# measure_queued: $REPEAT rounds, each running every queued command once in turn, so that every
# command's runs spread over the same minutes as the others' (a machine that is slower for a
# minute slows them all alike, not the one whose runs fell in it). Appended to $results for
# each: its fastest run (wall time to the microsecond, from bash's clock: time(1) rounds to
# 10 ms, which made the ratios of short runs 0.00), the largest peak RSS of its runs, and the
# by_kind counts of its last (every run writes the same report).
measure_queued() {
  local -a walls=() rsss=()
  local timing=$work/time.txt round i k start end w r n=${#queued[@]}
  for round in $(seq "${REPEAT:-1}"); do
    for k in $(seq 0 $((n - 1))); do
      # A run can leave the next one memory it has just freed: rotated, each command follows
      # a different one each round.
      i=$k
      if [ "${ORDER:-}" = rotate ]; then i=$(((k + round - 1) % n)); fi
      eval "set -- ${queued[$i]}"
      shift 3
      start=$EPOCHREALTIME
      /usr/bin/time -f '%M' -o "$timing" "$@" > "$work/out-$i.json" 2>/dev/null || true
      end=$EPOCHREALTIME
      w=$(awk -v start="$start" -v end="$end" 'BEGIN { printf "%.6f", end - start }')
      r=$(tail -n 1 "$timing")
      if [ "$round" -eq 1 ] || awk -v w="$w" -v best="${walls[$i]}" 'BEGIN { exit !(w < best) }'; then
        walls[i]=$w
      fi
      [ "$r" -gt "${rsss[$i]:-0}" ] && rsss[i]=$r
    done
  done
  for i in "${!queued[@]}"; do
    eval "set -- ${queued[$i]}"
    python3 - "$1" "$2" "$3" "${walls[$i]}" "${rsss[$i]}" "$work/out-$i.json" >> "$results" <<'PY'
import json, sys
name, stream, events, wall, rss, out = sys.argv[1:]
text = open(out).read()
by_kind = None
try:
    start = text.index("{")
    doc = json.loads(text[start:])
    summary = doc.get("summary", doc)
    by_kind = summary.get("by_kind") or summary.get("violations_by_kind")
except Exception:
    pass
print(json.dumps({"name": name, "stream": stream, "events": int(events), "wall": float(wall),
                  "rss_kb": int(rss), "by_kind": by_kind}))
PY
    rm -f "$work/out-$i.json"
  done
  queued=()
}

# Two independent single-thread runs at once: what this machine gives two cores' worth of
# work with no coordination at all, the yardstick of `-j 2`.
two_at_once='"$0" validate --format json -j 1 "$1" >/dev/null & "$0" validate --format json -j 1 "$1"; wait'

# plotline_runs STREAM EVENTS FILE: Plotline on one and two threads (and the PGO build's, with
# PGO=), then two single-thread runs at once.
plotline_runs() {
  queue "plotline -j1" "$1" "$2" "$plotline" validate --format json -j 1 "$3"
  queue "plotline -j2" "$1" "$2" "$plotline" validate --format json -j 2 "$3"
  if [ -n "${PGO:-}" ]; then
    queue "plotline -j1 (PGO)" "$1" "$2" "$pgo" validate --format json -j 1 "$3"
    queue "plotline -j2 (PGO)" "$1" "$2" "$pgo" validate --format json -j 2 "$3"
  fi
  queue "plotline -j1, two at once" "$1" $((2 * $2)) bash -c "$two_at_once" "$plotline" "$3"
}

for n in "${sizes[@]}"; do
  make_streams "$n" "$open"
  queue "rust-floor (parse only)" gen-$n "$n" "$peers/rust-floor/target/release/rust-floor" "$gen"
  queue "simd-floor (parse only)" gen-$n "$n" "$simd_floor" "$gen"
  queue "plain JS + ajv" gen-$n "$n" node "$peers/node/validate.mjs" "$gen" --plain
  if [ "${PEERS:-all}" = all ]; then
    queue "XState + ajv" gen-$n "$n" node "$peers/node/validate.mjs" "$gen"
    queue "Python jsonschema" gen-$n "$n" env PYTHONPATH="$peers/py/site" python3 "$peers/py/validate.py" "$gen"
  fi
  plotline_runs gen-$n "$n" "$gen"
  measure_queued
  queue "rust-floor (parse only)" sim-$n "$n" "$peers/rust-floor/target/release/rust-floor" "$sim"
  queue "simd-floor (parse only)" sim-$n "$n" "$simd_floor" "$sim"
  plotline_runs sim-$n "$n" "$sim"
  measure_queued
done

# Memory: K interactions that start and never finish.
IFS=, read -ra opens <<< "$memory"
for k in "${opens[@]}"; do
  stream=$work/open-$k.jsonl
  [ -s "$stream" ] || python3 - "$k" > "$stream" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print('{"lifecycle":"callback","interaction":"open-%d","event":"ready","ts":%d,"version":"9.0.002.06"}' % (i, 1732435200000 + i))
PY
  queue "plotline -j1 --allow-incomplete" open-$k "$k" "$plotline" validate --format json -j 1 --allow-incomplete --max-open "$k" "$stream"
done
measure_queued

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
streams = []
for row in rows:
    if row["stream"] not in streams:
        streams.append(row["stream"])
for stream in streams:
    group = [r for r in rows if r["stream"] == stream]
    print(f"\n### {stream} ({group[0]['events']:,} lines)\n")
    if stream.startswith("open-"):
        r = group[0]
        budget = 64 * 2**20 + 300 * r["events"]
        rss = r["rss_kb"] * 1024
        print("| run | wall s | peak RSS MiB | budget MiB (64 MiB + 300 B each) | RSS / interaction |")
        print("|---|---|---|---|---|")
        print(f"| {r['name']} | {r['wall']:.2f} | {rss/2**20:.0f} | {budget/2**20:.0f}"
              f" ({'met' if rss <= budget else 'NOT met'}) | {rss/r['events']:.0f} B |")
        continue
    rate = {r["name"]: r["events"] / max(r["wall"], 1e-9) for r in group}
    floor = rate.get("rust-floor (parse only)")
    simd = rate.get("simd-floor (parse only)")
    single = rate.get("plotline -j1")
    print("| run | events/s | peak RSS MiB | x floor | x SIMD floor | plotline -j1 / it | plotline -j2 / it |")
    print("|---|---|---|---|---|---|---|")
    for r in group:
        mine = rate[r["name"]]
        cells = [f"{mine/1e6:.3f} M", f"{r['rss_kb']/1024:.0f}",
                 f"{mine/floor:.2f}" if floor else "-",
                 f"{mine/simd:.2f}" if simd else "-",
                 f"{single/mine:.1f}" if single else "-",
                 f"{rate.get('plotline -j2', 0)/mine:.1f}"]
        print(f"| {r['name']} | " + " | ".join(cells) + " |")
    pair = rate.get("plotline -j1, two at once")
    if single and pair and "plotline -j2" in rate:
        print(f"\ntwo threads / one: {rate['plotline -j2']/single:.2f}x; two single-thread runs"
              f" at once / one alone: {pair/single:.2f}x (this machine's own scaling)")
    peers = [r for r in group if r["by_kind"] and not r["name"].startswith("plotline")]
    mine = [r for r in group if r["by_kind"] and r["name"].startswith("plotline")]
    for r in mine:
        for p in peers:
            same = r["by_kind"] == p["by_kind"]
            print(f"\nby_kind {r['name']} vs {p['name']}: {'equal' if same else 'DIFFERENT'}"
                  + ("" if same else f"\n  {r['by_kind']}\n  {p['by_kind']}"))
PY
