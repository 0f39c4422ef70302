#!/usr/bin/env bash
# What `npm start` runs before serving: builds dist (scripts/build.sh) only when a source, a build
# setting or the installed dependencies changed since the last build, so a restart serves at once.
# The stamp's time is when that build started: a file saved during a build makes the next start build.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.built-from-sources
inputs=(src web scripts/build.sh scripts/bundle-server.mjs tsconfig.json tsconfig.build.json package.json package-lock.json)
if [ -f "$stamp" ] && [ -f dist/main.js ] && [ -f dist/server.mjs ] && [ -z "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
mkdir -p dist
touch "$stamp.next"
bash scripts/build.sh dist
mv "$stamp.next" "$stamp"
