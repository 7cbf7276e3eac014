#!/usr/bin/env bash
# Copy the npm packages the pages use into static/vendor (served by the platform itself).
set -euo pipefail
src=frontend/node_modules
dst=static/vendor
rm -rf "$dst"
mkdir -p "$dst"/{tabler,htmx,echarts,leaflet,markercluster,protomaps}
cp "$src"/@tabler/core/dist/css/tabler.min.css "$dst"/tabler/
cp "$src"/@tabler/core/dist/js/tabler.min.js "$dst"/tabler/
cp "$src"/htmx.org/dist/htmx.min.js "$dst"/htmx/
cp "$src"/echarts/dist/echarts.min.js "$dst"/echarts/
cp "$src"/leaflet/dist/leaflet.js "$src"/leaflet/dist/leaflet.css "$dst"/leaflet/
cp -r "$src"/leaflet/dist/images "$dst"/leaflet/
cp "$src"/leaflet.markercluster/dist/leaflet.markercluster.js "$dst"/markercluster/
cp "$src"/leaflet.markercluster/dist/MarkerCluster.css "$src"/leaflet.markercluster/dist/MarkerCluster.Default.css "$dst"/markercluster/
cp "$src"/protomaps-leaflet/dist/protomaps-leaflet.js "$dst"/protomaps/
