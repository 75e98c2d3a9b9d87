#!/usr/bin/env bash
# Install everything the tests need on a fresh machine (Python packages, Leaflet from npm,
# Debian's chromium for the browser tests), then run them.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-dev.txt
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps -e .
bash scripts/vendor.sh
python3 -m pytest "$@"
