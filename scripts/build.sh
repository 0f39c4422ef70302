#!/usr/bin/env bash
# Builds Trove into one folder: the server (tsc) into OUT (default dist) and the web UI (vite) into
# OUT/web, where the compiled server looks for it (next to itself, src/http/web-ui.ts). A second
# folder (bash scripts/build.sh dist-x) is a complete build too, for parallel work in one checkout.
#   bash scripts/build.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
node_modules/.bin/tsc -p tsconfig.build.json --outDir "$out"
# vite resolves a relative outDir against web/: hand it an absolute one.
node_modules/.bin/vite build --config web/vite.config.ts --logLevel warn --outDir "$PWD/$out/web" --emptyOutDir
