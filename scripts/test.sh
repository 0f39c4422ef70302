#!/usr/bin/env bash
# The whole test suite: builds Trove, then runs unit tests (next to the code) and
# end-to-end tests (real clients against a real server) with node's test runner.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/install-test-deps.sh
# SKIP_BUILD=1 with TROVE_TEST_DIST=dist-x runs against a build made elsewhere (parallel work in one checkout).
[ "${SKIP_BUILD:-}" = 1 ] || { npm run --silent build && npm run --silent typecheck; }
shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
