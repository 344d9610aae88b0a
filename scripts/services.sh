#!/usr/bin/env bash
# Start the real local servers the test suite talks to (PostgreSQL, Redis) and print the
# environment variables that point the tests at them. Idempotent.
set -euo pipefail
PGPORT="${PREPPLE_TEST_PGPORT:-5432}"
ver=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
  pg_createcluster "$ver" main --port "$PGPORT" >&2
fi
if ! pg_lsclusters -h | awk '$1=="'"$ver"'" && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$ver" main start >&2
fi
port=$(pg_lsclusters -h | awk '$1=="'"$ver"'" && $2=="main" {print $3}')
for i in $(seq 1 50); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.2
done
psql_root() { su postgres -c "psql -q -v ON_ERROR_STOP=1 -p $port $*"; }
psql_root "-tAc \"SELECT 1 FROM pg_roles WHERE rolname='prepple'\"" | grep -q 1 \
  || psql_root "-c \"CREATE ROLE prepple LOGIN PASSWORD 'prepple' CREATEDB\"" >&2
psql_root "-tAc \"SELECT 1 FROM pg_database WHERE datname='prepple_test'\"" | grep -q 1 \
  || psql_root "-c \"CREATE DATABASE prepple_test OWNER prepple\"" >&2
echo "export PREPPLE_TEST_POSTGRES_URL=postgresql+psycopg://prepple:prepple@127.0.0.1:$port/prepple_test"

# Redis on loopback (Reflex's state manager when scaled out), no persistence.
RPORT="${PREPPLE_TEST_REDIS_PORT:-6390}"
if ! redis-cli -p "$RPORT" ping >/dev/null 2>&1; then
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --logfile /tmp/prepple-test-redis.log >&2
  for i in $(seq 1 50); do redis-cli -p "$RPORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
echo "export PREPPLE_TEST_REDIS_URL=redis://127.0.0.1:$RPORT/0"
