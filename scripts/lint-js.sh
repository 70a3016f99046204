#!/usr/bin/env bash
# Check assetmap's own scripts (assetmap/static/js) with ESLint, as eslint.config.js sets it up.
# Only `make lint` needs npm: running or testing the app never does.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/eslint ]; then
  npm ci --no-audit --no-fund --silent
fi
npx --no-install eslint assetmap/static/js eslint.config.js
