#!/usr/bin/env bash
# Start the test servers, then run every test in two parts:
#   1. services, state handlers, migrations (SQLite and PostgreSQL), CLI, API, worker processes:
#      independent tests, spread over two pytest-xdist workers (each with its own PostgreSQL
#      database, SQLite files and data folders);
#   2. the browser flows against the production build in headless Chromium, in one process under
#      /tmp/prepple-e2e.lock (the build folder .web is shared): every flow on the memory app,
#      the flows that exercise Redis also on the Redis app (tests/e2e/conftest.py REDIS_FLOWS).
# With arguments, runs `pytest <arguments>` once instead (e.g. scripts/test.sh tests/services -x).
# PREPPLE_TEST_WORKERS sets part 1's worker count (default 2; 0 runs it in one process).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
eval "$(scripts/services.sh)"
export PREPPLE_REQUIRE_SERVICES=1
start=$(date +%s)
rc=0
if [ $# -gt 0 ]; then
  python -m pytest "$@" || rc=$?
else
  workers="${PREPPLE_TEST_WORKERS:-2}"
  parallel=()
  [ "$workers" != 0 ] && parallel=(-n "$workers" --dist worksteal)
  python -m pytest tests --ignore=tests/e2e "${parallel[@]}" --durations=15 || rc=$?
  part1=$(( $(date +%s) - start ))
  echo "non-browser tests took ${part1} s"
  flock /tmp/prepple-e2e.lock python -m pytest tests/e2e --durations=15 || rc=$?
  echo "browser tests took $(( $(date +%s) - start - part1 )) s"
fi
echo "test suite took $(( $(date +%s) - start )) s"
exit $rc
