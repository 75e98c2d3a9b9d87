#!/usr/bin/env bash
# Install the runtime and show the corpus: every place mention in articles/ as JSON lines.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements.txt
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps -e .
exec python3 -m geo parse articles "$@"
