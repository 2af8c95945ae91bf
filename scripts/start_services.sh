#!/usr/bin/env bash
# Start the local PostgreSQL and Redis that tests/services/ need, unless they already answer.
# Idempotent; for CI (.ci/run) and developer machines without Docker. Exits non-zero if a service
# still does not answer after starting it.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
REDIS_PORT=6379

pg_up() { pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -U postgres; }
redis_up() { [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]; }

wait_for() {  # name, probe function
  for _ in $(seq 1 30); do
    if "$2"; then echo "$1: up"; return 0; fi
    sleep 1
  done
  echo "$1: did not come up" >&2
  return 1
}

if pg_up; then
  echo "postgresql: already up"
else
  if ! command -v pg_ctlcluster >/dev/null || [[ ! -d /etc/postgresql ]]; then
    echo "postgresql: not installed (apt-get install postgresql)" >&2
    exit 1
  fi
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for postgresql pg_up
fi

if redis_up; then
  echo "redis: already up"
else
  if ! command -v redis-server >/dev/null; then
    echo "redis: not installed (apt-get install redis-server)" >&2
    exit 1
  fi
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  wait_for redis redis_up
fi
