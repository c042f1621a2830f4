# Sourced by the bench scripts: the repository (the working directory from here on), the
# peers (copied first when read-only, since they install their dependencies in place), the
# work directory, the fully optimised build (`dist`; PLOTLINE=BINARY measures another, such
# as bench/pgo.sh's), and the streams they measure on.
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS_DIR:-$here/../shared/peers}
work=${WORK:-/tmp/plotline-bench}
mkdir -p "$work"
source "$here/bench/binaries.sh"
plotline=$(measured_build)
cd "$here"
if [ ! -w "$peers" ]; then
  rm -rf "$work/peers" && cp -r "$peers" "$work/peers" && chmod -R u+w "$work/peers"
  peers=$work/peers
fi

# make_streams N OPEN: sets $gen and $sim, the peers' gen_stream and a simulated stream of N
# events with OPEN interactions open at a time (made once in $work, then reused).
make_streams() {
  gen=$work/gen-$1.jsonl sim=$work/sim-$1.jsonl
  [ -s "$gen" ] || python3 "$peers/gen_stream.py" "$1" --open "$2" > "$gen"
  [ -s "$sim" ] || "$plotline" simulate -n "$1" --open "$2" --cut --violations 0.01 --seed 7 \
    > "$sim" 2>/dev/null
}

# simd_floor: builds bench/simd-floor (the parse-only floor with a SIMD reader, AVX2 on
# x86-64) and sets $simd_floor to it.
simd_floor() {
  (cd "$here/bench/simd-floor" && cargo build --release -q --target-dir "$work/simd-floor")
  simd_floor=$work/simd-floor/release/simd-floor
}

# samples BINARY STREAM: the judging thread's samples (`perf`, cpu-clock at 5 kHz) in one run
# of `validate -j 1`, after one unsampled run to warm the page cache. The judging thread is
# the one with the most samples.
samples() {
  command -v perf >/dev/null || { echo "bench: perf is required (Debian: linux-perf)" >&2; exit 2; }
  local data
  data=$(mktemp)
  "$1" validate --format json -j 1 "$2" > /dev/null 2>&1 || true
  perf record -q -e cpu-clock -F 5000 -o "$data" "$1" validate --format json -j 1 "$2" \
    > /dev/null 2>&1 || true
  perf script -i "$data" -F tid 2>/dev/null | sort | uniq -c | sort -rn | awk 'NR == 1 { print $1 }'
  rm -f "$data"
}

# median NUMBER...: the median of the numbers given (the lower of the middle two)
median() {
  tr ' ' '\n' <<< "$*" | grep . | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# change FROM TO: TO against FROM, in percent with its sign (`+1.2%`)
change() {
  python3 -c "print(f'{($2 - $1) / $1 * 100:+.1f}%')"
}
