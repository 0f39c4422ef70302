#!/usr/bin/env bash
# Builds Trove into one folder: the server (tsc) into OUT (default dist) and the web UI (vite) into
# OUT/web, where the compiled server looks for it (next to itself, src/http/web-ui.ts). A second
# folder (bash scripts/build.sh dist-x) is a complete build too, for parallel work in one checkout.
#   bash scripts/build.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
node_modules/.bin/tsc -p tsconfig.build.json --outDir "$out"
# The server and its dependencies in one file, OUT/server.mjs, which `npm start` runs: a start then
# reads one file instead of ~1500 (scripts/bundle-server.mjs). OUT/main.js serves as well.
node scripts/bundle-server.mjs "$out"
# The evidence pack's standalone verifier: the verifier's own modules bundled into one file that
# needs only Node 18+ (src/core/audit/evidence-pack/verify-standalone.ts), put into every pack.
node_modules/.bin/esbuild src/core/audit/evidence-pack/verify-standalone.ts --bundle --platform=node --format=esm --target=node18 \
  --outfile="$out/audit-verifier/verify.mjs" --log-level=warning --legal-comments=none \
  --banner:js="// Trove evidence pack verifier: generated from Trove's own verifier (src/core/audit/verify, src/core/audit/evidence-pack); needs Node 18+. Usage: node verify.mjs [folder] [--trusted-key <file>]"
# vite resolves a relative outDir against web/: hand it an absolute one.
node_modules/.bin/vite build --config web/vite.config.ts --logLevel warn --outDir "$PWD/$out/web" --emptyOutDir
