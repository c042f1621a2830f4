#!/usr/bin/env bash
# The step of action.yml: installs Plotline from the action's checkout (once per runner, into
# $RUNNER_TEMP), validates the streams with SARIF for code scanning and the coverage bars, and
# says what it found in the job summary. Exit status: 0 no violation and every bar met, 1
# violations or coverage under a bar, 2 a config, usage or I/O error.
#
# Inputs come as a runner sets them: PLOTLINE_STREAMS, PLOTLINE_ACTION_CATALOG, PLOTLINE_SARIF,
# PLOTLINE_FAIL_BELOW, with GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_OUTPUT and
# GITHUB_STEP_SUMMARY.
set -euo pipefail
root=${GITHUB_ACTION_PATH:?the action runs from its checkout}
install=${RUNNER_TEMP:-/tmp}/plotline
plotline=$install/bin/plotline
version=$(awk -F '"' '/^version = / { print $2; exit }' "$root/Cargo.toml")
if ! "$plotline" --version 2>/dev/null | grep -qx "plotline $version"; then
  echo "plotline: installing $version from $root"
  cargo install --locked --quiet --path "$root" --root "$install"
fi
read -r -a patterns <<< "$(tr '\n' ' ' <<< "${PLOTLINE_STREAMS:?the input streams is required}")"
files=()
shopt -s nullglob globstar
for pattern in "${patterns[@]}"; do
  matched=($pattern)
  [ ${#matched[@]} -gt 0 ] || { echo "plotline: no stream matches \`$pattern\`" >&2; exit 2; }
  files+=("${matched[@]}")
done
sarif=${PLOTLINE_SARIF:-plotline.sarif}
args=(validate --format sarif --output "$sarif")
[ -z "${PLOTLINE_ACTION_CATALOG:-}" ] || args+=(--catalog "$PLOTLINE_ACTION_CATALOG")
for bar in ${PLOTLINE_FAIL_BELOW:-}; do args+=(--fail-below "$bar"); done
status=0
"$plotline" "${args[@]}" "${files[@]}" || status=$?
[ "$status" -le 1 ] || exit "$status"
violations=$({ grep -o '"ruleId"' "$sarif" || true; } | wc -l | tr -d ' ')
echo "sarif=$sarif" >> "${GITHUB_OUTPUT:-/dev/null}"
echo "violations=$violations" >> "${GITHUB_OUTPUT:-/dev/null}"
{
  echo "### Plotline"
  echo "${#files[@]} stream(s), $violations violation(s); SARIF in \`$sarif\`."
} >> "${GITHUB_STEP_SUMMARY:-/dev/null}"
exit "$status"
