#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server on 127.0.0.1 for the test suite and prints its URL.
# Installs Debian's postgresql if missing. The cluster lives in $TROVE_PG_DIR (default
# /tmp/trove-test-pg) and is reused while it runs. `stop` shuts it down.
set -euo pipefail
PORT="${TROVE_PG_PORT:-54329}"
DIR="${TROVE_PG_DIR:-/tmp/trove-test-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >&2
  BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
fi
# PostgreSQL refuses to run as root: use the postgres account when we are root.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}
if [ "${1:-}" = stop ]; then
  as_owner "'$BIN/pg_ctl' -D '$DIR' -m fast stop" >&2 || true
  exit 0
fi
if [ ! -f "$DIR/PG_VERSION" ]; then
  mkdir -p "$DIR"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$DIR"
  as_owner "'$BIN/initdb' -D '$DIR' -A trust -U trove --no-sync" >/dev/null
fi
if ! as_owner "'$BIN/pg_ctl' -D '$DIR' status" >/dev/null 2>&1; then
  # fsync stays on: the audit durability tests must see real commits.
  as_owner "'$BIN/pg_ctl' -D '$DIR' -l '$DIR/server.log' -w -o \"-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=300\" start" >/dev/null
fi
echo "postgres://trove@127.0.0.1:$PORT/postgres"
