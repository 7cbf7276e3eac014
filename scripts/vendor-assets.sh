#!/usr/bin/env bash
# Copy the npm packages the pages use into static/vendor (served by the platform itself).
set -euo pipefail
src=frontend/node_modules
dst=static/vendor
rm -rf "$dst"
mkdir -p "$dst"/{tabler,htmx,echarts,leaflet}
cp "$src"/@tabler/core/dist/css/tabler.min.css "$dst"/tabler/
cp "$src"/@tabler/core/dist/js/tabler.min.js "$dst"/tabler/
cp "$src"/htmx.org/dist/htmx.min.js "$dst"/htmx/
cp "$src"/echarts/dist/echarts.min.js "$dst"/echarts/
cp "$src"/leaflet/dist/leaflet.js "$src"/leaflet/dist/leaflet.css "$dst"/leaflet/
cp -r "$src"/leaflet/dist/images "$dst"/leaflet/
