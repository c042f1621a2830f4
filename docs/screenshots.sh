#!/bin/bash
# The README's pictures: the HTML report (`validate --format html`) and the live page of
# `serve`, for one simulated stream of the five built-in lifecycles, in headless Chromium.
# Rerun after changing either page.
#
# usage: docs/screenshots.sh   (needs tests/clients/setup.sh, Chromium and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d tests/clients/node_modules/playwright-core ] || { echo "run tests/clients/setup.sh first" >&2; exit 2; }
cargo build --release -q
plotline=$PWD/target/release/plotline
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server"; rm -rf "$work"' EXIT

"$plotline" simulate -n 20000 --violations 0.01 --seed 7 > "$work/stream.jsonl"
# Exit 1: the stream has violations, on purpose. (Run beside it: the page names it as given.)
(cd "$work" && "$plotline" -q validate stream.jsonl --format html -o report.html) || [ $? -eq 1 ]

"$plotline" serve --listen 127.0.0.1:0 > "$work/serve.out" 2>/dev/null &
server=$!
for _ in $(seq 50); do grep -q http:// "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
address=$(grep -o 'http://[^ ]*' "$work/serve.out" | head -1)
split -l 2000 "$work/stream.jsonl" "$work/part-"
for part in "$work"/part-*; do
  curl -sf --data-binary @"$part" "$address/events" > /dev/null
done

(cd tests/clients && node screenshot.cjs 1800 \
  "file://$work/report.html" "$OLDPWD/docs/html-report.png" \
  "$address/" "$OLDPWD/docs/live-page.png")
echo "wrote docs/html-report.png and docs/live-page.png"
