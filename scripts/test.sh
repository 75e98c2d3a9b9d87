#!/usr/bin/env bash
# Install everything the tests need into .venv/ (Python packages, Leaflet from npm, Debian's chromium),
# then check and test: ruff (lint), mypy (types of the library), pip-audit (known vulnerabilities),
# pytest on four processes (the browser tests wait on the browser and the server more than they compute:
# three used 1.4 of the 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check src app.py tests scripts
.venv/bin/mypy
.venv/bin/python scripts/audit.py --timeout 60  # one line; skips (does not fail) when PyPI cannot be reached
.venv/bin/python -m pytest -n 4 --dist loadfile "$@"
