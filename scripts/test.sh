#!/usr/bin/env bash
# Install everything the tests need into .venv/ (Python packages, Leaflet from npm, Debian's chromium),
# then run them: lint, types, and the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/python -m pytest "$@"
