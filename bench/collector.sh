#!/bin/bash
# The live collector under a bounded local load: `plotline serve` on a free loopback port, and
# a second process (node, bench/collector_load.cjs) posting a simulated stream.
#
# usage: bench/collector.sh [EVENTS]             events/s for batches of 1, 100 and 1000 lines
#        bench/collector.sh load [SECONDS]       8, 32 and 128 clients posting 100-line
#                                                batches for SECONDS each (default 60): events/s,
#                                                p50/p99 latency, the server's peak RSS
#        bench/collector.sh soak [SECONDS] [MEM] 16 clients for SECONDS (default 600) against
#                                                --max-memory MEM (default 256M): RSS every 30 s
# Loopback only; the server is stopped at the end. PLOTLINE=BINARY measures another build.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-rate}
work=$(mktemp -d)
server=
trap 'if [ -n "$server" ]; then kill $server 2>/dev/null || true; fi; rm -rf "$work"' EXIT
source "$here/bench/binaries.sh"
plotline=$(measured_build)
cd "$here"

# start_server ARGS...: a collector on a free port; sets $server and $url
start_server() { start_collector "$plotline" "$@"; }
rss_mib() { awk -v f="$1" '$1 == f":" { printf "%.0f", $2 / 1024 }' "/proc/$server/status"; }

case $mode in
  load)
    seconds=${2:-60}
    "$plotline" simulate -n 200000 --open 1000 --seed 9 > "$work/stream.jsonl" 2>/dev/null
    for clients in 8 32 128; do
      start_server
      node bench/collector_load.cjs "$url" "$work/stream.jsonl" 100 "$clients" "$seconds"
      echo "  peak RSS: $(rss_mib VmHWM) MiB (now $(rss_mib VmRSS) MiB)"
      kill $server; wait $server 2>/dev/null || true; server=
    done
    ;;
  soak)
    seconds=${2:-600}
    memory=${3:-256M}
    "$plotline" simulate -n 200000 --open 1000 --seed 9 > "$work/stream.jsonl" 2>/dev/null
    start_server --max-memory "$memory"
    node bench/collector_load.cjs "$url" "$work/stream.jsonl" 100 16 "$seconds" > "$work/load.out" &
    load=$!
    for ((t = 30; t <= seconds; t += 30)); do
      sleep 30
      echo "t=${t}s RSS $(rss_mib VmRSS) MiB (peak $(rss_mib VmHWM) MiB)"
    done
    wait $load
    cat "$work/load.out"
    ;;
  *)
    events=${1:-100000}
    "$plotline" simulate -n "$events" --open 1000 --seed 9 > "$work/stream.jsonl" 2>/dev/null
    start_server
    head -n 20000 "$work/stream.jsonl" > "$work/small.jsonl"
    node bench/collector_load.cjs "$url" "$work/small.jsonl" 1 4
    for batch in 100 1000; do
      node bench/collector_load.cjs "$url" "$work/stream.jsonl" "$batch" 2
    done
    ;;
esac
