#!/usr/bin/env bash
# Install the runtime (Python packages, Leaflet from npm) and start the dashboard on articles/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements.txt
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps -e .
bash scripts/vendor.sh
exec python3 -m streamlit run app.py "$@"
