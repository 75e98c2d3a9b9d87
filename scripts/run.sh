#!/usr/bin/env bash
# Install the runtime into .venv/ (Python packages, Leaflet from npm) and start the dashboard on articles/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m streamlit run app.py "$@"
