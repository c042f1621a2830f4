#!/bin/bash
# The bindings against the CLI, in one run on the same files: the npm package's WebAssembly
# sizes (gzipped; the build pages load, and the one Node loads), Node `pushLines` against
# `plotline validate -j 1`, Python `validate_file` (jobs=1) against the same, and Python
# `push(dict)` in events per second. Each time is the
# fastest of REPEAT runs (default 3); every report is checked equal to the CLI's first.
#
# usage: bench/bindings.sh [LINES]   (default 1000000: the simulated stream of bench/compare.sh)
set -euo pipefail
lines=${1:-1000000}
source "$(dirname "$0")/common.sh"
make_streams "$lines" 10000
repeat=${REPEAT:-3}
bindings/build.sh npm wheel >/dev/null
venv=$work/bindings-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps target/wheels/plotline-*.whl

# fastest COMMAND...: the least wall time of $repeat runs, in seconds (output to /dev/null)
fastest() {
  local best=""
  for _ in $(seq "$repeat"); do
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null || true
    end=$(date +%s.%N)
    best=$(python3 -c "t = $end - $start; b = '$best'; print(min(t, float(b)) if b else t)")
  done
  echo "$best"
}

stream=$sim
cli_report=$work/cli-report.json
"$plotline" validate -j 1 --format json "$stream" > "$cli_report" || true
node_script=$work/push_lines.mjs
cat > "$node_script" <<'JS'
import { readFileSync, writeFileSync } from "node:fs";
const { Catalog } = await import(process.argv[2]);
const bytes = readFileSync(process.argv[3]);
const validator = Catalog.builtin().validator({}, process.argv[3]);
// In pieces of about 1 MiB, cut at line ends, as a reader of a file or socket would push them.
for (let start = 0; start < bytes.length; ) {
  let end = Math.min(start + (1 << 20), bytes.length);
  if (end < bytes.length) end = bytes.indexOf(10, end) + 1 || bytes.length;
  validator.pushLines(bytes.subarray(start, end));
  start = end;
}
validator.finish();
if (process.argv[4]) writeFileSync(process.argv[4], validator.reportJson());
JS
py_file=$work/validate_file.py
cat > "$py_file" <<'PY'
import sys, plotline
text = plotline.Catalog.builtin().validate_file_json(sys.argv[1], jobs=1)
if len(sys.argv) > 2:
    open(sys.argv[2], "w").write(text)
PY
py_push=$work/push_dicts.py
cat > "$py_push" <<'PY'
import json, sys, time, plotline
def records(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            record = json.loads(line)
        except ValueError:
            continue  # the stream's malformed lines: no dict to push
        if isinstance(record, dict):
            yield record
events = []
for record in records(sys.argv[1]):
    events.append(record)
    if len(events) == int(sys.argv[2]):
        break
validator = plotline.Catalog.builtin().validator(sys.argv[1])
start = time.perf_counter()
for event in events:
    validator.push(event)
took = time.perf_counter() - start
print(f"{len(events) / took:.0f}")
PY
node "$node_script" "$here/target/npm/plotline/index.js" "$stream" "$work/node-report.json"
cmp -s "$cli_report" "$work/node-report.json" || { echo "bench: Node's report differs from the CLI's" >&2; exit 1; }
"$venv/bin/python" "$py_file" "$stream" "$work/python-report.json"
cmp -s "$cli_report" "$work/python-report.json" || { echo "bench: Python's report differs from the CLI's" >&2; exit 1; }

wasm=target/npm/plotline/plotline_wasm_bg.wasm
node_wasm=target/npm/plotline/plotline_wasm_node.wasm
cli=$(fastest "$plotline" validate -j 1 --format json "$stream")
node=$(fastest node "$node_script" "$here/target/npm/plotline/index.js" "$stream")
python=$(fastest "$venv/bin/python" "$py_file" "$stream")
pushes=$(for _ in $(seq "$repeat"); do "$venv/bin/python" "$py_push" "$stream" 200000; done | sort -n | tail -1)
python3 - "$lines" "$cli" "$node" "$python" "$pushes" \
  "$(wc -c < "$wasm")" "$(gzip -9 -c "$wasm" | wc -c)" \
  "$(wc -c < "$node_wasm")" "$(gzip -9 -c "$node_wasm" | wc -c)" <<'PY'
import sys
lines, cli, node, python, pushes, raw, gz, node_raw, node_gz = sys.argv[1:]
lines, cli, node, python = int(lines), float(cli), float(node), float(python)
print(f"| measure | value | against the CLI -j 1 |\n|---|---|---|")
for name, raw, gz in ((".wasm for pages", raw, gz), (".wasm for Node", node_raw, node_gz)):
    print(f"| {name} (built-in catalog) | {int(raw):,} B, {int(gz):,} B gzipped ({int(gz) / 2**20:.2f} MiB) | |")
print(f"| CLI validate -j 1 | {cli:.2f} s, {lines / cli / 1e6:.2f} M lines/s | 1.00x |")
print(f"| Node pushLines | {node:.2f} s, {lines / node / 1e6:.2f} M lines/s | {cli / node:.2f}x |")
print(f"| Python validate_file(jobs=1) | {python:.2f} s | {cli / python:.2f}x ({(python / cli - 1) * 100:+.1f}% time) |")
print(f"| Python push(dict) | {int(pushes):,} events/s | |")
PY
