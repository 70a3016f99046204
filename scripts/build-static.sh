#!/usr/bin/env bash
# Rebuild assetmap/static/vendor from the npm packages pinned in package.json. The built files
# are committed, so running the app never needs npm; run this only to upgrade them.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --silent
vendor=assetmap/static/vendor
rm -rf "$vendor"
mkdir -p "$vendor/leaflet/images" "$vendor/markercluster" "$vendor/govuk" tests/browser/vendor
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$vendor/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$vendor/leaflet/images/"
cp node_modules/leaflet/LICENSE "$vendor/leaflet/LICENSE"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css \
   node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css "$vendor/markercluster/"
cp node_modules/leaflet.markercluster/MIT-LICENCE.txt "$vendor/markercluster/LICENSE"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$vendor/govuk/"
node -e 'const p=require("govuk-frontend/package.json"); console.log(`${p.name} ${p.version}, ${p.license} licence, (c) Crown copyright. Used without the GOV.UK brand: no GDS Transport font, crown or logo.`)' > "$vendor/govuk/LICENSE"
npx sass --pkg-importer=node --style=compressed --no-source-map --quiet \
  assetmap/static/scss/govuk.scss "$vendor/govuk/govuk-frontend.min.css"
# Workbox for the service worker: the loader and the production builds of the modules it loads,
# served from here (workbox.setConfig's modulePathPrefix) rather than from a CDN.
mkdir -p "$vendor/workbox"
cp node_modules/workbox-sw/build/workbox-sw.js "$vendor/workbox/"
for module in core routing strategies precaching expiration; do
  cp "node_modules/workbox-$module/build/workbox-$module.prod.js" "$vendor/workbox/"
done
cp node_modules/workbox-sw/LICENSE "$vendor/workbox/LICENSE"
cp node_modules/axe-core/axe.min.js tests/browser/vendor/axe.min.js
cp node_modules/axe-core/LICENSE tests/browser/vendor/axe-LICENSE
echo "build-static: vendor files written to $vendor"
