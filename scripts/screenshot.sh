#!/usr/bin/env bash
# Refresh docs/dashboard.png (the README's picture) from the browser test that opens the map.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
GEO_UPDATE_SCREENSHOT=1 .venv/bin/python -m pytest -q tests/test_browser.py -k test_map_renders_every_place_offline
