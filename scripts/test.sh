#!/usr/bin/env bash
# Start the test servers, then run every test: services, state handlers, migrations on SQLite
# and PostgreSQL, and the browser flows against the production build in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
eval "$(scripts/services.sh)"
export PREPPLE_REQUIRE_SERVICES=1
start=$(date +%s)
set +e
python -m pytest "$@"
rc=$?
set -e
echo "test suite took $(( $(date +%s) - start )) s"
exit $rc
