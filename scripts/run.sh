#!/usr/bin/env bash
# Migrate and seed the configured database, then serve the production build.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
prepple db upgrade
prepple seed
exec reflex run --env prod --loglevel "${PREPPLE_LOGLEVEL:-info}"
