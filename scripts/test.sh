#!/usr/bin/env bash
# The whole test suite: builds Trove, then runs unit tests (next to the code) and end-to-end
# tests (real clients against a real server) with node's test runner, once per database
# backend: SQLite (the embedded default) and PostgreSQL (a throw-away local server).
#   bash scripts/test.sh [files...]            all backends, all or the given test files
#   TROVE_TEST_BACKENDS=sqlite bash scripts/test.sh   one backend only
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
bash scripts/install-test-deps.sh
# TROVE_TEST_DIST=dist-x builds into and tests dist-x (parallel work in one checkout); with
# SKIP_BUILD=1 it runs against a build made there before.
[ "${SKIP_BUILD:-}" = 1 ] || { bash scripts/build.sh "${TROVE_TEST_DIST:-dist}" && npm run --silent typecheck; }
shopt -s globstar nullglob
files=(src/**/*.test.ts test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
status=0
# Each test process removes its temp folders and drops its PostgreSQL databases when it ends
# (test/support/temp-dir.ts; TROVE_KEEP_TEMP=1 keeps them); before and after the PostgreSQL run
# the databases of test processes that were killed before they could are dropped too.
drop_dead_test_databases() {
  node --import tsx test/support/drop-test-databases.ts || echo "warning: could not drop old test databases" >&2
}
# A unit test (next to the code) that opens no database checks the same code on every backend: it
# runs on the first backend only. End-to-end tests (test/) start servers, so they run on each,
# unless the file says on a line of its own, `// One backend: <why>`: what it checks is the same on
# every backend (a browser driving the web UI, a client's own protocol quirks), and what its writes
# do to each database is checked by other files that run on both (the API tests, the conformance suite).
runs_on_every_backend() {
  case "$1" in
    src/*) grep -qE "test-database|trove-process|startTrove|TROVE_TEST_POSTGRES_URL" "$1" ;;
    *) ! grep -q "^// One backend: " "$1" ;;
  esac
}
first_backend=1
for backend in ${TROVE_TEST_BACKENDS:-sqlite postgres}; do
  echo "=== test suite on $backend ==="
  if [ "$backend" = postgres ]; then
    export TROVE_TEST_POSTGRES_URL="$(bash scripts/postgres-test-server.sh)"
    drop_dead_test_databases
  else
    unset TROVE_TEST_POSTGRES_URL
  fi
  run=()
  for f in "${files[@]}"; do
    if [ "$first_backend" = 1 ] || runs_on_every_backend "$f"; then run+=("$f"); fi
  done
  first_backend=0
  [ "${#run[@]}" -gt 0 ] || continue
  # A test that hangs fails after 15 minutes instead of holding the run (the longest take ~5 on a busy
  # machine), and a test file whose tests are done ends even if a handle it forgot keeps it alive.
  node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=900000 --test-force-exit --test-reporter=spec "${run[@]}" || status=1
  [ "$backend" != postgres ] || drop_dead_test_databases
done
exit $status
