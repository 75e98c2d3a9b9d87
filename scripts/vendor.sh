#!/usr/bin/env bash
# Put Leaflet and its plugins (pinned in package-lock.json) where Streamlit serves static files,
# so the map never asks a CDN for them. (npm itself is installed by scripts/setup.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
mkdir -p static/vendor/leaflet static/vendor/markercluster
cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images \
  static/vendor/leaflet/
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css \
  node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/markercluster/
