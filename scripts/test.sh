#!/usr/bin/env bash
# Install everything the tests need on a fresh machine, then run them.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-dev.txt
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps -e .
python3 -m pytest "$@"
