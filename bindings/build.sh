#!/usr/bin/env bash
# Builds the bindings: the npm package `plotline` into target/npm/plotline/ (the core as
# WebAssembly through wasm-bindgen, with index.js, inspect.js and their type declarations) and
# the Python wheel `plotline` (abi3) into target/wheels/. Installs what it needs once per
# machine: the wasm32-unknown-unknown target (rustup), wasm-bindgen-cli at the exact version
# Cargo.lock holds (cargo install --locked), and maturin at the version of
# tests/clients/requirements.txt (into tests/clients/.venv).
#
# usage: bindings/build.sh [npm|wheel]...   (default: both)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(npm wheel)
# Its own target directory, so that a `cargo test` running beside it is never blocked.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target/bindings}

# The module for pages, with the standard library built for size along with it: sorting and
# formatting in their small variants (`optimize_for_size`), and a panic as a bare trap with
# no message or source location built (`immediate-abort`, `location-detail=none`; a panic in
# a page printed nothing before either). These are unstable options of the stable compiler,
# enabled for this build only (`RUSTC_BOOTSTRAP`); together they save 12% of the gzipped
# module. The standard library's source comes from rustup (`rust-src`, once per machine).
page_build() {
  rustup component list --installed | grep -q '^rust-src' \
    || rustup component add rust-src || return 1
  RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
    cargo build --quiet -p plotline-wasm --target wasm32-unknown-unknown --profile wasm \
    -Z build-std=std,panic_abort -Z build-std-features=optimize_for_size
}

# binaryen's `wasm-opt -O1` over the module for pages, in place: 2% smaller gzipped (its
# heavier levels, -Os and -Oz, make the module smaller but its gzipped form larger). The
# features are those the module is built with (Rust's defaults for the target, and SIMD).
# binaryen comes from the npm registry with the test clients (tests/clients/setup.sh).
shrink() {
  local wasm_opt=$root/tests/clients/node_modules/.bin/wasm-opt
  if [ ! -x "$wasm_opt" ]; then
    echo "bindings: warning: no wasm-opt (tests/clients/setup.sh installs it); the module" \
      "for pages is left as linked (about 2% larger gzipped)" >&2
    return 0
  fi
  "$wasm_opt" -O1 --enable-simd --enable-bulk-memory --enable-sign-ext \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types \
    --enable-multivalue "$1" -o "$1.opt"
  mv "$1.opt" "$1"
}

npm_package() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }')" != "$version" ]; then
    echo "bindings: installing wasm-bindgen-cli $version (once per machine)"
    cargo install --locked --quiet wasm-bindgen-cli --version "$version"
  fi
  # Two builds of one crate: for pages, small (profile `wasm`); for Node, fast (`wasm-node`).
  # Both use WebAssembly SIMD, which the module needs anyway (its UTF-8 and byte counting
  # are SIMD code chosen at compile time). They build at once, each in its own target
  # directory, so that one's single-threaded link-time optimisation overlaps the other's.
  local -x CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
  local node_target=$CARGO_TARGET_DIR/node
  cargo build --quiet -p plotline-wasm --target wasm32-unknown-unknown --profile wasm-node \
    --target-dir "$node_target" &
  local node_build=$!
  page_build || {
    echo "bindings: warning: the size-optimised standard library could not be built; the" \
      "page module is built with the prebuilt one (about 12% larger gzipped)" >&2
    cargo build --quiet -p plotline-wasm --target wasm32-unknown-unknown --profile wasm
  }
  wait "$node_build"
  local out=$root/target/npm/plotline
  rm -rf "$out"
  mkdir -p "$out/node"
  wasm-bindgen --target web --out-dir "$out" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/plotline_wasm.wasm"
  wasm-bindgen --target web --out-dir "$out/node" \
    "$node_target/wasm32-unknown-unknown/wasm-node/plotline_wasm.wasm"
  # One JavaScript glue serves both: the two modules must import and export the same.
  cmp -s "$out/plotline_wasm.js" "$out/node/plotline_wasm.js" \
    || { echo "bindings: the two builds' JavaScript glue differs" >&2; exit 1; }
  mv "$out/node/plotline_wasm_bg.wasm" "$out/plotline_wasm_node.wasm"
  shrink "$out/plotline_wasm_bg.wasm"
  rm -rf "$out/node" "$out/plotline_wasm.d.ts" "$out/plotline_wasm_bg.wasm.d.ts"
  cp bindings/wasm/js/* "$out/"
  local wasm
  for wasm in "$out"/*.wasm; do
    echo "bindings: wrote $wasm ($(wc -c < "$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) gzipped)"
  done
}

wheel() {
  local venv=$root/tests/clients/.venv
  local pinned
  pinned=$(grep '^maturin==' tests/clients/requirements.txt)
  if [ "$("$venv/bin/maturin" --version 2>/dev/null | awk '{ print "maturin==" $2 }')" != "$pinned" ]; then
    echo "bindings: installing $pinned into $venv (once per machine)"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$pinned"
  fi
  "$venv/bin/maturin" build --quiet --release -m bindings/python/Cargo.toml -o "$root/target/wheels"
  echo "bindings: wrote $(ls "$root"/target/wheels/plotline-*.whl)"
}

for target in "${targets[@]}"; do
  case $target in
    npm) npm_package ;;
    wheel) wheel ;;
    *) echo "usage: bindings/build.sh [npm|wheel]..." >&2; exit 2 ;;
  esac
done
