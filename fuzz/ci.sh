#!/usr/bin/env bash
# Builds the fuzz targets and replays their corpora once (-runs=0), when the toolchain
# allows; says so and succeeds when it does not. A crash on replay fails.
set -uo pipefail
cd "$(dirname "$0")"
skip() { echo "fuzz: skipped: $*"; exit 0; }
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2 --locked --quiet ||
  skip "cargo-fuzz cannot be installed here"
export RUSTC_BOOTSTRAP=1
log=$(mktemp)
# A debug build without sanitizers: enough to show the targets build and the corpora replay,
# in a few minutes (the long, sanitized runs are by hand; see README.md).
if ! cargo fuzz build --dev --sanitizer none >"$log" 2>&1; then
  tail -n 20 "$log"
  skip "the targets do not build on this toolchain (tests/fuzz_corpora.rs still replays the corpora)"
fi
for target in config dsl expr stream; do
  dirs=(corpus/"$target")
  [ -d regressions/"$target" ] && dirs+=(regressions/"$target")
  cargo fuzz run --dev --sanitizer none "$target" "${dirs[@]}" -- -runs=0 >"$log" 2>&1 ||
    { cat "$log"; exit 1; }
  echo "fuzz: $target: $(grep -o 'INITED.*' "$log" | head -n 1)"
done
