#!/bin/bash
# The partitioned mode end to end on one machine: a nats-server with JetStream on a free
# loopback port and a temporary store, `nats-setup` (12 partitions), `publish`, then WORKERS
# workers that exit when idle; beside them `validate -j1` and `-j2` on the same file. Each
# worker says how long it was busy; events/s is the file's lines over the longest of those.
# The server's CPU time while the workers ran is printed beside it (it shares the machine).
#
# usage: bench/nats.sh [FILE] [WORKERS]   (default: 500,000 simulated events, 1 worker)
#   JOBS=N gives each worker N threads (`worker -j N`; default: one per core).
#   EVENTS=1 sets the deployment up with `--events` (the workers publish every event with
#   its metadata, as `run` writes them), and times `run` on the file beside `validate`.
# The server: PLOTLINE_NATS_SERVER, tests/clients/.venv/bin/nats-server, or nats-server on PATH.
# PLOTLINE=BINARY measures another build (bench/pgo.sh's, say).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
workers=${2:-1}
work=$(mktemp -d)
server=""
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/bench/binaries.sh"
plotline=$(measured_build)
cd "$here"
file=${1:-}
if [ -z "$file" ]; then
  file=$work/stream.jsonl
  "$plotline" simulate -n 500000 --open 5000 --violations 0.01 --seed 3 > "$file" 2> /dev/null
fi
lines=$(wc -l < "$file")
start_nats "$plotline" ${EVENTS:+--events} || exit 2
start=$(date +%s.%N)
"$plotline" publish --nats "$url" "$file" 2> /dev/null
end=$(date +%s.%N)
echo "publish: $(echo "$lines / ($end - $start)" | bc) lines/s"
# The server's user and system time so far, in clock ticks (Linux; empty elsewhere).
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server/stat" 2>/dev/null || true; }
ticks_before=$(server_ticks)
pids=()
for i in $(seq "$workers"); do
  ${TIME_WORKER:+/usr/bin/time -f "worker cpu: %U user %S sys %e wall, %M kB max RSS" -a -o "$work/time.log"} "$plotline" worker --nats "$url" --id "w$i" --idle-exit 2 ${JOBS:+-j "$JOBS"} 2> "$work/w$i.log" &
  pids+=($!)
done
wait "${pids[@]}"
ticks_after=$(server_ticks)
if [ -n "$ticks_before" ] && [ -n "$ticks_after" ]; then
  awk -v a="$ticks_before" -v b="$ticks_after" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "server cpu while the workers ran: %.2f s\n", (b - a) / hz }'
fi
[ -n "${TIME_WORKER:-}" ] && cat "$work/time.log"
busy=$(cat "$work"/w*.log | grep -o 'processed in [0-9.]*' | awk '{ if ($3 > m) m = $3 } END { print m }')
echo "$workers worker(s), ${JOBS:-one per core} thread(s) each: $(echo "$lines / $busy" | bc) events/s (busy $busy s)"
for jobs in 1 2; do
  start=$(date +%s.%N)
  "$plotline" validate -j "$jobs" -q "$file" > /dev/null || true
  end=$(date +%s.%N)
  echo "validate -j$jobs: $(echo "$lines / ($end - $start)" | bc) events/s"
done
if [ -n "${EVENTS:-}" ]; then
  start=$(date +%s.%N)
  "$plotline" run -q "$file" > /dev/null 2>&1 || true
  end=$(date +%s.%N)
  echo "run: $(echo "$lines / ($end - $start)" | bc) events/s"
fi
